package activation_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// New compiles a definition set. A journey whose action names a Go handler
// needs that handler registered: without it New refuses the set, naming
// the journey and the field.
func ExampleNew() {
	set, err := defs.Decode([]byte(`{"version": 1, "journeys": [{"key": "pickup",
	  "trigger": {"event": "Vehicle Approaching"},
	  "action": {"handler": "prepare_order"}}]}`))
	if err != nil {
		panic(err)
	}
	_, err = activation.New(set)
	var de *defs.Error
	fmt.Println(errors.As(err, &de), de.Kind, de.Key, de.Field)

	e, err := activation.New(set, activation.WithHandler("prepare_order",
		func(ctx context.Context, o activation.Output) error { return nil }))
	if err != nil {
		panic(err)
	}
	defer e.Close()
	fmt.Println(e.Stats().Inputs)
	// Output:
	// true journey pickup action.handler
	// 0
}

// A MemStore keeps an engine's state for the next engine in the same
// process: the second engine starts with the first one's audience
// members.
func ExampleNewMemStore() {
	set, err := defs.Decode([]byte(`{"version": 1, "audiences": [{"key": "frequent", "where":
	  {"event": {"event": "Application Opened", "within": "7d", "count": {"op": "gte", "value": 2}}}}]}`))
	if err != nil {
		panic(err)
	}
	store := activation.NewMemStore()
	first, err := activation.New(set, activation.WithStore(store))
	if err != nil {
		panic(err)
	}
	t := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"m1", "m2"} {
		if _, err := first.Process(context.Background(), activation.Input{Profile: "p_1", MessageID: id,
			Time: t.Add(time.Duration(i) * time.Hour), Purposes: first.PurposesOf(consent.PurposeMarketing),
			Event: &connected.Event{Event: "Application Opened"}}, nil); err != nil {
			panic(err)
		}
	}
	if err := first.Close(); err != nil {
		panic(err)
	}

	second, err := activation.New(set, activation.WithStore(store))
	if err != nil {
		panic(err)
	}
	defer second.Close()
	ex, found := second.Explain("p_1", "frequent")
	fmt.Println(found, ex.Member)
	// Output: true true
}

// ActionID is deterministic: the same journey, profile and triggering
// events give the same id, so a sink drops an action it has seen, and any
// other part gives another.
func ExampleActionID() {
	a := activation.ActionID("wish_reminder", "p_1", "m2", "m1")
	fmt.Println(len(a), a[:4], a == activation.ActionID("wish_reminder", "p_1", "m2", "m1"),
		a == activation.ActionID("wish_reminder", "p_1", "m3", "m1"))
	// Output: 36 act_ true false
}
