// Command peerbench runs one SDK's workload against a loopback sink and
// prints one JSON line of measurements. The driver in the parent directory
// (go test) starts one peerbench process per SDK so that no SDK's memory or
// goroutines affect another's numbers.
//
// Workload: n track events from one goroutine, user id user-(i%1000), event
// bench_evt, four properties (int, two strings, float), then the SDK's
// "close and deliver everything" call.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	posthog "github.com/posthog/posthog-go"
	rudder "github.com/rudderlabs/analytics-go/v4"
	segment "github.com/segmentio/analytics-go/v3"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// Result is what one run measured.
type Result struct {
	SDK         string  `json:"sdk"`
	Mode        string  `json:"mode"`
	N           int     `json:"n"`
	Rate        float64 `json:"rate,omitempty"` // -rate: events per second offered, 0 for a burst
	Seconds     float64 `json:"seconds"`        // first enqueue to the return of close
	EnqueueSecs float64 `json:"enqueue_secs"`   // first enqueue to the last
	Allocs      uint64  `json:"allocs"`         // heap allocations during the run
	AllocBytes  uint64  `json:"alloc_bytes"`    // bytes allocated during the run
	PeakRSSKiB  int64   `json:"peak_rss_kib"`   // VmHWM at the end
	Refused     int     `json:"refused"`        // enqueue calls that returned an error
	CloseErr    string  `json:"close_err,omitempty"`
	Undelivered int     `json:"undelivered"` // Touchpoint: the count in ErrUndelivered
	Pending     int     `json:"pending"`     // Touchpoint spool: records left on disk
	Failed      int64   `json:"failed"`      // Touchpoint: records reported to the failure callbacks
	CPUSecs     float64 `json:"cpu_secs"`    // user+system CPU of this process, first enqueue to the return of close
}

type nopLogger struct{}

func (nopLogger) Logf(string, ...any)   {}
func (nopLogger) Errorf(string, ...any) {}
func (nopLogger) Debugf(string, ...any) {}
func (nopLogger) Warnf(string, ...any)  {}

func main() {
	sdk := flag.String("sdk", "touchpoint", "touchpoint | touchpoint-fields | touchpoint-spool | touchpoint-spool-fields | touchpoint-nogzip | touchpoint-ceiling | segment | posthog | rudder")
	url := flag.String("url", "", "sink URL")
	n := flag.Int("n", 200_000, "events")
	mode := flag.String("mode", "burst", "burst | outage | resume (touchpoint-spool) | stall (touchpoint)")
	dir := flag.String("spool", "", "spool directory (touchpoint-spool)")
	closeTimeout := flag.Duration("close-timeout", 10*time.Second, "Touchpoint Shutdown context")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.IntVar(&queueEvents, "queue", transport.DefaultMaxQueueEvents, "Touchpoint: the Batcher's queue bound in records (bytes scaled from the default bounds)")
	flag.StringVar(&memProfile, "memprofile", "", "write a heap profile to this file after the last enqueue, before close (the stall's peak)")
	flag.IntVar(&paceStep, "step", 500, "with -rate: events between sleeps to the schedule")
	flag.Float64Var(&paceRate, "rate", 0, "events per second, paced in steps of -step events (0: as fast as the SDK takes them)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "peerbench:", err)
			os.Exit(2)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "peerbench:", err)
			os.Exit(2)
		}
		defer pprof.StopCPUProfile()
	}
	if memProfile != "" {
		runtime.MemProfileRate = 1 // every allocation: the profile's in-use figures are exact
	}
	if *url == "" {
		fmt.Fprintln(os.Stderr, "peerbench: -url is required")
		os.Exit(2)
	}
	res := Result{SDK: *sdk, Mode: *mode, N: *n, Rate: paceRate}
	var err error
	switch *sdk {
	case "touchpoint", "touchpoint-fields", "touchpoint-spool", "touchpoint-spool-fields", "touchpoint-nogzip", "touchpoint-ceiling":
		err = runTouchpoint(&res, *url, *dir, *closeTimeout)
	case "segment":
		err = runSegment(&res, *url)
	case "posthog":
		err = runPostHog(&res, *url)
	case "rudder":
		err = runRudder(&res, *url)
	default:
		err = fmt.Errorf("unknown -sdk %q", *sdk)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	res.PeakRSSKiB = peakRSS()
	_ = json.NewEncoder(os.Stdout).Encode(res)
}

