package transport_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// With WithDurable, Handle (and so Client.Track) returns only once the
// record is in the spool: here the collector is down, and the record is on
// disk the moment Handle returns.
func ExampleWithDurable() {
	dir, _ := os.MkdirTemp("", "durable-example")
	defer os.RemoveAll(dir)
	down := transport.SenderFunc(func(context.Context, []*connected.Record) error {
		return &transport.HTTPError{StatusCode: 503}
	})
	sp, _ := spool.Open(dir, down, spool.WithDrainBackoff(time.Millisecond, time.Millisecond))
	b, _ := transport.NewBatcher(sp, transport.WithDurable(true))
	err := b.Handle(context.Background(), &connected.Record{ID: "m1", Type: connected.TypeTrack, Payload: []byte(`{"type":"track"}`)})
	fmt.Println(err, "on disk:", sp.Pending())

	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_ = b.Shutdown(short) // the spool keeps the record for the next Open
	// Output: <nil> on disk: 1
}
