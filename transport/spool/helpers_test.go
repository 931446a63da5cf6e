package spool_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func rec(i int) *connected.Record {
	id := fmt.Sprintf("id-%06d", i)
	return &connected.Record{
		ID: id, Type: connected.TypeTrack, Time: t0.Add(time.Duration(i) * time.Millisecond),
		Category: connected.CategoryLocation, PartitionKey: fmt.Sprintf("pk%02d", i%13), ProfileID: "prof",
		Payload: fmt.Appendf(nil, `{"type":"track","messageId":%q,"userId":"u","event":"Zone Entered"}`, id),
	}
}

// markedRec is rec(i) with an originalTimestamp key and marks, as a
// Client's record has them.
func markedRec(i int) *connected.Record {
	r := rec(i)
	r.Payload = fmt.Appendf(nil, `{"type":"track","messageId":%q,"userId":"u","event":"Zone Entered","originalTimestamp":"2026-11-24T10:30:00.000Z"}`, r.ID)
	if !r.SetMarks(bytes.Index(r.Payload, []byte(`"originalTimestamp"`)), -1) {
		panic("markedRec: SetMarks refused")
	}
	return r
}

func recs(from, n int) []*connected.Record {
	out := make([]*connected.Record, n)
	for i := range out {
		out[i] = rec(from + i)
	}
	return out
}

func wantIDs(from, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("id-%06d", from+i)
	}
	return out
}

// sink is a Sender that records ids, optionally failing.
type sink struct {
	mu   sync.Mutex
	got  []string
	recs []*connected.Record
	fail func(batch []*connected.Record) error
	sent chan struct{} // optional: signalled after every successful Send
}

func (s *sink) Send(ctx context.Context, batch []*connected.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	f := s.fail
	s.mu.Unlock()
	if f != nil {
		if err := f(batch); err != nil {
			return err
		}
	}
	s.mu.Lock()
	for _, r := range batch {
		s.got = append(s.got, r.ID)
		s.recs = append(s.recs, r)
	}
	s.mu.Unlock()
	if s.sent != nil {
		select {
		case s.sent <- struct{}{}:
		default:
		}
	}
	return nil
}

func (s *sink) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.got)
}

func (s *sink) setFail(f func([]*connected.Record) error) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

func down([]*connected.Record) error { return &transport.HTTPError{StatusCode: 503} }

func open(t *testing.T, dir string, next transport.Sender, opts ...spool.Option) *spool.Spool {
	t.Helper()
	opts = append([]spool.Option{spool.WithDrainBackoff(time.Millisecond, 5*time.Millisecond)}, opts...)
	sp, err := spool.Open(dir, next, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Shutdown(ctxTimeout(t, 5*time.Second)) })
	return sp
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// waitFor polls cond until it holds or ten seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// faultFS wraps a file system and fails writes while full is set.
type faultFS struct {
	spool.FS
	mu       sync.Mutex
	full     bool
	denyOpen bool
}

func (f *faultFS) set(full bool) { f.mu.Lock(); f.full = full; f.mu.Unlock() }

func (f *faultFS) OpenFile(name string, flag int) (spool.File, error) {
	f.mu.Lock()
	deny := f.denyOpen && flag&os.O_CREATE != 0
	f.mu.Unlock()
	if deny {
		return nil, &os.PathError{Op: "open", Path: name, Err: syscall.EACCES}
	}
	file, err := f.FS.OpenFile(name, flag)
	if err != nil {
		return nil, err
	}
	return &faultFile{File: file, fs: f}, nil
}

type faultFile struct {
	spool.File
	fs *faultFS
}

func (f *faultFile) WriteAt(b []byte, off int64) (int, error) {
	f.fs.mu.Lock()
	full := f.fs.full
	f.fs.mu.Unlock()
	if full {
		// Write half, as a disk filling up mid-write does.
		n, _ := f.File.WriteAt(b[:len(b)/2], off)
		return n, &os.PathError{Op: "write", Path: "segment", Err: syscall.ENOSPC}
	}
	return f.File.WriteAt(b, off)
}

// dirFiles lists a directory's entries with their sizes.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s:%d", e.Name(), info.Size()))
	}
	return out
}