// measure runs enqueue(i) for every event and then closeAll, filling the
// timing and allocation fields.
func measure(res *Result, enqueue func(i int) error, closeAll func() error) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0 := cpuSecs()
	start := time.Now()
	for i := range res.N {
		if paceRate > 0 && paceStep > 0 && i%paceStep == 0 {
			if d := time.Until(start.Add(time.Duration(float64(i) / paceRate * float64(time.Second)))); d > 0 {
				time.Sleep(d)
			}
		}
		if enqueue(i) != nil {
			res.Refused++
		}
	}
	res.EnqueueSecs = time.Since(start).Seconds()
	if memProfile != "" {
		writeHeapProfile(memProfile)
	}
	if err := closeAll(); err != nil {
		res.CloseErr = err.Error()
	}
	res.Seconds = time.Since(start).Seconds()
	res.CPUSecs = cpuSecs() - cpu0
	runtime.ReadMemStats(&after)
	res.Allocs = after.Mallocs - before.Mallocs
	res.AllocBytes = after.TotalAlloc - before.TotalAlloc
}

// paceRate is -rate: the producer's pace in events per second, 0 for a
// burst. It sleeps to the schedule every paceStep (-step) events, so an
// SDK meets events as a service sends them, with idle time between,
// instead of as fast as it takes them.
var (
	paceRate float64
	paceStep int
)

// memProfile is the -memprofile file.
var memProfile string

// queueEvents is -queue: the Batcher's queue bound in records.
var queueEvents int

// writeHeapProfile writes the live heap (after a GC) to file, and the
// runtime's memory figures to stderr.
func writeHeapProfile(file string) {
	f, err := os.Create(file)
	if err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
		return
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "peerbench:", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Fprintf(os.Stderr, "peerbench: heap in use %.1f MiB, heap sys %.1f MiB, next GC %.1f MiB, sys %.1f MiB, GCs %d\n",
		float64(ms.HeapInuse)/(1<<20), float64(ms.HeapSys)/(1<<20), float64(ms.NextGC)/(1<<20), float64(ms.Sys)/(1<<20), ms.NumGC)
}

// userIDs are the workload's 1,000 user ids, made once so that no SDK's
// numbers include formatting them.
var userIDs = func() (ids [1000]string) {
	for i := range ids {
		ids[i] = "user-" + strconv.Itoa(i)
	}
	return ids
}()

func userID(i int) string { return userIDs[i%1000] }

// trackEvent is Touchpoint's workload event i.
func trackEvent(i int) connected.Event {
	return connected.Event{UserID: userID(i), Event: "bench_evt", Properties: connected.Properties{
		"n": i, "plan": "pro", "color": "blue", "price": 9.99}}
}

