//go:build !unix

package spool

import "os"

// flock is a no-op where flock(2) does not exist: there, keeping one Spool
// per directory is the caller's job.
func flock(*os.File) error { return nil }
