package consent_test

import (
	"context"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// printer is a destination that prints what it receives.
func printer(name string) connected.Handler {
	return connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		what := r.Event.Event
		if what == "" {
			what = string(r.Type) + " " + r.Event.Name
		}
		fmt.Printf("  %s <- %s\n", name, what)
		return nil
	})
}

// A workout reaches the wellness destination and is refused by the
// marketing one; a marketing event flows only once consent is granted and
// stops once it is revoked.
func Example() {
	ctx := context.Background()
	ledger, _ := consent.NewLedger()
	router, err := consent.NewRouter(ledger, []byte("example-audit-key-0123456789abcd"), []consent.Destination{
		{Name: "wellness", Purpose: consent.PurposeHealth, Categories: []connected.Category{connected.CategoryHealth}, Handler: printer("wellness")},
		{Name: "marketing", Purpose: consent.PurposeMarketing, Categories: []connected.Category{connected.CategoryBehavioral}, Handler: printer("marketing")},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer router.Shutdown(ctx)

	now := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	client, _ := connected.New(router, connected.WithClock(func() time.Time { return now }))
	defer client.Shutdown(ctx)
	record := func(p consent.Purpose, granted bool) {
		_, _ = ledger.Record(ctx, consent.Fact{Subject: "runner-7", Purpose: p, Granted: granted, Effective: now, Source: consent.SourceAppSetting, Document: "privacy-2026-04"})
	}
	track := func(name string, cat connected.Category) {
		now = now.Add(time.Minute)
		fmt.Println(name + ":")
		_ = client.Track(ctx, connected.Event{UserID: "runner-7", Event: name, Category: cat})
	}

	record(consent.PurposeHealth, true)
	track(connected.EventWorkoutCompleted, connected.CategoryHealth)
	track(connected.EventProductViewed, connected.CategoryBehavioral)
	record(consent.PurposeMarketing, true)
	track(connected.EventProductViewed, connected.CategoryBehavioral)
	record(consent.PurposeMarketing, false)
	track(connected.EventProductViewed, connected.CategoryBehavioral)

	fmt.Println("marketing refusals:")
	for _, e := range router.Audit() {
		if e.Destination == "marketing" {
			fmt.Println(" ", e.Reason, e.Action)
		}
	}
	// Output:
	// Workout Completed:
	//   wellness <- Workout Completed
	// Product Viewed:
	// Product Viewed:
	//   marketing <- Product Viewed
	// Product Viewed:
	// marketing refusals:
	//   health_to_adtech drop
	//   no_consent drop
	//   denied drop
}

func ExampleLedger_At() {
	ctx := context.Background()
	l, _ := consent.NewLedger()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	// Facts arrive out of order; the answer for a time depends only on them.
	_, _ = l.Record(ctx, consent.Fact{Subject: "u1", Purpose: consent.PurposeLocation, Granted: false, Effective: day(20), Source: consent.SourceStoreKiosk, Jurisdiction: "EU"})
	_, _ = l.Record(ctx, consent.Fact{Subject: "u1", Purpose: consent.PurposeLocation, Granted: true, Effective: day(10), Source: consent.SourceCMP, Document: "v3", Jurisdiction: "EU"})
	for _, d := range []int{5, 15, 25} {
		f, ok := l.At("u1", consent.PurposeLocation, day(d))
		fmt.Printf("Jan %d: in force=%v granted=%v source=%s\n", d, ok, f.Granted, f.Source)
	}
	fmt.Println("permits Jan 15 data now:", l.Permits("u1", consent.PurposeLocation, day(15)))
	// Output:
	// Jan 5: in force=false granted=false source=
	// Jan 15: in force=true granted=true source=cmp
	// Jan 25: in force=true granted=false source=store_kiosk
	// permits Jan 15 data now: false
}

func ExampleLedger_OnChange() {
	ctx := context.Background()
	l, _ := consent.NewLedger()
	// The identity package listens like this to undo links on revocation.
	l.OnChange(func(_ context.Context, c consent.Change) {
		switch {
		case c.Kind == consent.ChangeErased:
			fmt.Println("erase", c.Subject)
		case c.Purpose == consent.PurposeLinking && c.Revoked():
			fmt.Println("undo links of", c.Subject, "made after", c.Fact.Effective.Format(time.DateOnly))
		}
	})
	t := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	_, _ = l.Record(ctx, consent.Fact{Subject: "p-42", Purpose: consent.PurposeLinking, Granted: true, Effective: t, Source: consent.SourceAppSetting})
	_, _ = l.Record(ctx, consent.Fact{Subject: "p-42", Purpose: consent.PurposeLinking, Granted: false, Effective: t.AddDate(0, 1, 0), Source: consent.SourceCallCentre})
	_ = l.Erase(ctx, "p-42", t.AddDate(0, 2, 0))
	fmt.Println("erased:", l.Erased("p-42"))
	// Output:
	// undo links of p-42 made after 2026-03-01
	// erase p-42
	// erased: true
}

func ExampleNewGate() {
	ctx := context.Background()
	ledger, _ := consent.NewLedger()
	gate, err := consent.NewGate(ledger, []byte("example-audit-key-0123456789abcd"), consent.Destination{
		Name: "segment", Purpose: consent.PurposeAnalytics,
		Categories: []connected.Category{connected.CategoryBehavioral},
		OnRefusal:  consent.Hold, // wait for the banner's answer
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer gate.Shutdown(ctx)
	now := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	client, _ := connected.New(printer("segment"), connected.WithMiddleware(gate.Middleware()), connected.WithClock(func() time.Time { return now }))
	defer client.Shutdown(ctx)

	_ = client.Page(ctx, connected.Event{AnonymousID: "a-19", Name: "Home"})
	_ = client.Track(ctx, connected.Event{AnonymousID: "a-19", Event: "Banner Shown"})
	fmt.Println("held:", gate.Stats().Holding)
	_, _ = ledger.Record(ctx, consent.Fact{Subject: "a-19", Purpose: consent.PurposeAnalytics, Granted: true, Effective: now, Source: consent.SourceCMP})
	fmt.Println("released:", gate.Stats().Released)
	// Output:
	// held: 2
	//   segment <- page Home
	//   segment <- Banner Shown
	// released: 2
}

func ExampleNewRouter_strip() {
	ctx := context.Background()
	ledger, _ := consent.NewLedger()
	router, _ := consent.NewRouter(ledger, []byte("example-audit-key-0123456789abcd"), []consent.Destination{{
		Name: "measurement", Purpose: consent.PurposeAnalytics,
		Categories: []connected.Category{connected.CategoryBehavioral},
		OnRefusal:  consent.Strip,
		Handler: connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
			fmt.Println(string(r.Payload))
			return nil
		}),
	}})
	defer router.Shutdown(ctx)
	now := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	client, _ := connected.New(router, connected.WithClock(func() time.Time { return now }),
		connected.WithIDGenerator(func() string { return "0196a1b2-0000-7000-8000-000000000001" }), connected.WithLibrary("example", "1"))
	defer client.Shutdown(ctx)
	_ = client.Track(ctx, connected.Event{
		UserID: "u-77", Event: "Order Completed", Properties: connected.Properties{"total": 59.9},
		Context: connected.Context{IP: "198.51.100.4", Device: connected.Device{ID: "idfa-123", Type: "ios"}},
	})
	// Output:
	// {"type":"track","messageId":"0196a1b2-0000-7000-8000-000000000001","anonymousId":"stripped-213d6b78078ef819ac2aaa6ddda77199","event":"Order Completed","properties":{"total":59.9},"originalTimestamp":"2026-05-04T07:00:00.000Z","context":{"dataCategory":"behavioral","library":{"name":"example","version":"1"},"device":{"type":"ios"}}}
}

func ExampleTag() {
	key := []byte("example-audit-key-0123456789abcd")
	// An auditor with the key finds one subject's entries without the
	// trail ever holding the id.
	fmt.Println(consent.Tag(key, "u-77"))
	// Output:
	// a06a5a7d41f1a69be88689cdb7a394af
}