func runTouchpoint(res *Result, url, dir string, closeTimeout time.Duration) error {
	// touchpoint-nogzip sends uncompressed, as Segment's SDK does: the
	// comparison without gzip's CPU cost (on loopback it saves nothing).
	h, err := transport.NewSegment(url, "bench-key", transport.WithGzip(res.SDK != "touchpoint-nogzip"))
	if err != nil {
		return err
	}
	r, err := transport.NewRetry(h)
	if err != nil {
		return err
	}
	// Count what the failure callbacks report: a record the sink refused is
	// accounted for, not delivered, and the driver must not mistake it.
	var failed atomic.Int64
	cb := transport.Callbacks{OnFailure: func(f transport.Failure) { failed.Add(int64(len(f.Records))) }}
	defer func() { res.Failed = failed.Load() }()
	overflow := transport.OverflowBlock // like Segment's blocking Enqueue: nothing dropped
	if res.Mode == "stall" {
		overflow = transport.OverflowDropNewest // a stalled collector must not grow memory
	}
	var next transport.Sender = r
	var sp *spool.Spool
	if strings.HasPrefix(res.SDK, "touchpoint-spool") {
		// The spool's disk bound (256 MiB) blocks as the queue does: a burst
		// longer than the drain keeps up with (1,000,000 events on one
		// core fills it) waits for the drain instead of dropping, which
		// would be cheaper and not the same work.
		if sp, err = spool.Open(dir, r, spool.WithCallbacks(cb), spool.WithOverflow(overflow)); err != nil {
			return err
		}
		next = sp
	}
	qBytes := int(int64(transport.DefaultMaxQueueBytes) * int64(queueEvents) / transport.DefaultMaxQueueEvents)
	b, err := transport.NewBatcher(next, transport.WithOverflow(overflow), transport.WithCallbacks(cb),
		transport.WithQueueLimits(queueEvents, qBytes))
	if err != nil {
		return err
	}
	c, err := connected.New(b)
	if err != nil {
		return err
	}
	ctx := context.Background()
	if res.Mode == "resume" {
		res.N = 0
	}
	enqueue := func(i int) error { return c.Track(ctx, trackEvent(i)) }
	if strings.HasSuffix(res.SDK, "-fields") {
		// The typed-field fast path: the same event without a map.
		enqueue = func(i int) error {
			return c.TrackFields(ctx, "bench_evt", connected.UserID(userID(i)), connected.Int("n", i),
				connected.String("plan", "pro"), connected.String("color", "blue"), connected.Float("price", 9.99))
		}
	}
	if res.SDK == "touchpoint-ceiling" {
		// The delivery path's ceiling: the n records are encoded by Track
		// before the clock starts and handed to the Batcher in the timed
		// loop. What the clock sees is batching, gzip, HTTP and the sink.
		recs := make([]*connected.Record, 0, res.N)
		enc, err := connected.New(connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
			recs = append(recs, r)
			return nil
		}))
		if err != nil {
			return err
		}
		for i := range res.N {
			if err := enc.Track(ctx, trackEvent(i)); err != nil {
				return err
			}
		}
		enqueue = func(i int) error { return b.Handle(ctx, recs[i]) }
	}
	measure(res, enqueue, func() error {
		sctx, cancel := context.WithTimeout(ctx, closeTimeout)
		defer cancel()
		if sp != nil && res.Mode == "resume" {
			for sp.Pending() > 0 && sctx.Err() == nil {
				time.Sleep(5 * time.Millisecond)
			}
		}
		err := c.Shutdown(sctx)
		var ue *transport.UndeliveredError
		if errors.As(err, &ue) {
			res.Undelivered = ue.Count
		}
		if sp != nil {
			res.Pending = sp.Pending()
		}
		return err
	})
	return nil
}

func runSegment(res *Result, url string) error {
	c, err := segment.NewWithConfig("bench-key", segment.Config{Endpoint: url, Logger: nopLogger{}})
	if err != nil {
		return err
	}
	measure(res, func(i int) error {
		return c.Enqueue(segment.Track{UserId: userID(i), Event: "bench_evt", Properties: segment.NewProperties().
			Set("n", i).Set("plan", "pro").Set("color", "blue").Set("price", 9.99)})
	}, c.Close)
	return nil
}

func runPostHog(res *Result, url string) error {
	c, err := posthog.NewWithConfig("bench-key", posthog.Config{Endpoint: url, Logger: nopLogger{}})
	if err != nil {
		return err
	}
	measure(res, func(i int) error {
		return c.Enqueue(posthog.Capture{DistinctId: userID(i), Event: "bench_evt", Properties: posthog.NewProperties().
			Set("n", i).Set("plan", "pro").Set("color", "blue").Set("price", 9.99)})
	}, c.Close)
	return nil
}

func runRudder(res *Result, url string) error {
	c, err := rudder.NewWithConfig("bench-key", rudder.Config{DataPlaneUrl: url, Logger: nopLogger{}})
	if err != nil {
		return err
	}
	measure(res, func(i int) error {
		return c.Enqueue(rudder.Track{UserId: userID(i), Event: "bench_evt", Properties: rudder.NewProperties().
			Set("n", i).Set("plan", "pro").Set("color", "blue").Set("price", 9.99)})
	}, c.Close)
	return nil
}

// cpuSecs returns the user and system CPU this process has used, or 0.
func cpuSecs() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSS returns VmHWM from /proc/self/status in KiB, or -1.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}
