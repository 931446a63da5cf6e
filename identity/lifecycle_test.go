package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// Shutdown is the graph's lifecycle verb: idempotent, and afterwards the
// graph refuses work with ErrClosed. Close, deprecated, is the same call.
func TestGraphShutdown(t *testing.T) {
	ctx := context.Background()
	for _, viaClose := range []bool{false, true} {
		g, err := identity.New([]byte("identity-key-0123456789"))
		if err != nil {
			t.Fatal(err)
		}
		if viaClose {
			err = g.Close()
		} else {
			err = g.Shutdown(ctx)
		}
		if err != nil {
			t.Fatalf("first shutdown: %v", err)
		}
		if err := g.Shutdown(ctx); err != nil {
			t.Errorf("second Shutdown: %v", err)
		}
		_, err = g.Link(ctx, identity.Observation{EventID: "e", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), IDs: []identity.Identifier{{Type: identity.TypeUserID, Value: "u"}}})
		if !errors.Is(err, identity.ErrClosed) {
			t.Errorf("Link after shutdown (via Close %v) = %v, want ErrClosed", viaClose, err)
		}
	}
}
