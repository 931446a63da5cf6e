package identity_test

import (
	"context"
	"fmt"
	"os"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

func ExampleGraph_Compact() {
	dir, _ := os.MkdirTemp("", "identity-example")
	defer os.RemoveAll(dir)
	st, _ := identity.OpenFileStore(dir)
	g, _ := identity.New([]byte("example-secret-0123456789"), identity.WithStore(st))
	g.Link(context.Background(), identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	fmt.Println(g.Compact(context.Background()))
	g.Close()
	// Output: <nil>
}

// A gateway restart keeps the graph: the file store is a snapshot plus an
// append-only log.
func ExampleOpenFileStore() {
	dir, _ := os.MkdirTemp("", "identity-example")
	defer os.RemoveAll(dir)
	secret := []byte("example-secret-0123456789")
	ctx := context.Background()

	st, _ := identity.OpenFileStore(dir)
	g, _ := identity.New(secret, identity.WithStore(st))
	res, _ := g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "ios-77"), id(identity.TypeUserID, "alice-42")}})
	g.Close()

	st, _ = identity.OpenFileStore(dir) // after a restart
	g, _ = identity.New(secret, identity.WithStore(st))
	defer g.Close()
	again, _ := g.Resolve(ctx, []identity.Identifier{id(identity.TypeDeviceID, "ios-77")}, at(2, 9))
	fmt.Println(again.ProfileID == res.ProfileID)
	// Output: true
}

func ExampleNewMemStore() {
	st := identity.NewMemStore()
	secret := []byte("example-secret-0123456789")
	g, _ := identity.New(secret, identity.WithStore(st))
	g.Link(context.Background(), identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "u-1"), id(identity.TypeAnonymousID, "a-1")}})
	g.Close()
	snapshot, log := st.Len()
	fmt.Println(snapshot, log)
	g, _ = identity.New(secret, identity.WithStore(st)) // a simulated restart
	fmt.Println(g.Stats().Identifiers)
	// Output:
	// 0 2
	// 2
}
