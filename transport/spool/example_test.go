package spool_test

import (
	"context"
	"fmt"
	"os"
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
	// Output: 44 44 m1 {} <nil>
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
