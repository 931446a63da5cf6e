package durable_test

import (
	"context"
	"fmt"
	"os"

	"github.com/touchpoint-sdk/touchpoint/internal/durable"
)

// A store is opened, rebuilt by Replay, written ahead by Append, and
// compacted into a snapshot.
func Example() {
	dir, _ := os.MkdirTemp("", "durable-example")
	defer os.RemoveAll(dir)
	cfg := durable.Config{Name: "EXMP", Ext: "exmp", Schema: 1}
	ctx := context.Background()

	st, _ := durable.Open(dir, cfg)
	st.Append(ctx, []byte("grant u-1 marketing"))
	st.Append(ctx, []byte("deny u-1 marketing"))
	st.Close()

	st, _ = durable.Open(dir, cfg) // after a restart
	defer st.Close()
	print := func(rec []byte) error { fmt.Println(string(rec)); return nil }
	st.Replay(ctx, print, print)
	st.Compact(ctx, func(emit func([]byte) error) error { return emit([]byte("state: u-1 denied marketing")) })
	st.Replay(ctx, print, print)
	// Output:
	// grant u-1 marketing
	// deny u-1 marketing
	// state: u-1 denied marketing
}
