package durable_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// The cross-process lock test runs this test binary again as a child that
// opens the store, says "locked", and waits to be killed.
const envLockDir = "TOUCHPOINT_DURABLE_LOCK_DIR"

func TestMain(m *testing.M) {
	if dir := os.Getenv(envLockDir); dir != "" {
		st, err := durable.Open(dir, testCfg)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(2)
		}
		fmt.Println("locked")
		defer st.Close()
		select {} // until killed; st stays open
	}
	os.Exit(m.Run())
}

func TestSecondOpenerInProcess(t *testing.T) {
	dir := t.TempDir()
	st := open(t, dir, testCfg)
	_, err := durable.Open(dir, testCfg)
	var le *durable.LockedError
	if !errors.Is(err, durable.ErrLocked) || !errors.As(err, &le) || le.Dir != dir {
		t.Fatalf("second Open = %v", err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st = open(t, dir, testCfg) // the lock went with Close
	st.Close()
}

// TestSecondOpenerOtherProcess: a child process holds the store; Open here
// is refused with ErrLocked; once the child is SIGKILLed the kernel drops
// its lock and Open succeeds (no stale lock file).
func TestSecondOpenerOtherProcess(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("no flock on " + runtime.GOOS + ": the lock covers one process only there")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envLockDir+"="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("child: %q %v", line, err)
	}
	if _, err := durable.Open(dir, testCfg); !errors.Is(err, durable.ErrLocked) {
		t.Fatalf("Open while the child holds it = %v", err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	st := open(t, dir, testCfg)
	st.Close()
}
