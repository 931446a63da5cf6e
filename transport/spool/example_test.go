package spool_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Store-and-forward: the collector is down while events are spooled; after a
// restart the spool replays them.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "spool-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()

	down := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: 503}
	})
	sp, _ := spool.Open(dir, down, spool.WithDrainBackoff(time.Millisecond, time.Millisecond))
	b, _ := transport.NewBatcher(sp)
	for i := range 3 {
		_ = b.Handle(ctx, &connected.Record{ID: fmt.Sprint("m", i), Type: connected.TypeTrack,
			Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Payload: []byte(`{"type":"track"}`)})
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_ = b.Shutdown(short) // delivers into the spool, which keeps them on disk
	fmt.Println("on disk after shutdown:", sp.Pending())

	up := transport.SenderFunc(func(_ context.Context, batch []*connected.Record) error {
		for _, r := range batch {
			fmt.Println("delivered", r.ID)
		}
		return nil
	})
	sp2, _ := spool.Open(dir, up)
	_ = sp2.Shutdown(ctx) // drains before closing
	fmt.Println("on disk now:", sp2.Pending())
	// Output:
	// on disk after shutdown: 3
	// delivered m0
	// delivered m1
	// delivered m2
	// on disk now: 0
}

func ExampleAppendFrame() {
	r := &connected.Record{ID: "m1", Type: connected.TypeTrack, Payload: []byte(`{}`)}
	b, _ := spool.AppendFrame(nil, r)
	got, n, err := spool.DecodeFrame(b)
	fmt.Println(len(b), n, got.ID, string(got.Payload), err)
	// Output: 46 46 m1 {} <nil>
}

func ExampleDirFS() {
	dir, _ := os.MkdirTemp("", "spool-fs")
	defer os.RemoveAll(dir)
	sp, err := spool.Open("", transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil }),
		spool.WithFS(spool.DirFS(dir)))
	fmt.Println(err)
	_ = sp.Shutdown(context.Background())
	// Output: <nil>
}

// Damage on disk costs only the records it hits: here one byte of the
// middle record is flipped; the others are delivered, and the lost one is
// counted and reported with ReasonCorrupt.
func ExampleLossError() {
	dir, _ := os.MkdirTemp("", "spool-damage")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	down := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: 503}
	})
	sp, _ := spool.Open(dir, down, spool.WithDrainOnShutdown(false))
	for i := range 3 {
		_ = sp.Send(ctx, []*connected.Record{{ID: fmt.Sprint("m", i), Payload: []byte(`{"type":"track"}`)}})
	}
	_ = sp.Shutdown(ctx)

	seg := filepath.Join(dir, "00000000000000000001.seg")
	b, _ := os.ReadFile(seg)
	b[len(b)*3/5] ^= 0x08 // inside the second of three equal frames
	_ = os.WriteFile(seg, b, 0o644)

	// The drain delivers and reports on its own goroutine, so the example
	// gathers what happened and prints it once the spool has shut down.
	var mu sync.Mutex
	var delivered, reported []string
	up := transport.SenderFunc(func(_ context.Context, batch []*connected.Record) error {
		mu.Lock()
		defer mu.Unlock()
		for _, r := range batch {
			delivered = append(delivered, r.ID)
		}
		return nil
	})
	sp2, _ := spool.Open(dir, up, spool.WithCallbacks(transport.Callbacks{OnFailure: func(f transport.Failure) {
		var le *spool.LossError
		mu.Lock()
		defer mu.Unlock()
		reported = append(reported, fmt.Sprint(f.Reason, " ", f.Unreadable, " ", errors.As(f.Err, &le)))
	}}))
	_ = sp2.Shutdown(ctx)
	fmt.Println("delivered:", delivered)
	fmt.Println("reported:", reported)
	fmt.Println("counted:", sp2.Stats().Dropped[transport.ReasonCorrupt])
	// Output:
	// delivered: [m0 m2]
	// reported: [corrupt 1 true]
	// counted: 1
}

// One Spool per directory: a second Open fails until the first shuts down.
func ExampleLockError() {
	dir, _ := os.MkdirTemp("", "spool-lock")
	defer os.RemoveAll(dir)
	ok := transport.SenderFunc(func(context.Context, []*connected.Record) error { return nil })
	sp, _ := spool.Open(dir, ok)
	_, err := spool.Open(dir, ok)
	fmt.Println(errors.Is(err, spool.ErrLocked))
	_ = sp.Shutdown(context.Background())
	sp2, err := spool.Open(dir, ok)
	fmt.Println(err)
	_ = sp2.Shutdown(context.Background())
	// Output:
	// true
	// <nil>
}

// Client.Track that returns only once the event is on disk: a Batcher in
// durable mode in front of the spool. The collector is down; the event is
// in the spool the moment Track returns, and stays there for the next Open.
func ExampleOpen_durableTrack() {
	dir, _ := os.MkdirTemp("", "spool-track")
	defer os.RemoveAll(dir)
	down := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: 503}
	})
	sp, _ := spool.Open(dir, down, spool.WithDrainBackoff(time.Millisecond, time.Millisecond))
	b, _ := transport.NewBatcher(sp, transport.WithDurable(true))
	client, _ := connected.New(b)
	err := client.Track(context.Background(), connected.Event{UserID: "user-42", Event: "Order Completed"})
	fmt.Println(err, "on disk:", sp.Pending())

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_ = client.Shutdown(short)
	// Output: <nil> on disk: 1
}
