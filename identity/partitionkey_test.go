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
