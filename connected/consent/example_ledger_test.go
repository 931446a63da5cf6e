package consent_test

import (
	"context"
	"fmt"
	"os"
	"time"

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
