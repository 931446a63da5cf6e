package touchpoint

import (
	"context"
	"errors"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// TrackZones tracks the zone events of a beacon.Tracker ("Zone Entered",
// "Zone Dwelled", "Zone Exited"), in order. Device identifiers (a phone's
// MAC or IRK, a tag's beacon id) leave only as keyed pseudonyms under the
// Client's device key (see Pseudonymizer); without WithSecret a device
// event is refused with an error matching beacon.ErrNoHashKey, never sent
// in the clear. It offers every event and returns the errors joined; an
// event it could not map is not tracked and its error names why.
func (c *Client) TrackZones(ctx context.Context, zones []beacon.ZoneEvent) error {
	var errs []error
	for i := range zones {
		e, err := zones[i].Event(beacon.EventOptions{Pseudonymizer: c.pseud})
		if err == nil {
			err = c.client.Track(ctx, e)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Attach hands p, a producer of events (an MQTT source, a webhook server),
// to the Client: Shutdown shuts p down first, so that nothing new arrives
// while the pipeline drains, then everything else. Producers attached
// later are shut down first. Attach after Shutdown shuts p down at once
// (with a cancelled context) and returns connected.ErrClosed.
func (c *Client) Attach(p connected.Shutdowner) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return errors.Join(connected.ErrClosed, shutdownNow(p))
	}
	c.producers = append(c.producers, p)
	return nil
}

// producerState is the Client's attached producers.
type producerState struct {
	mu        sync.Mutex
	producers []connected.Shutdowner
	closed    bool
}

// stopProducers shuts the attached producers down, the latest first.
func (c *Client) stopProducers(ctx context.Context) error {
	c.mu.Lock()
	c.closed = true
	ps := c.producers
	c.mu.Unlock()
	var errs []error
	for i := len(ps) - 1; i >= 0; i-- {
		errs = append(errs, ps[i].Shutdown(ctx))
	}
	return errors.Join(errs...)
}
