package main

import (
	_ "embed"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// activation.json is what marketing edits: the wish-list reminder, the
// frequent-visitor audience, the click-and-collect pickup and the offer to
// order a dress tried on in AR (under the attention purpose only). A store
// gateway would load it from disk with defs.Load and call
// Engine.ReloadFile when it changes; the demo embeds it.
//
//go:embed activation.json
var activationDefs []byte

// purposeFulfilment is the custom purpose of click-and-collect: the
// customer agrees at checkout that the store prepares the order when the
// car is near.
const purposeFulfilment consent.Purpose = "fulfilment"

// decisions keeps what the activation engine decided, for the report.
type decisions struct {
	mu  sync.Mutex
	all []activation.Output
}

func (d *decisions) add(o activation.Output) {
	d.mu.Lock()
	d.all = append(d.all, o)
	d.mu.Unlock()
}

func newActivation() (*activation.Engine, error) {
	set, err := defs.Decode(activationDefs)
	if err != nil {
		return nil, err
	}
	// The store is memory only in the demo; a gateway passes
	// activation.WithStore(activation.OpenFileStore(dir)) so that a restart
	// neither forgets wishes nor fires an offer twice.
	return activation.New(set)
}
