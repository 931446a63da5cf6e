package consent_test

import (
	"context"
	"errors"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// TestOpenLedgerStore: a ledger on a caller's LedgerStore keeps its tombstone
// key, facts and erasures across reopenings, compacts it after
// WithCompactAfter facts, erases a subject from it at once, and refuses a nil
// store and the file store's options.
func TestOpenLedgerStore(t *testing.T) {
	ctx := context.Background()
	st := &memLedgerStore{}
	l, err := consent.OpenLedgerStore(ctx, st, consent.WithCompactAfter(3))
	noErr(t, err, "OpenLedgerStore")
	for i := range 5 {
		_, err := l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeAnalytics, Granted: i%2 == 0, Effective: at(i), Source: consent.SourceCMP})
		noErr(t, err, "Record")
	}
	_, err = l.Record(ctx, consent.Fact{Subject: "u-2", Purpose: consent.PurposeMarketing, Granted: true, Effective: at(1), Source: consent.SourceCMP})
	noErr(t, err, "Record")
	if len(st.snap) == 0 {
		t.Fatal("no compaction after 6 facts with WithCompactAfter(3)")
	}
	noErr(t, l.Close())

	l, err = consent.OpenLedgerStore(ctx, st)
	noErr(t, err, "reopen")
	equal(t, 5, len(l.History("u-1", consent.PurposeAnalytics)), "u-1 history")
	equal(t, true, l.Permits("u-2", consent.PurposeMarketing, at(2)), "u-2 marketing")
	noErr(t, l.Erase(ctx, "u-2", at(3)))
	for _, r := range append(st.snap, st.log...) {
		if containsString(r, "u-2") {
			t.Fatal("the erased subject's id is still in the store")
		}
	}
	noErr(t, l.Close())
	l, err = consent.OpenLedgerStore(ctx, st)
	noErr(t, err, "reopen")
	equal(t, true, l.Erased("u-2"), "u-2 erased")
	noErr(t, l.Close())

	var ce *consent.ConfigError
	if _, err := consent.OpenLedgerStore(ctx, nil); !errors.As(err, &ce) {
		t.Errorf("nil store: %v, want *ConfigError", err)
	}
	if _, err := consent.OpenLedgerStore(ctx, &memLedgerStore{}, consent.WithLedgerSync(false)); !errors.As(err, &ce) {
		t.Errorf("WithLedgerSync: %v, want *ConfigError", err)
	}
}

func containsString(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}
