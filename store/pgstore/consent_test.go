package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

func openLedger(t *testing.T, db *pgstore.DB, name string, opts ...consent.LedgerOption) *consent.Ledger {
	t.Helper()
	ctx := context.Background()
	st, err := db.ConsentStore(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	l, err := consent.OpenLedgerStore(ctx, st, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestLedgerOnPostgresMatchesMemory is consent's durable-ledger check
// (TestDurableLedgerMatchesMemory) on PostgreSQL: random facts (out of
// order, repeated, custom purposes) and erasures go to a ledger on the
// database, reopened every few changes and compacting every 7 facts, and to
// a memory ledger; every history, erasure and Record result is the same.
func TestLedgerOnPostgresMatchesMemory(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	rng := rand.New(rand.NewPCG(3, 14))
	ctx := context.Background()
	at := func(m int) time.Time { return time.Date(2026, 3, 1, 9, m, 0, 0, time.UTC) }
	dl := openLedger(t, db, "l", consent.WithCompactAfter(7))
	ml, err := consent.NewLedger()
	if err != nil {
		t.Fatal(err)
	}
	subjects := []string{"u-1", "u-2", "anon-3", "p_4", "u-5"}
	purposes := []consent.Purpose{consent.PurposeMarketing, consent.PurposeAnalytics, consent.PurposeLinking, "acme:surveys"}
	for i := range 300 {
		if rng.IntN(60) == 0 {
			s := subjects[rng.IntN(len(subjects))]
			if err := errors.Join(dl.Erase(ctx, s, at(i)), ml.Erase(ctx, s, at(i))); err != nil {
				t.Fatal(err)
			}
		} else {
			f := consent.Fact{Subject: subjects[rng.IntN(len(subjects))], Purpose: purposes[rng.IntN(len(purposes))],
				Granted: rng.IntN(2) == 0, Effective: at(rng.IntN(50)), Source: consent.SourceCMP, Document: fmt.Sprint("doc-", rng.IntN(2)), Jurisdiction: "EU"}
			a1, e1 := dl.Record(ctx, f)
			a2, e2 := ml.Record(ctx, f)
			if a1 != a2 || !errors.Is(e1, e2) {
				t.Fatalf("change %d: database (%v, %v), memory (%v, %v)", i, a1, e1, a2, e2)
			}
		}
		if rng.IntN(25) == 0 {
			if err := dl.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			dl = openLedger(t, db, "l", consent.WithCompactAfter(7))
		}
	}
	dl.Shutdown(context.Background())
	dl = openLedger(t, db, "l")
	defer dl.Shutdown(context.Background())
	for _, s := range subjects {
		if dl.Erased(s) != ml.Erased(s) {
			t.Errorf("%s: erased %v, memory %v", s, dl.Erased(s), ml.Erased(s))
		}
		for _, p := range purposes {
			if got, want := dl.History(s, p), ml.History(s, p); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s: history\n%v\nwant\n%v", s, p, got, want)
			}
		}
	}
}

// TestLedgerEraseLeavesTheTables: after Erase, the subject's facts are gone
// from the database (the plaintext DB shows it: its records are readable),
// and a reopened ledger still knows the subject as erased.
func TestLedgerEraseLeavesTheTables(t *testing.T) {
	pool := poolIn(t, schema(t))
	db := openDB(t, pool, pgstore.WithPlaintext())
	ctx := context.Background()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	l := openLedger(t, db, "l")
	for _, s := range []string{"erase-me-123", "keep-me-456"} {
		if _, err := l.Record(ctx, consent.Fact{Subject: s, Purpose: consent.PurposeMarketing, Granted: true, Effective: at, Source: consent.SourceCMP}); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Erase(ctx, "erase-me-123", at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	l.Shutdown(context.Background())
	dump := tableText(t, pool)
	if strings.Contains(dump, fmt.Sprintf("%x", "erase-me-123")) {
		t.Fatal("the erased subject's facts are still in the tables")
	}
	if !strings.Contains(dump, fmt.Sprintf("%x", "keep-me-456")) {
		t.Fatal("the other subject's facts are gone too (the scan sees nothing?)")
	}
	l = openLedger(t, db, "l")
	defer l.Shutdown(context.Background())
	if !l.Erased("erase-me-123") || !l.Permits("keep-me-456", consent.PurposeMarketing, at.Add(2*time.Hour)) {
		t.Fatal("after reopening: the erasure or the other subject's grant is lost")
	}
}

// TestLedgerFirstKeyConflict: two ledgers opened on one empty store would
// each write a tombstone key; the second writer's first Append is refused
// with ErrConflict, and a ledger opened afterwards reads the first key.
func TestLedgerFirstKeyConflict(t *testing.T) {
	db := openDB(t, poolIn(t, schema(t)))
	ctx := context.Background()
	late, err := db.ConsentStore(ctx, "l")
	if err != nil {
		t.Fatal(err)
	}
	if err := late.Load(ctx, func([]byte) error { return nil }, func([]byte) error { return nil }); err != nil {
		t.Fatal(err)
	}
	first := openLedger(t, db, "l") // writes its key
	if err := late.Append(ctx, []byte("a second key")); !errors.Is(err, pgstore.ErrConflict) {
		t.Fatalf("second first-write: %v, want ErrConflict", err)
	}
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, err := first.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeAnalytics, Granted: true, Effective: at, Source: consent.SourceCMP}); err != nil {
		t.Fatal(err)
	}
	if err := first.Erase(ctx, "u-1", at.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	first.Shutdown(context.Background())
	again := openLedger(t, db, "l")
	defer again.Shutdown(context.Background())
	if !again.Erased("u-1") { // tombstones match only under the first key
		t.Fatal("a ledger opened after the conflict does not match the first ledger's tombstones")
	}
}
