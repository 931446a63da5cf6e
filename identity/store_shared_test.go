package identity_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// goldenOps are the operations that wrote testdata/filestore-v1 with the
// file store as it was before it moved onto the shared store
// (internal/durable): Link, Link, Compact, Link, Link.
func goldenOps(t *testing.T, g *identity.Graph) {
	t.Helper()
	ctx := context.Background()
	link := func(ev string, day, hour int, ids ...identity.Identifier) {
		if _, err := g.Link(ctx, identity.Observation{EventID: ev, Time: at(day, hour), IDs: ids}); err != nil {
			t.Fatal(err)
		}
	}
	link("e-1", 1, 9, id(identity.TypeUserID, "alice-42"), id(identity.TypeAnonymousID, "anon-1"))
	link("e-2", 1, 10, id(identity.TypeUserID, "bob-7"), id(identity.TypeDeviceID, "ios-9"))
	if err := g.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	link("e-3", 2, 9, id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "alice@example.com"))
	link("e-4", 2, 10, id(identity.TypeUserID, "bob-7"), id(identity.TypeAnonymousID, "anon-2"))
}

const goldenSecret = "golden-secret-0123456789"

// TestFileStoreReadsVersion1Files opens a store written by the file store
// before it was shared, and rebuilds the same profiles; the same operations
// today write the same bytes.
func TestFileStoreReadsVersion1Files(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"snapshot.tpid", "log-0000000000000001.tpid"} {
		b, err := os.ReadFile(filepath.Join("testdata", "filestore-v1", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := identity.New([]byte(goldenSecret), identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		ids  []identity.Identifier
		want string
	}{
		{[]identity.Identifier{id(identity.TypeAnonymousID, "anon-1")}, "p_a764ac2e7eb150dfd5bc6dedcdf95787"},
		{[]identity.Identifier{id(identity.TypeEmail, "alice@example.com")}, "p_a764ac2e7eb150dfd5bc6dedcdf95787"},
		{[]identity.Identifier{id(identity.TypeDeviceID, "ios-9")}, "p_0a143806e45e588b20b85c0b413b0e51"},
		{[]identity.Identifier{id(identity.TypeAnonymousID, "anon-2")}, "p_0a143806e45e588b20b85c0b413b0e51"},
	} {
		r, err := g.Resolve(ctx, c.ids, at(3, 9))
		if err != nil || r.ProfileID != c.want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", c.ids[0].Type, r.ProfileID, err, c.want)
		}
	}
	g.Close()

	fresh := t.TempDir()
	st, err = identity.OpenFileStore(fresh, identity.WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	g, err = identity.New([]byte(goldenSecret), identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	goldenOps(t, g)
	g.Close()
	for _, name := range []string{"snapshot.tpid", "log-0000000000000001.tpid"} {
		old, _ := os.ReadFile(filepath.Join("testdata", "filestore-v1", name))
		now, err := os.ReadFile(filepath.Join(fresh, name))
		if err != nil || !bytes.Equal(old, now) {
			t.Errorf("%s: today's bytes differ from version 1's (%v)", name, err)
		}
	}
}

// TestFileStoreSecondOpener: one directory, one FileStore; the lock goes
// with Close.
func TestFileStoreSecondOpener(t *testing.T) {
	dir := t.TempDir()
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := identity.OpenFileStore(dir); !errors.Is(err, identity.ErrStoreLocked) {
		t.Fatalf("second OpenFileStore = %v", err)
	}
	st.Close()
	st, err = identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// TestFileStoreTruncateHandler: a cut tail reaches the handler with its
// size and cause.
func TestFileStoreTruncateHandler(t *testing.T) {
	dir := t.TempDir()
	fillStore(t, dir, 2)
	path := logFile(t, dir)
	b, _ := os.ReadFile(path)
	os.WriteFile(path, b[:len(b)-4], 0o600)
	var cut int64
	var cause error
	st, err := identity.OpenFileStore(dir, identity.WithTruncateHandler(func(n int64, err error) { cut, cause = n, err }))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var fe *identity.FormatError
	if cut == 0 || cut != st.TruncatedBytes() || !errors.Is(cause, identity.ErrTruncated) || !errors.As(cause, &fe) || fe.Source != "log" {
		t.Fatalf("handler got %d, %v; TruncatedBytes %d", cut, cause, st.TruncatedBytes())
	}
}
