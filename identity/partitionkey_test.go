package identity_test

import (
	"context"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/connectedtest"
	"github.com/touchpoint-sdk/touchpoint/identity"
)

// The partition-key secret is configured once, on the Client: the
// middleware, given none, keys stitched records with the Client's.
func TestPartitionKeySecretFromClient(t *testing.T) {
	g, err := identity.New([]byte("identity-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Shutdown(context.Background())
	mw, err := identity.NewMiddleware(g, identity.WithoutLinkFacts())
	if err != nil {
		t.Fatal(err)
	}
	rec := &connectedtest.Recorder{}
	secret := []byte("pk-secret-configured-once")
	c, err := connected.New(rec, connected.WithMiddleware(mw.Middleware()), connected.WithPartitionKeySecret(secret))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Shutdown(context.Background())
	if err := c.Track(context.Background(), connected.Event{UserID: "u-1", Event: "Product Viewed"}); err != nil {
		t.Fatal(err)
	}
	got := rec.Records()
	if len(got) != 1 || got[0].ProfileID == "" {
		t.Fatalf("records %v", got)
	}
	if want := connected.PartitionKey(secret, got[0].ProfileID); got[0].PartitionKey != want {
		t.Errorf("partition key %s, want %s (the client's secret over the profile id)", got[0].PartitionKey, want)
	}
}

// TestLinkFactPartitionKey: a link fact's record is keyed over its
// anonymousId as the event is keyed: with the middleware's secret when it
// has one, else with the emitting Client's.
func TestLinkFactPartitionKey(t *testing.T) {
	clientSecret, mwSecret := []byte("client-secret"), []byte("middleware-secret")
	for _, tc := range []struct {
		name string
		opts []identity.MiddlewareOption
		want []byte
	}{
		{"client secret", nil, clientSecret},
		{"middleware secret", []identity.MiddlewareOption{identity.WithPartitionKeySecret(mwSecret)}, mwSecret},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := identity.New([]byte("identity-key-0123456789"))
			if err != nil {
				t.Fatal(err)
			}
			defer g.Shutdown(context.Background())
			facts := &connectedtest.Recorder{}
			mw, err := identity.NewMiddleware(g, append(tc.opts, identity.WithLinkFactHandler(facts))...)
			if err != nil {
				t.Fatal(err)
			}
			c, err := connected.New(&connectedtest.Recorder{}, connected.WithMiddleware(mw.Middleware()),
				connected.WithPartitionKeySecret(clientSecret))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Shutdown(context.Background())
			if err := c.Track(context.Background(), connected.Event{UserID: "u-1", AnonymousID: "a-1", Event: "Signed In"}); err != nil {
				t.Fatal(err)
			}
			got := facts.Records()
			if len(got) != 1 || got[0].AnonymousID == "" {
				t.Fatalf("link facts %v", got)
			}
			if want := connected.PartitionKey(tc.want, got[0].AnonymousID); got[0].PartitionKey != want {
				t.Errorf("link fact partition key %s, want %s", got[0].PartitionKey, want)
			}
		})
	}
}
