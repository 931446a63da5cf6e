package spool_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Inspect reads a spool on disk without opening it: what Open would send,
// and what it would report lost.
func ExampleInspect() {
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	// A gateway's spool with three records that were never delivered.
	sp, _ := spool.Open(dir, &sink{fail: down}, spool.WithDrainOnShutdown(false))
	_ = sp.Send(context.Background(), recs(0, 3))
	_ = sp.Shutdown(context.Background())

	in, err := spool.Inspect(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("pending:", in.Pending, "lost:", in.LostRecords())
	_ = in.Walk(func(e spool.Entry) error {
		fmt.Println(e.Seq, e.Record.ID, e.Record.Type)
		return nil
	})
	_, err = os.Stat(filepath.Join(dir, in.Segments[0].Name))
	fmt.Println("segment still there:", err == nil)
	// Output:
	// pending: 3 lost: 0
	// 1 id-000000 track
	// 2 id-000001 track
	// 3 id-000002 track
	// segment still there: true
}
