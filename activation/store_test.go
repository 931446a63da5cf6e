package activation

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// storeKinds runs the scenario suite against both stores.
var storeKinds = []struct {
	name string
	open func(t *testing.T, dir string) Store
}{
	{"mem", nil},
	{"file", func(t *testing.T, dir string) Store {
		s, err := OpenFileStore(dir, WithoutSync())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}},
}

// TestRestartGivesSameOutputs: an engine restarted from its store at
// random points (and compacted now and then) announces exactly what an
// engine that never stopped announces, and ends in the same state.
func TestRestartGivesSameOutputs(t *testing.T) {
	set := mustSet(t, storeDefs)
	ctx := context.Background()
	for _, sk := range storeKinds {
		t.Run(sk.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 7))
			ref := newHarness(t, set)
			events := randomEvents(rng, ref, 400, []string{"a", "b", "c"}, 3*24*time.Hour)
			var want []Output
			for _, in := range events {
				out, err := ref.e.Process(ctx, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, out...)
			}
			dir := t.TempDir()
			mem := NewMemStore()
			open := func() *Engine {
				var st Store = mem
				if sk.open != nil {
					st = sk.open(t, dir)
				}
				e, err := New(set, crm, WithStore(st), WithCompactEvery(0))
				if err != nil {
					t.Fatal(err)
				}
				return e
			}
			e := open()
			var got []Output
			for i, in := range events {
				out, err := e.Process(ctx, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, out...)
				if i%97 == 96 {
					if i%2 == 0 {
						if err := e.Compact(ctx); err != nil {
							t.Fatal(err)
						}
					}
					if err := e.Close(); err != nil {
						t.Fatal(err)
					}
					e = open()
				}
			}
			defer e.Close()
			if len(got) != len(want) {
				t.Fatalf("got %d outputs, want %d", len(got), len(want))
			}
			for i := range got {
				if got[i].ID != want[i].ID || got[i].Kind != want[i].Kind || got[i].Reason != want[i].Reason {
					t.Fatalf("output %d: got %s %s %q, want %s %s %q", i, got[i].Kind, got[i].ID, got[i].Reason, want[i].Kind, want[i].ID, want[i].Reason)
				}
			}
			ps := []string{"a", "b", "c"}
			if a, b := snapshotOf(t, e, ps), snapshotOf(t, ref.e, ps); !reflect.DeepEqual(a, b) {
				t.Fatalf("state after restarts differs:\n%+v\n%+v", a, b)
			}
			// Replaying every event again (a spool redelivered) fires nothing.
			for _, in := range events {
				out, err := e.Process(ctx, in, nil)
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range out {
					if o.Kind == ActionFired || o.Kind == AudienceEntered {
						t.Fatalf("replay announced %s %s", o.Kind, o.ID)
					}
				}
			}
		})
	}
}

// TestReplayInputFiresNothing: history marked Replay rebuilds state but
// fires no action; the same instance is not fired later live.
func TestReplayInputFiresNothing(t *testing.T) {
	h := newHarness(t, mustSet(t, storeDefs))
	ctx := context.Background()
	wish := h.input(ev{profile: "p", name: "Product Added to Wishlist", purp: h.all, props: map[string]any{"product_id": "b", "department": "shoes"}})
	enter := h.input(ev{profile: "p", name: "Zone Entered", zone: "shoes", purp: h.all, at: time.Minute})
	for _, in := range []Input{wish, enter} {
		in.Replay = true
		out, err := h.e.Process(ctx, in, nil)
		if err != nil || len(out) != 0 {
			t.Fatalf("replay: %s %v", kinds(out), err)
		}
	}
	out := h.emit(ev{profile: "p", name: "Zone Entered", zone: "shoes", purp: h.all, at: 2 * time.Minute})
	if kinds(out) != "action_refused:wish_reminder("+ReasonReentry+")" {
		t.Fatalf("live after replay: %s", kinds(out))
	}
	if st := h.e.Stats(); st.Fired != 1 {
		t.Errorf("fired %d (the replayed one counts as history)", st.Fired)
	}
}

