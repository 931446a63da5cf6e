package fleet

// ErasurePlanID is erasureIntentID, for the crash tests.
var ErasurePlanID = erasureIntentID
