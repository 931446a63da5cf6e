package connectedtest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
)

func TestRecorderConcurrentSafe(t *testing.T) {
	rec := &connectedtest.Recorder{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 100 {
				_ = rec.Handle(context.Background(), &connected.Record{ID: "x"})
				_ = rec.Len()
				_ = rec.Payloads()
			}
		})
	}
	wg.Wait()
	if rec.Len() != 400 || len(rec.Events()) != 400 {
		t.Fatalf("kept %d", rec.Len())
	}
	rec.Reset()
	if rec.Len() != 0 || rec.Flushes() != 0 {
		t.Fatal("Reset")
	}
}