func TestFileStoreLockedAndCorrupt(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenFileStore(dir); !errors.Is(err, ErrStoreLocked) {
		t.Errorf("second opener: %v", err)
	}
	if err := s.Append(context.Background(), []byte("Zgarbage")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, _ = OpenFileStore(dir)
	_, err = New(mustSet(t, storeDefs), crm, WithStore(s))
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("unknown record: %v", err)
	}
	s.Close()
}

// The kill -9 test: a child process fires actions, writing each fired id
// to a file only after Process returned (the store has it); it is killed
// mid-run. The parent reopens the store and processes every event again
// (the spool redelivers). No action id may appear twice.
const childEnv = "ACTIVATION_KILL_CHILD"

func TestKillDashNineNoDoubleFire(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		runChild(t)
		return
	}
	dir := t.TempDir()
	firedPath := filepath.Join(dir, "fired.txt")
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillDashNineNoDoubleFire$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "progress 300") {
			break
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	fired := readLines(t, firedPath)
	if len(fired) == 0 {
		t.Fatal("the child fired nothing before it was killed")
	}
	st, err := OpenFileStore(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(mustSet(t, killDefs), WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	seen := map[string]bool{}
	for _, id := range fired {
		if seen[id] {
			t.Fatalf("the child fired %s twice", id)
		}
		seen[id] = true
	}
	after := 0
	for _, in := range killEvents() {
		out, err := e.Process(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Kind == ActionFired {
				if seen[o.ID] {
					t.Fatalf("action %s fired again after kill -9 and restart", o.ID)
				}
				seen[o.ID] = true
				after++
			}
		}
	}
	if after == 0 {
		t.Errorf("the restart fired nothing new (the child was killed at the end?)")
	}
	t.Logf("fired %d before the kill, %d after the restart, none twice", len(fired), after)
}

const killDefs = `{"version":1,"journeys":[{"key":"ping","trigger":{"event":"Ping"},"action":{"emit":"Pong"}}]}`

func killEvents() []Input {
	var in []Input
	for i := range 2000 {
		in = append(in, Input{Profile: fmt.Sprint("p", i%50), MessageID: fmt.Sprint("m", i), Time: t0.Add(time.Duration(i) * time.Second),
			Purposes: 1 << 2, Event: &eventPing})
	}
	return in
}

func runChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	st, err := OpenFileStore(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(mustSet(t, killDefs), WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(dir, "fired.txt"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	for i, in := range killEvents() {
		out, err := e.Process(context.Background(), in, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out {
			if o.Kind == ActionFired {
				fmt.Fprintln(f, o.ID) // "delivered"
			}
		}
		if i%100 == 0 {
			fmt.Printf("progress %d\n", i)
		}
	}
	select {} // wait to be killed
}

func readLines(t *testing.T, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(b))
}

// TestFileStoreTornTail: a log that ends in a torn frame (a crash
// mid-append) is cut on open and reported to the truncate handler with the
// bytes cut and a *FormatError; the engine loads what was kept. A closed
// store says ErrClosed.
func TestFileStoreTornTail(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenFileStore(dir, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(context.Background(), []byte("Zkept")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := s.Append(context.Background(), []byte("Zlate")); !errors.Is(err, ErrClosed) {
		t.Errorf("append after close: %v", err)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "*.tpac"))
	var log string
	for _, l := range logs {
		if strings.Contains(filepath.Base(l), "log") {
			log = l
		}
	}
	if log == "" {
		t.Fatalf("no log among %v", logs)
	}
	f, err := os.OpenFile(log, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte{0x09, 0x00, 0x00, 0x00, 'Z', 't', 'o'}) // a frame header promising more than follows
	f.Close()
	var cut int64
	var cause error
	s, err = OpenFileStore(dir, WithTruncateHandler(func(n int64, err error) { cut, cause = n, err }))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if cut != 7 || s.TruncatedBytes() != 7 || !errors.Is(cause, ErrCorrupt) {
		t.Fatalf("cut %d (TruncatedBytes %d), cause %v; want 7 bytes and a *FormatError", cut, s.TruncatedBytes(), cause)
	}
	var kept []string
	err = s.Load(context.Background(), func([]byte) error { return nil }, func(b []byte) error { kept = append(kept, string(b)); return nil })
	if err != nil || len(kept) != 1 || kept[0] != "Zkept" {
		t.Fatalf("after the cut: %q, %v", kept, err)
	}
}
