package connectedtest_test

import (
	"context"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

// A Recorder as the sink of a client under test: assert on what your code
// emitted.
func ExampleRecorder() {
	rec := &connectedtest.Recorder{}
	c, _ := connected.New(rec,
		connected.WithClock(connectedtest.Clock(time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC), time.Second)),
		connected.WithIDGenerator(connectedtest.IDs("test")))
	_ = c.Track(context.Background(), connected.Event{UserID: "u1", Event: connected.EventZoneEntered})
	_ = c.Identify(context.Background(), connected.Event{UserID: "u1"})
	_ = c.Shutdown(context.Background())

	for _, r := range rec.Records() {
		fmt.Println(r.ID, r.Type, r.Time.Format(time.TimeOnly))
	}
	fmt.Println("shut down:", rec.Shutdowns())
	// Output:
	// test-1 track 10:30:00
	// test-2 identify 10:30:01
	// shut down: 1
}

// Set Err to test how your code handles a sink that refuses records.
func ExampleRecorder_errors() {
	rec := &connectedtest.Recorder{Err: fmt.Errorf("queue full")}
	c, _ := connected.New(rec)
	err := c.Track(context.Background(), connected.Event{UserID: "u1", Event: "x"})
	fmt.Println(err, rec.Len())
	// Output: queue full 0
}

func ExampleClock() {
	clock := connectedtest.Clock(time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC), time.Minute)
	fmt.Println(clock().Format(time.Kitchen), clock().Format(time.Kitchen))
	// Output: 10:30AM 10:31AM
}

func ExampleIDs() {
	next := connectedtest.IDs("msg")
	fmt.Println(next(), next())
	// Output: msg-1 msg-2
}
