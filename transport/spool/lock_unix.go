//go:build unix

package spool

import (
	"errors"
	"os"
	"syscall"
)

// flock takes an exclusive, non-blocking flock on f. The lock belongs to the
// open file: a second open of the same file, even in this process, cannot
// take it, and the kernel releases it when the process dies (SIGKILL
// included), so a crash never leaves a stale lock.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return ErrLocked
		}
		return err
	}
}
