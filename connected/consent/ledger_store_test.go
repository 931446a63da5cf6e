package consent_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

func openLedger(t testing.TB, dir string, opts ...consent.LedgerOption) *consent.Ledger {
	t.Helper()
	l, err := consent.OpenLedger(dir, append([]consent.LedgerOption{consent.WithLedgerSync(false)}, opts...)...)
	noErr(t, err, "OpenLedger")
	return l
}

// TestDurableLedgerMatchesMemory records random facts (out of order,
// repeated, custom purposes) and erasures into a durable ledger that is
// closed and reopened every few changes and compacts every 7 facts, and
// into a memory ledger: every history, erasure and Record result is the
// same.
func TestDurableLedgerMatchesMemory(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 14))
	dir := t.TempDir()
	dl := openLedger(t, dir, consent.WithCompactAfter(7))
	ml := newLedger(t)
	subjects := []string{"u-1", "u-2", "anon-3", "p_4", "u-5"}
	purposes := []consent.Purpose{consent.PurposeMarketing, consent.PurposeAnalytics, consent.PurposeLinking, "acme:surveys"}
	ctx := context.Background()
	for i := range 400 {
		if rng.IntN(60) == 0 {
			s := subjects[rng.IntN(len(subjects))]
			noErr(t, dl.Erase(ctx, s, at(i)))
			noErr(t, ml.Erase(ctx, s, at(i)))
		} else {
			f := consent.Fact{Subject: subjects[rng.IntN(len(subjects))], Purpose: purposes[rng.IntN(len(purposes))],
				Granted: rng.IntN(2) == 0, Effective: at(rng.IntN(50)), Source: consent.SourceCMP, Document: fmt.Sprint("doc-", rng.IntN(2)), Jurisdiction: "EU"}
			a1, e1 := dl.Record(ctx, f)
			a2, e2 := ml.Record(ctx, f)
			if a1 != a2 || !errors.Is(e1, e2) {
				t.Fatalf("change %d: durable (%v, %v), memory (%v, %v)", i, a1, e1, a2, e2)
			}
		}
		if rng.IntN(25) == 0 {
			noErr(t, dl.Close())
			dl = openLedger(t, dir, consent.WithCompactAfter(7))
		}
	}
	noErr(t, dl.Close())
	dl = openLedger(t, dir)
	defer dl.Close()
	for _, s := range subjects {
		equal(t, ml.Erased(s), dl.Erased(s), s, " erased")
		equal(t, ml.Purposes(s) == nil, dl.Purposes(s) == nil, s, " purposes")
		for _, p := range purposes {
			equal(t, ml.History(s, p), dl.History(s, p), s, " ", p)
		}
	}
}

// TestDurableLedgerErase: an erased subject's id leaves the files at once,
// and the erasure holds after a reopen (Record refuses, the Router refuses
// with ReasonErased).
func TestDurableLedgerErase(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	grant(t, l, "alice@example.com", consent.PurposeMarketing, at(0))
	grant(t, l, "bob@example.com", consent.PurposeMarketing, at(0))
	noErr(t, l.Erase(context.Background(), "alice@example.com", at(1)))
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		noErr(t, err)
		isTrue(t, !bytes.Contains(b, []byte("alice")), f, " still holds the erased id")
		if bytes.Contains(b, []byte("bob@example.com")) {
			t.Logf("%s keeps the other subject", filepath.Base(f))
		}
	}
	noErr(t, l.Close())

	l = openLedger(t, dir)
	defer l.Close()
	isTrue(t, l.Erased("alice@example.com"), "erased after reopen")
	isTrue(t, l.Permits("bob@example.com", consent.PurposeMarketing, at(2)), "bob kept")
	_, err := l.Record(context.Background(), consent.Fact{Subject: "alice@example.com", Purpose: consent.PurposeMarketing, Granted: true, Effective: at(3), Source: consent.SourceCMP})
	isTrue(t, errors.Is(err, consent.ErrErased), "Record after reopen: ", err)
	var reasons []consent.Reason
	rt, err := consent.NewRouter(l, auditKey, []consent.Destination{{Name: "crm", Purpose: consent.PurposeMarketing,
		Categories: []connected.Category{connected.CategoryBehavioral}, Handler: &sink{}}}, consent.WithAuditSink(func(e consent.AuditEntry) { reasons = append(reasons, e.Reason) }))
	noErr(t, err)
	shutdown(t, rt)
	noErr(t, rt.Handle(context.Background(), record(t, "alice@example.com", connected.CategoryBehavioral, at(5))))
	equal(t, []consent.Reason{consent.ReasonErased}, reasons)
}

