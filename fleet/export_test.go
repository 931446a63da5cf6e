package fleet

import "time"

// ErasurePlanID is erasureIntentID, for the crash tests.
func ErasurePlanID(requestID string, at time.Time, part int) string {
	return erasureIntentID(requestID, at, part)
}
