package activation_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// An engine with one journey: a wished product's department entered.
func Example() {
	set, _ := defs.Decode([]byte(`{"version": 1, "journeys": [{"key": "wish_reminder",
	  "trigger": {"event": "Zone Entered"},
	  "related": {"event": "Product Added to Wishlist", "within": "30d",
	              "match": [{"path": "properties.department", "trigger": "context.location.zone"}]},
	  "action": {"emit": "Offer Triggered", "properties": {"product_id": "$related.properties.product_id"}}}]}`))
	e, _ := activation.New(set)
	ctx := context.Background()
	marketing := e.PurposesOf(consent.PurposeMarketing)
	t := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	e.Process(ctx, activation.Input{Profile: "p_1", MessageID: "m1", Time: t, Purposes: marketing,
		Event: &connected.Event{Event: "Product Added to Wishlist", Properties: connected.Properties{"product_id": "boot-1207", "department": "shoes"}}}, nil)
	out, _ := e.Process(ctx, activation.Input{Profile: "p_1", MessageID: "m2", Time: t.Add(time.Hour), Purposes: marketing,
		Event: &connected.Event{Event: "Zone Entered", Context: connected.Context{Location: connected.Location{Zone: "shoes"}}}}, nil)
	for _, o := range out {
		fmt.Println(o.Kind, o.Event.Event, o.Event.Properties["product_id"], "because", o.Reason)
	}
	// Output:
	// action_fired Offer Triggered boot-1207 because trigger Zone Entered m2 + related Product Added to Wishlist m1
}

// Explain lists the conditions of an audience and the events behind them.
func ExampleEngine_Explain() {
	set, _ := defs.Decode([]byte(`{"version": 1, "audiences": [{"key": "frequent", "where":
	  {"event": {"event": "Application Opened", "within": "7d", "count": {"op": "gte", "value": 2}}}}]}`))
	e, _ := activation.New(set)
	t := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	for i, id := range []string{"a", "b"} {
		e.Process(context.Background(), activation.Input{Profile: "p_1", MessageID: id, Time: t.Add(time.Duration(i) * time.Hour),
			Purposes: e.PurposesOf(consent.PurposeMarketing), Event: &connected.Event{Event: "Application Opened"}}, nil)
	}
	ex, _ := e.Explain("p_1", "frequent")
	fmt.Println(ex.Member)
	for _, c := range ex.Conditions {
		fmt.Println(c.Condition, c.Held, c.Value, c.Events)
	}
	// Output:
	// true
	// Application Opened count gte 2 within 168h0m0s true 2 [a b]
}

// A crash-safe engine: state in a directory, rebuilt on New.
func ExampleOpenFileStore() {
	dir, _ := os.MkdirTemp("", "activation-example")
	defer os.RemoveAll(dir)
	set, _ := defs.Decode([]byte(`{"version": 1, "journeys": [{"key": "ping", "trigger": {"event": "Ping"}, "action": {"emit": "Pong"}}]}`))
	in := activation.Input{Profile: "p_1", MessageID: "m1", Time: time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC),
		Purposes: 1 << 2, Event: &connected.Event{Event: "Ping"}}
	// a log tail torn by a crash mid-write is cut on open and reported
	torn := activation.WithTruncateHandler(func(cut int64, cause error) {
		fmt.Println("cut", cut, "bytes of the state log:", cause)
	})
	for range 2 { // the second run is a restart that sees the same event again
		st, err := activation.OpenFileStore(dir, torn)
		if err != nil {
			panic(err) // errors.Is(err, activation.ErrStoreLocked): another process has dir open
		}
		e, _ := activation.New(set, activation.WithStore(st))
		out, _ := e.Process(context.Background(), in, nil)
		fmt.Println(out[0].Kind, out[0].Reason)
		e.Shutdown(context.Background())
	}
	// Output:
	// action_fired trigger Ping m1
	// action_refused already_fired
}

// The middleware in a pipeline after identity and the consent reader.
func ExampleNewMiddleware() {
	ledger, _ := consent.NewLedger()
	set, _ := defs.Decode([]byte(`{"version": 1}`))
	e, _ := activation.New(set)
	mw, _ := activation.NewMiddleware(e, ledger, activation.WithDecisionHandler(func(o activation.Output) {
		fmt.Println(o.Kind, o.Reason)
	}))
	defer mw.Close()
	_ = connected.WithMiddleware(mw.Middleware()) // after identity's middleware and the reader
	fmt.Println("ready")
	// Output: ready
}

// A central service consuming records from a broker.
func ExampleFromRecord() {
	payload := []byte(`{"type":"track","event":"Zone Entered","userId":"u1","messageId":"m1","originalTimestamp":"2026-11-24T10:00:00.000Z","context":{"location":{"zone":"shoes"}}}`)
	in, err := activation.FromRecord(&connected.Record{Payload: payload})
	fmt.Println(in.Profile, in.MessageID, in.Time.Format(time.RFC3339), in.Event.Context.Location.Zone, err)
	// Output: u1 m1 2026-11-24T10:00:00Z shoes <nil>
}

// A central service whose producers registered a custom channel decodes
// with the same registry.
func ExampleFromRecordWith() {
	channels, _ := connected.NewChannels("contact_center")
	payload := []byte(`{"type":"track","event":"Call Ended","userId":"u1","messageId":"m1","originalTimestamp":"2026-11-24T10:00:00.000Z","context":{"channel":"contact_center"}}`)
	_, err := activation.FromRecord(&connected.Record{Payload: payload})
	fmt.Println("built-in only:", err != nil)
	in, err := activation.FromRecordWith(channels, &connected.Record{Payload: payload})
	fmt.Println(in.Profile, in.Event.Context.Channel, err)
	// Output:
	// built-in only: true
	// u1 contact_center <nil>
}

// Hot reload from a file marketing edits.
func ExampleEngine_ReloadFile() {
	dir, _ := os.MkdirTemp("", "activation-reload")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "activation.json")
	os.WriteFile(path, []byte(`{"version": 1, "audiences": [{"key": "a", "wher": {}}]}`), 0o600)
	e, _ := activation.New(&defs.Set{Version: 1})
	_, err := e.ReloadFile(context.Background(), path, nil)
	fmt.Println(err)
	// Output: defs: audience a: wher: unknown field
}

// ProcessBatch applies a batch of inputs (a consumer's poll) as that many
// Process calls would, with the lock and the write-ahead taken once.
func ExampleEngine_ProcessBatch() {
	set, _ := defs.Decode([]byte(`{"version": 1, "audiences": [{"key": "frequent", "where":
	  {"event": {"event": "Application Opened", "within": "7d", "count": {"op": "gte", "value": 2}}}}]}`))
	e, _ := activation.New(set)
	marketing := e.PurposesOf(consent.PurposeMarketing)
	t := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	var ins []activation.Input
	for i, p := range []string{"p_1", "p_2", "p_1"} {
		ins = append(ins, activation.Input{Profile: p, MessageID: fmt.Sprint("m", i), Time: t.Add(time.Duration(i) * time.Minute),
			Purposes: marketing, Event: &connected.Event{Event: "Application Opened"}})
	}
	out, err := e.ProcessBatch(context.Background(), ins, nil)
	if err != nil {
		fmt.Println(err)
	}
	for _, o := range out {
		fmt.Println(o.Kind, o.Profile, o.Audience)
	}
	ins[1].MessageID = ""
	_, err = e.ProcessBatch(context.Background(), ins, nil)
	fmt.Println(err)
	// Output:
	// audience_entered p_1 frequent
	// activation: input ins[1].MessageID: empty
}