func TestDurableLedgerLockedAndClosed(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	isTrue(t, l.Durable(), "Durable")
	_, err := consent.OpenLedger(dir)
	isTrue(t, errors.Is(err, consent.ErrLedgerLocked), "second opener: ", err)
	grant(t, l, "u", consent.PurposeAnalytics, at(0))
	noErr(t, l.Close())
	noErr(t, l.Close())
	ctx := context.Background()
	_, err = l.Record(ctx, consent.Fact{Subject: "u", Purpose: consent.PurposeAnalytics, Granted: false, Effective: at(1), Source: consent.SourceCMP})
	isTrue(t, errors.Is(err, consent.ErrLedgerClosed), "Record after Close: ", err)
	isTrue(t, errors.Is(l.Erase(ctx, "u", at(1)), consent.ErrLedgerClosed), "Erase after Close")
	isTrue(t, errors.Is(l.Compact(ctx), consent.ErrLedgerClosed), "Compact after Close")
	isTrue(t, l.Permits("u", consent.PurposeAnalytics, at(1)), "readers keep answering after Close")

	for _, o := range []consent.LedgerOption{consent.WithLedgerSync(true), consent.WithCompactAfter(10), consent.WithLedgerRecovery(func(int64, error) {})} {
		_, err := consent.NewLedger(o)
		isTrue(t, errors.Is(err, consent.ErrConfig), "store option on NewLedger: ", err)
	}
	_, err = consent.OpenLedger(t.TempDir(), consent.WithCompactAfter(0))
	isTrue(t, errors.Is(err, consent.ErrConfig), "WithCompactAfter(0): ", err)
	m := newLedger(t)
	isTrue(t, !m.Durable(), "NewLedger is memory only")
	noErr(t, m.Compact(ctx))
}

// TestDurableLedgerTornTail: a crash in the middle of writing a fact leaves
// a torn frame; the reopened ledger reports the cut and keeps every fact
// before it.
func TestDurableLedgerTornTail(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	grant(t, l, "u", consent.PurposeMarketing, at(0))
	deny(t, l, "u", consent.PurposeMarketing, at(5))
	noErr(t, l.Close())
	logs, _ := filepath.Glob(filepath.Join(dir, "log-*.tpcl"))
	if len(logs) != 1 {
		t.Fatalf("logs: %v", logs)
	}
	b, _ := os.ReadFile(logs[0])
	noErr(t, os.WriteFile(logs[0], b[:len(b)-3], 0o600))
	var cut int64
	var cause error
	l = openLedger(t, dir, consent.WithLedgerRecovery(func(n int64, err error) { cut, cause = n, err }))
	defer l.Close()
	var fe *consent.FormatError
	isTrue(t, cut > 0 && errors.Is(cause, consent.ErrCorrupt) && errors.As(cause, &fe) && fe.Source == "log", "recovery reported: ", cut, cause)
	equal(t, 1, len(l.History("u", consent.PurposeMarketing)), "the grant before the torn revocation")
}

func TestDurableLedgerCorruptSnapshot(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	grant(t, l, "u", consent.PurposeMarketing, at(0))
	noErr(t, l.Compact(context.Background()))
	noErr(t, l.Close())
	p := filepath.Join(dir, "snapshot.tpcl")
	b, _ := os.ReadFile(p)
	b[len(b)-2] ^= 0x10
	noErr(t, os.WriteFile(p, b, 0o600))
	_, err := consent.OpenLedger(dir)
	var fe *consent.FormatError
	isTrue(t, errors.Is(err, consent.ErrCorrupt) && errors.As(err, &fe) && fe.Source == "snapshot", "corrupt snapshot: ", err)
}

// TestDurableLedgerConcurrent: writers, an eraser and readers at once on a
// durable ledger that compacts often; afterwards the reopened ledger holds
// exactly what the open one did.
func TestDurableLedgerConcurrent(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir, consent.WithCompactAfter(50))
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 150 {
				f := consent.Fact{Subject: fmt.Sprintf("u-%d", i%10), Purpose: consent.PurposeAnalytics, Granted: (i+w)%3 != 0,
					Effective: at(i*4 + w), Source: consent.SourceCMP}
				if _, err := l.Record(ctx, f); err != nil && !errors.Is(err, consent.ErrErased) {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			l.Permits(fmt.Sprintf("u-%d", i%10), consent.PurposeAnalytics, at(i))
		}
	})
	wg.Go(func() { noErr(t, l.Erase(ctx, "u-7", at(1))) })
	wg.Wait()
	want := map[string][]consent.Fact{}
	for i := range 10 {
		s := fmt.Sprintf("u-%d", i)
		want[s] = l.History(s, consent.PurposeAnalytics)
	}
	noErr(t, l.Close())
	l = openLedger(t, dir)
	defer l.Close()
	isTrue(t, l.Erased("u-7"), "u-7 erased")
	for s, facts := range want {
		equal(t, facts, l.History(s, consent.PurposeAnalytics), s)
	}
}
