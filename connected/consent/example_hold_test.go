package consent_test

import (
	"errors"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// A MemoryHold is the HoldStore a destination with OnRefusal Hold uses
// unless it is given another. Past its limits Push refuses with ErrHoldFull;
// Filter removes the records consent has released (or expired).
func ExampleNewMemoryHold() {
	h := consent.NewMemoryHold(consent.HoldLimits{MaxRecords: 2}) // MaxBytes: the default
	held := func(id, payload string) consent.Held {
		return consent.Held{Record: &connected.Record{ID: id, Payload: []byte(payload)},
			Subject: "a-19", Purpose: consent.PurposeAnalytics}
	}
	fmt.Println(h.Push(held("m-1", `{"event":"Banner Shown"}`)))
	fmt.Println(h.Push(held("m-2", `{"event":"Page Viewed"}`)))
	err := h.Push(held("m-3", `{"event":"Product Viewed"}`))
	fmt.Println(errors.Is(err, consent.ErrHoldFull), h.Len(), h.Bytes())

	h.Filter(func(x *consent.Held) bool { return x.Record.ID != "m-1" }) // m-1 released
	fmt.Println(h.Len(), h.Bytes())
	// Output:
	// <nil>
	// <nil>
	// true 2 47
	// 1 23
}
