package plan_test

import (
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

// typicalSpec plans "Order Completed" with 7 properties: one enum, one
// pattern, one range.
func typicalSpec() plan.Spec {
	return plan.Spec{
		Name: "storefront",
		Events: []plan.Event{{
			Name:        "Order Completed",
			Description: "A customer paid for an order, online or at the till.",
			Properties: plan.Object{Properties: []plan.Property{
				{Name: "order_id", Type: plan.TypeString, Required: true, Pattern: `^ord_[0-9a-f]{8}$`},
				{Name: "total", Type: plan.TypeNumber, Required: true, Minimum: plan.Float(0), Maximum: plan.Float(100000)},
				{Name: "currency", Type: plan.TypeString, Required: true, Enum: []any{"EUR", "USD", "GBP"}},
				{Name: "coupon", Type: plan.TypeString | plan.TypeNull},
				{Name: "store_id", Type: plan.TypeString},
				{Name: "items", Type: plan.TypeInteger, Required: true},
				{Name: "gift", Type: plan.TypeBoolean},
			}},
		}},
	}
}

func typicalEvent() connected.Event {
	return connected.Event{
		Type:   connected.TypeTrack,
		Event:  "Order Completed",
		UserID: "user-42",
		Properties: connected.Properties{
			"order_id": "ord_0a1b2c3d",
			"total":    129.90,
			"currency": "EUR",
			"coupon":   nil,
			"store_id": "berlin-01",
			"items":    3,
			"gift":     false,
		},
		OriginalTimestamp: time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),
	}
}

func BenchmarkValidate(b *testing.B) {
	p, err := plan.Compile(typicalSpec())
	if err != nil {
		b.Fatal(err)
	}
	e := typicalEvent()
	r := &connected.Record{ID: "m1", Type: connected.TypeTrack, Event: &e}
	buf := make([]plan.Violation, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		vs, err := p.Validate(r, buf[:0])
		if err != nil || len(vs) != 0 {
			b.Fatal(err, vs)
		}
	}
}
