//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package durable

import (
	"errors"
	"os"
	"syscall"
)

// lockDir takes an exclusive, non-blocking flock on the directory itself:
// no lock file to leave behind, and the kernel drops the lock when the
// process dies. flock locks belong to the open file description, so a second
// Open in the same process conflicts too.
func lockDir(root *os.Root, dir string) (*os.File, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Dir: dir, Err: err}
		}
		return nil, err
	}
	return d, nil
}

// unlockDir releases the lock by closing the directory handle.
func unlockDir(d *os.File, _ string) error {
	if d == nil {
		return nil
	}
	return d.Close()
}
