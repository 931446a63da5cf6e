package consent_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// The SIGKILL test runs this test binary again as a child selected by
// environment variables: it opens a durable ledger, records a grant and then
// a revocation, prints "revoked" as soon as the revocation's Record returns,
// and waits to be killed.
const (
	envCrashDir  = "TOUCHPOINT_CONSENT_CRASH_DIR"
	envCrashSync = "TOUCHPOINT_CONSENT_CRASH_SYNC"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envCrashDir); dir != "" {
		crashChild(dir, os.Getenv(envCrashSync) == "1")
	}
	os.Exit(m.Run())
}

func crashChild(dir string, sync bool) {
	l, err := consent.OpenLedger(dir, consent.WithLedgerSync(sync))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	for _, f := range []consent.Fact{
		{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: true, Effective: at(0), Source: consent.SourceAppSetting},
		{Subject: "u-2", Purpose: consent.PurposeMarketing, Granted: true, Effective: at(0), Source: consent.SourceAppSetting},
	} {
		if _, err := l.Record(ctx, f); err != nil {
			fmt.Println("grant:", err)
			os.Exit(2)
		}
	}
	fmt.Println("granted")
	if _, err := l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: false, Effective: at(5), Source: consent.SourceCMP}); err != nil {
		fmt.Println("revoke:", err)
		os.Exit(2)
	}
	fmt.Println("revoked")
	time.Sleep(time.Minute) // killed before this ends
	fmt.Println("not killed")
	os.Exit(3)
}

// TestLedgerSurvivesSIGKILL: a child process records a grant and then a
// revocation in a durable ledger and is SIGKILLed right after the
// revocation's Record returns. The ledger reopened here denies the next
// event for that purpose (a record of the revoked subject is refused by a
// Router, reason revoked), and still permits the subject who did not
// revoke. A memory-only ledger would have forgotten both.
func TestLedgerSurvivesSIGKILL(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" || runtime.GOOS == "js" || runtime.GOOS == "wasip1" {
		t.Skip("re-exec with SIGKILL needs a Unix process model; not on " + runtime.GOOS)
	}
	for _, sync := range []bool{true, false} {
		t.Run(fmt.Sprintf("fsync=%v", sync), func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			syncEnv := "0"
			if sync {
				syncEnv = "1"
			}
			cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashSync+"="+syncEnv)
			out, err := cmd.StdoutPipe()
			noErr(t, err)
			noErr(t, cmd.Start())
			defer cmd.Process.Kill()
			r := bufio.NewReader(out)
			for _, want := range []string{"granted", "revoked"} {
				line, err := r.ReadString('\n')
				if err != nil || strings.TrimSpace(line) != want {
					t.Fatalf("child said %q (%v), want %q", line, err, want)
				}
			}
			noErr(t, cmd.Process.Signal(os.Kill)) // SIGKILL: no deferred code, no Close
			err = cmd.Wait()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
				t.Fatalf("child was not killed by the signal: %v", err)
			}

			l, err := consent.OpenLedger(dir)
			noErr(t, err, "reopen after SIGKILL")
			defer l.Close()
			equal(t, 2, len(l.History("u-1", consent.PurposeMarketing)), "grant and revocation both kept")
			isTrue(t, !l.Permits("u-1", consent.PurposeMarketing, at(10)), "the revocation holds after the crash")
			isTrue(t, !l.Permits("u-1", consent.PurposeMarketing, at(1)), "an event from before the revocation processed after it")
			isTrue(t, l.Permits("u-2", consent.PurposeMarketing, at(10)), "the other subject's grant holds")

			crm := &sink{}
			var reasons []consent.Reason
			rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "crm", Purpose: consent.PurposeMarketing,
				Categories: []connected.Category{connected.CategoryBehavioral}, Handler: crm}}, consent.WithAuditSink(func(e consent.AuditEntry) { reasons = append(reasons, e.Reason) }))
			noErr(t, err)
			shutdown(t, rt)
			noErr(t, rt.Handle(context.Background(), record(t, "u-1", connected.CategoryBehavioral, at(10))))
			noErr(t, rt.Handle(context.Background(), record(t, "u-1", connected.CategoryBehavioral, at(1))))
			noErr(t, rt.Handle(context.Background(), record(t, "u-2", connected.CategoryBehavioral, at(10))))
			equal(t, 1, len(crm.ids()), "only u-2's event reaches the marketing destination")
			equal(t, []consent.Reason{consent.ReasonDenied, consent.ReasonRevoked}, reasons)
		})
	}
}
