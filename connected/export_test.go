package connected

// Plain8 exposes plain8 to the external tests.
var Plain8 = plain8
