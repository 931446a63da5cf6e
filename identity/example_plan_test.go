package identity_test

import (
	"context"
	"fmt"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// A service that must publish what an erasure removes, even if it crashes
// halfway, stores the plan first; the erasure then removes what the plan
// said, and running it again at the same time erases nobody else.
func ExampleGraph_PlanErase() {
	g, _ := identity.New([]byte("example-secret-0123456789"))
	defer g.Close()
	ctx := context.Background()
	g.Link(ctx, identity.Observation{EventID: "e-1", Time: at(1, 9), IDs: []identity.Identifier{
		id(identity.TypeUserID, "alice-42"), id(identity.TypeEmail, "alice@mail.example")}})
	g.Link(ctx, identity.Observation{EventID: "e-2", Time: at(1, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeEmail, "alice@mail.example")}})
	g.Link(ctx, identity.Observation{EventID: "e-3", Time: at(2, 10), IDs: []identity.Identifier{
		id(identity.TypeDeviceID, "family-tablet"), id(identity.TypeEmail, "bob@mail.example")}})

	tablet := id(identity.TypeDeviceID, "family-tablet")
	plan, _ := g.PlanErase(tablet)
	fmt.Println("plan: remove", len(plan.Removed), "keep", len(plan.Retained))

	rep, _ := g.Erase(ctx, tablet, at(5, 0))
	fmt.Println("erase: removed", len(rep.Removed), "as planned:", fmt.Sprint(rep.Removed) == fmt.Sprint(plan.Removed))

	again, _ := g.Erase(ctx, tablet, at(5, 0)) // a rerun of the same erasure
	fmt.Println("rerun: removed", len(again.Removed))
	bob, _ := g.Profile(id(identity.TypeEmail, "bob@mail.example"))
	fmt.Println("Bob keeps", len(bob.Members), "identifiers")
	// Output:
	// plan: remove 2 keep 1
	// erase: removed 2 as planned: true
	// rerun: removed 0
	// Bob keeps 2 identifiers
}
