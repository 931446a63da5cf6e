package inspect

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

func tapOf(t *testing.T, capacity int) *Tap {
	t.Helper()
	tp, err := NewTap(WithCapacity(capacity))
	require.NoError(t, err)
	return tp
}

func fill(tp *Tap, n int) {
	h := tp.Middleware("p")(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }))
	for range n {
		_ = h.Handle(context.Background(), &connected.Record{ID: "x"})
	}
}

func TestTapRingWraps(t *testing.T) {
	tp := tapOf(t, 4)
	assert.Empty(t, tp.Recent(10))
	fill(tp, 3)
	got := tp.Recent(10)
	require.Len(t, got, 3)
	assert.Equal(t, uint64(1), got[0].Seq)
	fill(tp, 7) // 10 in all, 4 kept
	got = tp.Recent(10)
	require.Len(t, got, 4)
	assert.Equal(t, []uint64{7, 8, 9, 10}, []uint64{got[0].Seq, got[1].Seq, got[2].Seq, got[3].Seq})

	// A reader at 2 skipped 3..6 (four records): counted as overwritten.
	out, next, skipped := tp.read(nil, 3, 100)
	assert.Equal(t, uint64(4), skipped)
	assert.Len(t, out, 4)
	assert.Equal(t, uint64(11), next)
	out, next, skipped = tp.read(nil, 11, 100)
	assert.Empty(t, out)
	assert.Zero(t, skipped)
	assert.Equal(t, uint64(11), next)
}

// Writers and readers at once: every reader sees sequence numbers in
// order, and what it saw plus what it skipped is everything written.
func TestTapConcurrentSafe(t *testing.T) {
	tp := tapOf(t, 64)
	const writers, each = 4, 5000
	var wg sync.WaitGroup
	for range writers {
		wg.Go(func() { fill(tp, each) })
	}
	done := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			s, unsubscribe := tp.subscribe()
			defer unsubscribe()
			next, seen, skipped := uint64(1), uint64(0), uint64(0)
			var buf []*Entry
			for {
				var sk uint64
				prev := next
				buf, next, sk = tp.read(buf[:0], next, 16)
				skipped += sk
				for i, e := range buf {
					if i > 0 {
						assert.Greater(t, e.Seq, buf[i-1].Seq)
					}
					assert.GreaterOrEqual(t, e.Seq, prev)
				}
				seen += uint64(len(buf))
				if next > writers*each {
					assert.Equal(t, uint64(writers*each), seen+skipped)
					return
				}
				select {
				case <-s.wake:
				case <-done:
				case <-time.After(10 * time.Millisecond):
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readers.Wait()
	assert.Equal(t, uint64(writers*each), tp.Stats().Recorded)
	assert.Zero(t, tp.Stats().Viewers)
}

func TestTapForwardsFlushAndShutdown(t *testing.T) {
	tp := tapOf(t, 4)
	w, err := transport.NewWriter(&discard{})
	require.NoError(t, err)
	b, err := transport.NewBatcher(w)
	require.NoError(t, err)
	h := tp.Middleware("p")(b)
	require.NoError(t, h.Handle(context.Background(), &connected.Record{ID: "1", Payload: []byte(`{}`)}))
	require.NoError(t, h.(connected.Flusher).Flush(context.Background()))
	assert.Equal(t, uint64(1), b.Stats().Delivered)
	require.NoError(t, h.(connected.Shutdowner).Shutdown(context.Background()))
	assert.ErrorIs(t, b.Handle(context.Background(), &connected.Record{ID: "2"}), transport.ErrClosed)

	plain := tp.Middleware("p")(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil }))
	assert.NoError(t, plain.(connected.Flusher).Flush(context.Background()))
	assert.NoError(t, plain.(connected.Shutdowner).Shutdown(context.Background()))
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }

func TestHistoryAndRates(t *testing.T) {
	var delivered, queue uint64
	hs := newHistory([]statsSource{{"b", func() transport.Stats {
		return transport.Stats{Delivered: delivered, QueueDepth: int(queue)}
	}}}, 3)
	t0 := time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		delivered += 100 * uint64(i)
		queue = uint64(i)
		hs.sample(t0.Add(time.Duration(i) * 5 * time.Second))
	}
	at, st := hs.snapshot()
	require.Len(t, at, 3, "the ring keeps the newest 3")
	assert.Equal(t, t0.Add(10*time.Second), at[0])
	assert.Equal(t, 4, st[2][0].QueueDepth)

	c := makeChart("x", at, []named{{"rate", []float64{0, 60, 80}}})
	assert.Equal(t, "80", c.Series[0].Last)
	assert.Equal(t, "100", c.YTicks[len(c.YTicks)-1].Label)
	pts := c.Series[0].Points
	// plot 56..630 wide, 10..146 high; 60 of 100 is 81.6 up from 146
	assert.Equal(t, "56.0,146.0 343.0,64.4 630.0,37.2", pts)
}

func TestNiceCeil(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		top  float64
		divs int
	}{{0, 5, 5}, {3, 5, 5}, {7, 10, 5}, {11, 20, 4}, {20, 20, 4}, {21, 50, 5}, {950, 1000, 5}, {1001, 2000, 4}} {
		top, divs := niceCeil(tc.in)
		assert.Equal(t, tc.top, top, tc.in)
		assert.Equal(t, tc.divs, divs, tc.in)
	}
	assert.Equal(t, "1234", short(1234))
	assert.Equal(t, "12.3k", short(12345))
	assert.Equal(t, "3.5M", short(3.5e6))
	assert.Equal(t, "0.5", short(0.5))
}

func TestIsPseudonym(t *testing.T) {
	p, err := connected.NewPseudonymizer([]byte("0123456789abcdef"))
	require.NoError(t, err)
	assert.True(t, isPseudonym(p.Pseudonym("x")))
	assert.False(t, isPseudonym("ps1_XYZ"))
	assert.False(t, isPseudonym("ps1_"+"G0000000000000000000000000000000"))
	n := namer{p: p}
	assert.Equal(t, p.Pseudonym("x"), n.id(p.Pseudonym("x")), "already a pseudonym")
	assert.Equal(t, p.Pseudonym("alice"), n.id("alice"))
	assert.Equal(t, "", n.id(""))
}
