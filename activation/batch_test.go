package activation

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// TestProcessBatchEqualsProcess: ProcessBatch gives the outputs, state and
// counters of one Process call per input, over the benchmark's workload
// (chunks of 16 read ahead, profiles created inside a chunk).
func TestProcessBatchEqualsProcess(t *testing.T) {
	a, err := New(benchSet(), WithLateness(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(benchSet(), WithLateness(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	g := newBenchGen(300)
	ctx := context.Background()
	var ins []Input
	for range 5000 {
		ins = append(ins, g.next())
	}
	var want []Output
	for _, in := range ins {
		if want, err = a.Process(ctx, in, want); err != nil {
			t.Fatal(err)
		}
	}
	var got []Output
	for lo := 0; lo < len(ins); lo += 37 {
		if got, err = b.ProcessBatch(ctx, ins[lo:min(lo+37, len(ins))], got); err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != len(want) || len(want) == 0 {
		t.Fatalf("%d outputs, want %d", len(got), len(want))
	}
	for i := range want {
		w, o := want[i], got[i]
		w.Event, o.Event = nil, nil
		if !reflect.DeepEqual(w, o) || (want[i].Event == nil) != (got[i].Event == nil) {
			t.Fatalf("output %d: %+v, want %+v", i, o, w)
		}
	}
	if sa, sb := a.Stats(), b.Stats(); sa != sb {
		t.Fatalf("stats %+v, want %+v", sb, sa)
	}
	var bad []Input
	bad = append(bad, ins[0], ins[1])
	bad[1].Time = time.Time{}
	var ie *InputError
	if _, err := b.ProcessBatch(ctx, bad, nil); !errors.As(err, &ie) || !errors.Is(err, ErrInput) || ie.Field != "ins[1].Time" {
		t.Fatalf("bad input: %v", err)
	}
	if b.Stats().Inputs != a.Stats().Inputs {
		t.Fatal("a batch with a bad input was applied in part")
	}
}

// TestTouchLines: touchLines reads one byte of every 64-byte line the
// range spans (every byte is 1, so the sum counts the lines read), for
// every start offset and length.
func TestTouchLines(t *testing.T) {
	buf := make([]byte, 1024)
	for i := range buf {
		buf[i] = 1
	}
	base := uintptr(unsafe.Pointer(&buf[0]))
	for off := range 128 {
		for n := 1; off+n <= len(buf); n++ {
			a := base + uintptr(off)
			lines := (a+uintptr(n)-1)>>6 - a>>6 + 1
			if got := touchLines(unsafe.Pointer(&buf[off]), n); got != uint64(lines) {
				t.Fatalf("touchLines(buf[%d:], %d) read %d lines, want %d", off, n, got, lines)
			}
		}
	}
}
