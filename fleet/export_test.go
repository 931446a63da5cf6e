package fleet

import "time"

// ErasurePlanID is erasurePlanID, for the crash tests.
func ErasurePlanID(requestID string, at time.Time, part int) string {
	return erasurePlanID(requestID, at, part)
}
