package consent_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// A gateway keeps its consent ledger on disk: a restart forgets no grant and
// no revocation.
func ExampleOpenLedger() {
	dir, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

	l, _ := consent.OpenLedger(dir)
	l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: true, Effective: t0, Source: consent.SourceAppSetting})
	l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: false, Effective: t0.Add(time.Hour), Source: consent.SourceCMP})
	l.Close()

	l, _ = consent.OpenLedger(dir) // after a restart
	defer l.Close()
	fmt.Println(len(l.History("u-1", consent.PurposeMarketing)), l.Permits("u-1", consent.PurposeMarketing, t0.Add(2*time.Hour)))
	// Output: 2 false
}

// The signals for an event decide over all of its identifiers, as the
// Router does: a grant given on the web under the anonymous id covers the
// event after login.
func ExampleConsentModeForRecord() {
	ctx := context.Background()
	l, _ := consent.NewLedger()
	t := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	l.Record(ctx, consent.Fact{Subject: "anon-7", Purpose: consent.PurposeAnalytics, Granted: true, Effective: t, Source: consent.SourceCMP})
	r := &connected.Record{ID: "m-1", Time: t.Add(time.Hour), UserID: "u-1", AnonymousID: "anon-7", ProfileID: "p_42"}
	fmt.Println(consent.ConsentModeForRecord(l, r).AnalyticsStorage, consent.ConsentModeFor(l, "u-1", r.Time).AnalyticsStorage)
	// Output: granted denied
}

func ExampleLedger_PermitsAny() {
	ctx := context.Background()
	l, _ := consent.NewLedger()
	t := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	l.Record(ctx, consent.Fact{Subject: "anon-7", Purpose: consent.PurposeMarketing, Granted: true, Effective: t, Source: consent.SourceCMP})
	l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeMarketing, Granted: false, Effective: t.Add(time.Minute), Source: consent.SourceAppSetting})
	fmt.Println(l.PermitsAny(consent.PurposeMarketing, t.Add(time.Hour), "anon-7"), l.PermitsAny(consent.PurposeMarketing, t.Add(time.Hour), "u-1", "anon-7"))
	// Output: true false
}

// A Ledger from NewLedger lives in memory only: a purpose with no decision
// in force is denied until a fact grants it. Options that concern the store
// need OpenLedger and are refused with a *ConfigError.
func ExampleNewLedger() {
	ctx := context.Background()
	l, err := consent.NewLedger(consent.WithHistoryLimit(10))
	if err != nil {
		panic(err)
	}
	t := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	fmt.Println(l.Permits("u-1", consent.PurposeAnalytics, t))
	_, _ = l.Record(ctx, consent.Fact{Subject: "u-1", Purpose: consent.PurposeAnalytics, Granted: true, Effective: t, Source: consent.SourceCMP})
	fmt.Println(l.Permits("u-1", consent.PurposeAnalytics, t.Add(time.Minute)))

	_, err = consent.NewLedger(consent.WithLedgerSync(true))
	var ce *consent.ConfigError
	fmt.Println(errors.Is(err, consent.ErrConfig), errors.As(err, &ce), ce.Field)
	// Output:
	// false
	// true
	// true true LedgerOption
}
