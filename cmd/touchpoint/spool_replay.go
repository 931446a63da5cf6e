package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

var spoolReplay = &command{
	name: "spool replay", args: "<dir>", nargs: [2]int{1, 1},
	summary: "send a spool's records to an HTTP endpoint, then acknowledge them",
	details: `Opens the spool as a gateway would (spool.Open: it takes the directory's
lock, so stop the gateway first) and drains it into an HTTP sender
(transport.NewSegment, NewRudderStack or NewCloudEvents behind transport.Retry)
until it is empty, --timeout passes or the process is interrupted. Delivered
records are acknowledged and their segments deleted; records the endpoint
rejects (a 4xx answer) are given up on and reported; whatever is not sent stays
on disk for the next replay or the gateway.

Damage found on opening is salvaged as the gateway would salvage it: every
readable record is sent, and the salvage report says how many records were
lost and where (the damage is then marked, so it is reported once).

A progress bar is drawn on standard error when it is a terminal and the
replay runs for more than a second (--progress always|never overrides).

Exits 0 when everything was delivered, 1 when records were rejected, lost or
left on disk.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		o := &replayOpts{}
		fs.StringVar(&o.to, "to", "", "the endpoint's base `URL` (required): Segment or RudderStack base URL, or the CloudEvents endpoint")
		fs.StringVar(&o.api, "api", "segment", "the endpoint's API: segment, rudderstack or cloudevents")
		fs.StringVar(&o.keyFile, "write-key-file", "", "`file` holding the write key (segment, rudderstack)")
		fs.StringVar(&o.ceSource, "ce-source", "", "CloudEvents source attribute (cloudevents; required there)")
		fs.DurationVar(&o.timeout, "timeout", 0, "stop after this long, leaving the rest on disk (0: no limit)")
		fs.StringVar(&o.progress, "progress", "auto", "progress bar on standard error: auto (a terminal, after 1s), always or never")
		fs.IntVar(&o.concurrency, "concurrency", 1, "batches in flight at once (1 keeps spool order; up to 64)")
		return func(c *call, args []string) error { return runSpoolReplay(c, args[0], o) }
	},
}

type replayOpts struct {
	to, api, keyFile, ceSource, progress string
	timeout                              time.Duration
	concurrency                          int
}

// sender builds the HTTP sender of the options.
func (o *replayOpts) sender() (transport.Sender, error) {
	if o.to == "" {
		return nil, usagef("--to is required")
	}
	key := ""
	if o.keyFile != "" {
		b, err := os.ReadFile(o.keyFile)
		if err != nil {
			return nil, usagef("--write-key-file: %v", err)
		}
		key = strings.TrimRight(string(b), "\r\n")
	}
	if key == "" && o.api != "cloudevents" {
		return nil, usagef("--write-key-file is required for --api %s", o.api)
	}
	var (
		h   *transport.HTTP
		err error
	)
	switch o.api {
	case "segment":
		h, err = transport.NewSegment(o.to, key)
	case "rudderstack":
		h, err = transport.NewRudderStack(o.to, key)
	case "cloudevents":
		h, err = transport.NewCloudEvents(o.to, connected.CloudEventsOptions{Source: o.ceSource})
	default:
		return nil, usagef("--api %q: want segment, rudderstack or cloudevents", o.api)
	}
	if err != nil {
		return nil, usagef("%v", err)
	}
	r, err := transport.NewRetry(h)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// replayView is the outcome of a replay.
type replayView struct {
	Endpoint  string         `json:"endpoint"`
	API       string         `json:"api"`
	Delivered uint64         `json:"delivered"`
	Rejected  []rejectedView `json:"rejected"`
	Left      int            `json:"left"` // records still on disk
	Stopped   string         `json:"stopped,omitempty"`
	Salvage   salvageView    `json:"salvage"`
}

type rejectedView struct {
	Reason     string   `json:"reason"`
	Error      string   `json:"error"`
	Records    int      `json:"records"`
	MessageIDs []string `json:"messageIds"`
}

// outcomes collects what the spool's callbacks report, on its dispatcher
// goroutine.
type outcomes struct {
	mu       sync.Mutex
	losses   []spool.Loss
	rejected []rejectedView
	reveal   bool
}

func (o *outcomes) failure(f transport.Failure) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var le *spool.LossError
	if errors.As(f.Err, &le) {
		o.losses = append(o.losses, le.Losses...)
	}
	if len(f.Records) == 0 {
		return
	}
	v := rejectedView{Reason: string(f.Reason), Error: o.errorText(f.Err), Records: len(f.Records)}
	for _, r := range f.Records {
		v.MessageIDs = append(v.MessageIDs, r.ID)
	}
	o.rejected = append(o.rejected, v)
}

// errorText shows an endpoint's error; a response body may echo what was
// sent, so it is shown only with --reveal.
func (o *outcomes) errorText(err error) string {
	if err == nil {
		return ""
	}
	var he *transport.HTTPError
	if errors.As(err, &he) && !o.reveal {
		return fmt.Sprintf("HTTP %d (response body hidden; --reveal shows it)", he.StatusCode)
	}
	return err.Error()
}

func runSpoolReplay(c *call, dir string, o *replayOpts) error {
	switch o.progress {
	case "auto", "always", "never":
	default:
		return usagef("--progress %q: want auto, always or never", o.progress)
	}
	if o.concurrency < 1 || o.concurrency > 64 {
		return usagef("--concurrency %d: want 1 to 64", o.concurrency)
	}
	next, err := o.sender()
	if err != nil {
		return err
	}
	if err := isSpoolDir(dir); err != nil {
		return err
	}
	out := &outcomes{reveal: c.names.reveal}
	sp, err := spool.Open(dir, next,
		spool.WithCallbacks(transport.Callbacks{OnFailure: out.failure}),
		spool.WithDrainOnShutdown(false),
		spool.WithDrainConcurrency(o.concurrency))
	if errors.Is(err, spool.ErrLocked) {
		return fmt.Errorf("%s is open in another process (a running gateway?): stop it first: %w", dir, err)
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	bar := newProgress(c.stderr, o.progress)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	stopped := ""
	for sp.Pending() > 0 && stopped == "" {
		select {
		case <-ctx.Done():
			stopped = "interrupted"
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				stopped = "timeout after " + o.timeout.String()
			}
		case <-tick.C:
			st := sp.Stats()
			bar.draw(settled(st), st.SpoolDepth, st.LastError != "" && st.SpoolDepth > 0)
		}
	}
	bar.draw(settled(sp.Stats()), sp.Pending(), false)
	bar.done()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shutErr := sp.Shutdown(sctx)
	st := sp.Stats()
	out.mu.Lock()
	v := replayView{Endpoint: o.to, API: o.api, Delivered: st.Delivered, Rejected: out.rejected, Left: sp.Pending(),
		Stopped: stopped, Salvage: salvageOf(out.losses, nil, nil)}
	out.mu.Unlock()
	if v.Rejected == nil {
		v.Rejected = []rejectedView{}
	}
	if c.json {
		err = writeJSON(c.stdout, v)
	} else {
		err = v.write(c.stdout)
	}
	if err = errors.Join(err, shutErr); err != nil {
		return err
	}
	var problems []string
	if n := v.rejectedRecords(); n > 0 {
		problems = append(problems, plural(n, "record")+" rejected")
	}
	if v.Salvage.Lost > 0 {
		problems = append(problems, v.Salvage.headline())
	}
	if v.Left > 0 {
		problems = append(problems, plural(v.Left, "record")+" left on disk ("+stopped+")")
	}
	if len(problems) > 0 {
		return &failedError{strings.Join(problems, ", ")}
	}
	return nil
}

func (v replayView) rejectedRecords() int {
	n := 0
	for _, r := range v.Rejected {
		n += r.Records
	}
	return n
}

func (v replayView) write(w io.Writer) error {
	rows := [][]string{
		{"endpoint", v.Endpoint + " (" + v.API + ")"},
		{"delivered", plural(int(v.Delivered), "record")},
		{"rejected", plural(v.rejectedRecords(), "record")},
		{"left on disk", plural(v.Left, "record")},
	}
	if v.Stopped != "" {
		rows = append(rows, []string{"stopped", v.Stopped})
	}
	if err := table(w, rows); err != nil {
		return err
	}
	for _, r := range v.Rejected {
		fmt.Fprintf(w, "  %s: %s: %s: %s\n", r.Reason, plural(r.Records, "record"), r.Error, strings.Join(r.MessageIDs, " "))
	}
	v.Salvage.write(w, "")
	return nil
}

// settled is how many records the drain has settled since the spool was
// opened: delivered, or given up on (and reported). The spool counts a
// batch before it acknowledges it on disk, so once Pending is 0 this is
// every record the replay started with.
func settled(st transport.Stats) int {
	n := int(st.Delivered)
	for _, d := range st.Dropped {
		n += int(d)
	}
	return n
}

// progress draws a progress bar on a terminal.
type progress struct {
	w       io.Writer
	mode    string
	start   time.Time
	drawn   bool
	enabled bool
}

// newProgress returns the bar. Its total is not taken at the start: the
// drain begins when the spool opens, and may have settled records (all of
// them, for a small spool) before the bar exists.
func newProgress(w io.Writer, mode string) *progress {
	p := &progress{w: w, mode: mode, start: time.Now()}
	p.enabled = mode == "always" || (mode == "auto" && isTerminal(w))
	return p
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

const barWidth = 30

// draw shows how many records are done (settled) of done+remaining. While
// the drain runs, a batch counted but not yet acknowledged is in both, so
// the total may be one batch high for a moment; it is exact at the end.
func (p *progress) draw(done, remaining int, retrying bool) {
	total := done + remaining
	if !p.enabled || total == 0 || (p.mode == "auto" && time.Since(p.start) < time.Second && remaining > 0) {
		return
	}
	filled := done * barWidth / total
	line := fmt.Sprintf("\r[%s%s] %d/%d records %3d%%", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled),
		done, total, done*100/total)
	if el := time.Since(p.start).Seconds(); el > 0 && done > 0 {
		rate := float64(done) / el
		line += fmt.Sprintf("  %.0f/s", rate)
		if remaining > 0 {
			line += fmt.Sprintf("  ETA %s", time.Duration(float64(remaining)/rate*float64(time.Second)).Round(time.Second))
		}
	}
	if retrying {
		line += "  (destination failing, retrying)"
	}
	fmt.Fprintf(p.w, "%-100s", line)
	p.drawn = true
}

func (p *progress) done() {
	if p.drawn {
		fmt.Fprintln(p.w)
	}
}
