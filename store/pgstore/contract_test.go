package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/store/pgstore"
)

// recStore is the shape the three stores share (IdentityStore through
// identityAdapter).
type recStore interface {
	Load(ctx context.Context, snapshot, log func([]byte) error) error
	Append(ctx context.Context, recs ...[]byte) error
	Compact(ctx context.Context, fill func(emit func([]byte) error) error) error
	Batch(ctx context.Context, fn func(context.Context) error) error
	Close() error
}

type identityAdapter struct{ *pgstore.IdentityStore }

func (a identityAdapter) Load(ctx context.Context, snapshot, log func([]byte) error) error {
	// identity.Store has one callback; tell snapshot from log by order is
	// impossible, so everything is reported as log here.
	return a.IdentityStore.Load(ctx, log)
}

func contents(t *testing.T, st recStore) (snap, log []string) {
	t.Helper()
	err := st.Load(context.Background(),
		func(r []byte) error { snap = append(snap, string(r)); return nil },
		func(r []byte) error { log = append(log, string(r)); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return snap, log
}

// TestStoreContract checks each store kind, sealed and plaintext, against
// the Store contracts: Load gives the snapshot then the log in order;
// Append copies what it is given; Compact replaces everything with what
// fill emits even when fill reuses one buffer, and changes nothing when
// fill fails; a Compact inside a Batch writes the held records first; after
// Close every method returns ErrClosed.
func TestStoreContract(t *testing.T) {
	pool := poolIn(t, schema(t))
	ctx := context.Background()
	for _, mode := range []string{"sealed", "plaintext"} {
		var opts []pgstore.Option
		if mode == "plaintext" {
			opts = append(opts, pgstore.WithPlaintext())
		}
		db := openDB(t, pool, opts...)
		kinds := map[string]func() recStore{
			"identity": func() recStore {
				st, err := db.IdentityStore(ctx, "contract-"+mode)
				if err != nil {
					t.Fatal(err)
				}
				return identityAdapter{st}
			},
			"consent": func() recStore {
				st, err := db.ConsentStore(ctx, "contract-"+mode)
				if err != nil {
					t.Fatal(err)
				}
				return st
			},
			"activation": func() recStore {
				st, err := db.ActivationStore(ctx, "contract-"+mode)
				if err != nil {
					t.Fatal(err)
				}
				return st
			},
		}
		for kind, open := range kinds {
			t.Run(kind+"/"+mode, func(t *testing.T) {
				st := open()
				contents(t, st)
				rec := []byte("a")
				if err := st.Append(ctx, rec); err != nil {
					t.Fatal(err)
				}
				rec[0] = 'X' // the store kept a copy
				if err := st.Append(ctx, []byte("b"), []byte("c")); err != nil {
					t.Fatal(err)
				}
				if snap, log := contents(t, st); len(snap) != 0 || !slices.Equal(log, []string{"a", "b", "c"}) {
					t.Fatalf("after appends: snapshot %q, log %q", snap, log)
				}
				boom := errors.New("boom")
				if err := st.Compact(ctx, func(emit func([]byte) error) error {
					emit([]byte("never"))
					return boom
				}); !errors.Is(err, boom) {
					t.Fatalf("Compact with a failing fill: %v", err)
				}
				if _, log := contents(t, st); !slices.Equal(log, []string{"a", "b", "c"}) {
					t.Fatalf("a failed Compact changed the log: %q", log)
				}
				if err := st.Compact(ctx, func(emit func([]byte) error) error {
					buf := make([]byte, 2)
					for i := range 3 {
						copy(buf, fmt.Sprint("s", i))
						if err := emit(buf); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				want := []string{"s0", "s1", "s2"}
				snap, log := contents(t, st)
				if kind == "identity" {
					snap, log = log, nil
				}
				if !slices.Equal(snap, want) || len(log) != 0 {
					t.Fatalf("after Compact: snapshot %q, log %q; want %q and nothing", snap, log, want)
				}
				err := st.Batch(ctx, func(ctx context.Context) error {
					if err := st.Append(ctx, []byte("held")); err != nil {
						return err
					}
					return st.Compact(ctx, func(emit func([]byte) error) error { return emit([]byte("s9")) })
				})
				if err != nil {
					t.Fatal(err)
				}
				snap, log = contents(t, st)
				if kind == "identity" {
					snap, log = log, nil
				}
				if !slices.Equal(snap, []string{"s9"}) || len(log) != 0 {
					t.Fatalf("after a Compact inside a Batch: snapshot %q, log %q", snap, log)
				}
				if err := st.Close(); err != nil {
					t.Fatal(err)
				}
				for name, err := range map[string]error{
					"Append":  st.Append(ctx, []byte("z")),
					"Load":    st.Load(ctx, func([]byte) error { return nil }, func([]byte) error { return nil }),
					"Compact": st.Compact(ctx, func(func([]byte) error) error { return nil }),
					"Batch":   st.Batch(ctx, func(context.Context) error { return nil }),
				} {
					if !errors.Is(err, pgstore.ErrClosed) {
						t.Errorf("%s after Close: %v", name, err)
					}
				}
			})
		}
	}
}
