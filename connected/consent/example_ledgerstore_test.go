package consent_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// memLedgerStore is a LedgerStore in memory, as a database store would be
// (store/pgstore has one on PostgreSQL).
type memLedgerStore struct {
	mu        sync.Mutex
	snap, log [][]byte
}

func (m *memLedgerStore) Load(_ context.Context, snapshot, log func([]byte) error) error {
	m.mu.Lock()
	snap, lg := slices.Clone(m.snap), slices.Clone(m.log)
	m.mu.Unlock()
	for _, r := range snap {
		if err := snapshot(r); err != nil {
			return err
		}
	}
	for _, r := range lg {
		if err := log(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memLedgerStore) Append(_ context.Context, recs ...[]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, r := range recs {
		m.log = append(m.log, slices.Clone(r))
	}
	return nil
}

func (m *memLedgerStore) Compact(_ context.Context, fill func(emit func([]byte) error) error) error {
	var snap [][]byte
	if err := fill(func(r []byte) error { snap = append(snap, slices.Clone(r)); return nil }); err != nil {
		return err
	}
	m.mu.Lock()
	m.snap, m.log = snap, nil
	m.mu.Unlock()
	return nil
}

func (m *memLedgerStore) Close() error { return nil }

// A ledger on a store of the caller's: every change is written to it first,
// and a ledger opened again on it rebuilds the same history.
func ExampleOpenLedgerStore() {
	ctx := context.Background()
	st := &memLedgerStore{}
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	l, _ := consent.OpenLedgerStore(ctx, st)
	l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: true, Effective: t0, Source: consent.SourceStoreKiosk})
	l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: false, Effective: t0.Add(time.Hour), Source: consent.SourceCMP})
	l.Close()

	l, _ = consent.OpenLedgerStore(ctx, st) // another process, later
	defer l.Close()
	fmt.Println(len(l.History("u-1", consent.PurposeMarketing)), l.Permits("u-1", consent.PurposeMarketing, t0.Add(2*time.Hour)))
	// Output: 2 false
}
