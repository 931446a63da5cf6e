//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package durable

import (
	"os"
	"path/filepath"
	"sync"
)

// Without flock the lock covers this process only: a set of the absolute
// directories open here. It is the one piece of package state, and only on
// these platforms.
var (
	lockedMu sync.Mutex
	locked   = map[string]bool{}
)

func lockKey(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

func lockDir(root *os.Root, dir string) (*os.File, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	k := lockKey(dir)
	lockedMu.Lock()
	defer lockedMu.Unlock()
	if locked[k] {
		d.Close()
		return nil, &LockedError{Dir: dir}
	}
	locked[k] = true
	return d, nil
}

func unlockDir(d *os.File, dir string) error {
	if d == nil {
		return nil
	}
	lockedMu.Lock()
	delete(locked, lockKey(dir))
	lockedMu.Unlock()
	return d.Close()
}
