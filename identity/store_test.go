package identity_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); run with -update if the change is intended", name, len(got), len(want))
	}
}

func TestStoreSecretMismatch(t *testing.T) {
	st := identity.NewMemStore()
	g, err := identity.New([]byte("secret-number-one-0123"), identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	g.Link(context.Background(), identity.Observation{EventID: "e", Time: benchT0, IDs: person(1)[:2]})
	g.Close()
	if _, err := identity.New([]byte("secret-number-two-0123"), identity.WithStore(st)); !errors.Is(err, identity.ErrSecretMismatch) {
		t.Fatalf("err = %v, want ErrSecretMismatch", err)
	}
}

// failingStore fails every Append after the first n.
type failingStore struct {
	*identity.MemStore
	n int
}

var errDisk = errors.New("disk full")

func (f *failingStore) Append(ctx context.Context, e ...[]byte) error {
	if f.n <= 0 {
		return errDisk
	}
	f.n--
	return f.MemStore.Append(ctx, e...)
}

// TestWriteAhead: when the store refuses a change, the graph does not
// apply it.
func TestWriteAhead(t *testing.T) {
	fs := &failingStore{MemStore: identity.NewMemStore(), n: 2} // header and one event
	g, err := identity.New(scenarioSecret, identity.WithStore(fs))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := person(7)
	if _, err := g.Link(ctx, identity.Observation{EventID: "e1", Time: benchT0, IDs: p[:2]}); err != nil {
		t.Fatal(err)
	}
	before := g.Profiles()
	if _, err := g.Link(ctx, identity.Observation{EventID: "e2", Time: benchT0, IDs: []identity.Identifier{p[1], p[2]}}); !errors.Is(err, errDisk) {
		t.Fatalf("err = %v", err)
	}
	if err := g.SetLinkConsent(ctx, identity.Consent{ID: p[2], Granted: false, At: benchT0, EventID: "c"}); !errors.Is(err, errDisk) {
		t.Fatalf("consent err = %v", err)
	}
	if _, err := g.Erase(ctx, p[1], benchT0); !errors.Is(err, errDisk) {
		t.Fatalf("erase err = %v", err)
	}
	if after := g.Profiles(); len(after) != len(before) || len(after[0].Members) != 2 || g.Stats().Identifiers != 2 {
		t.Fatalf("the graph changed although the store refused: %+v", after)
	}
}

// TestNoPlaintext: by default neither the store nor the emitted link facts
// contain any identifier value; with WithPlaintext the store does.
func TestNoPlaintext(t *testing.T) {
	values := []string{"alice.plain@mail.example", "user-plain-42", "+14155550123", "anon-plain-7"}
	ids := []identity.Identifier{
		{Type: identity.TypeEmail, Value: values[0]}, {Type: identity.TypeUserID, Value: values[1]},
		{Type: identity.TypePhone, Value: values[2]}, {Type: identity.TypeAnonymousID, Value: values[3]},
	}
	for _, plain := range []bool{false, true} {
		st := identity.NewMemStore()
		opts := []identity.Option{identity.WithStore(st)}
		if plain {
			opts = append(opts, identity.WithPlaintext())
		}
		g, err := identity.New(scenarioSecret, opts...)
		if err != nil {
			t.Fatal(err)
		}
		res, err := g.Link(context.Background(), identity.Observation{EventID: "e1", Time: benchT0, IDs: ids})
		if err != nil {
			t.Fatal(err)
		}
		g.SetLinkConsent(context.Background(), identity.Consent{ID: ids[1], Granted: true, At: benchT0, EventID: "c1"})
		g.Compact(context.Background())
		rec, err := identity.EncodeLinkFact(*res.Fact, "gw", nil)
		if err != nil {
			t.Fatal(err)
		}
		raw := st.Bytes()
		for _, v := range values {
			if bytes.Contains(rec.Payload, []byte(v)) {
				t.Errorf("plaintext=%v: link fact holds %q", plain, v)
			}
			if got := bytes.Contains(raw, []byte(v)); got != plain {
				t.Errorf("plaintext=%v: store holds %q: %v", plain, v, got)
			}
		}
		g.Close()
	}
}

// TestStoreGolden pins the file format: a log written by a fixed sequence
// of changes, byte for byte.
func TestStoreGolden(t *testing.T) {
	dir := t.TempDir()
	st, err := identity.OpenFileStore(dir, identity.WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	g, err := identity.New(scenarioSecret, identity.WithStore(st), identity.WithDefaultRegion("US"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p := person(3)
	g.Link(ctx, identity.Observation{EventID: "0197a3c4-0000-7000-8000-000000000001", Time: benchT0, IDs: p[:3]})
	g.Link(ctx, identity.Observation{EventID: "custom-event-id", Time: benchT0.Add(3e9), IDs: []identity.Identifier{p[3], p[2], {Type: identity.TypeUserID, Value: "undefined"}}})
	g.SetLinkConsent(ctx, identity.Consent{ID: p[2], Granted: true, At: benchT0, EventID: "consent-1"})
	g.Close()
	b, err := os.ReadFile(logFile(t, dir))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "store_v1.log", b)

	// and it loads back
	cp := t.TempDir()
	os.WriteFile(filepath.Join(cp, "log-0000000000000000.tpid"), mustRead(t, filepath.Join("testdata", "golden", "store_v1.log")), 0o600)
	st, err = identity.OpenFileStore(cp)
	if err != nil {
		t.Fatal(err)
	}
	g, err = identity.New(scenarioSecret, identity.WithStore(st), identity.WithDefaultRegion("US"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if s := g.Stats(); s.Identifiers != 5 || s.Facts != 2 || len(g.Profiles()) != 1 {
		t.Fatalf("golden store loads as %+v, %d profiles", s, len(g.Profiles()))
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
