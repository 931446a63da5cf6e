package transport

import (
	"runtime"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// TestRefusalsYieldToCallback: on one processor, a producer whose every
// record is refused (a stalled collector, OverflowDropNewest) never blocks,
// so without Refused yielding the callback goroutine would not run until
// the scheduler preempts the producer, and every refused record would stay
// in memory until then (peak RSS of the stall benchmark: 100-104 MiB
// without, 78-80 with). The reports must stay near refusedYield records.
func TestRefusalsYieldToCallback(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var mu sync.Mutex
	var total, largest int
	d := NewDispatcher(Callbacks{OnFailure: func(f Failure) {
		mu.Lock()
		total += len(f.Records)
		largest = max(largest, len(f.Records))
		mu.Unlock()
	}})
	r := &connected.Record{ID: "refused"}
	const n = 100_000
	for range n {
		d.Refused(r, ReasonQueueFull)
	}
	d.Close()
	mu.Lock()
	defer mu.Unlock()
	if total != n {
		t.Fatalf("%d refusals reported, want %d", total, n)
	}
	if largest > 2*refusedYield {
		t.Errorf("a report held %d refused records, want at most %d: the callback goroutine did not run while the producer refused", largest, 2*refusedYield)
	}
}
