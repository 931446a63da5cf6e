package consent

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// stripPrefix domain-separates the hash that replaces anonymousId.
const stripPrefix = "touchpoint/consent/strip/v1\x00"

// strip returns a non-identifying copy of r: see Strip. It fails for alias
// and group events (their ids are the point of the event) and for records
// without an Event.
func strip(r *connected.Record) (*connected.Record, bool) {
	if r.Event == nil {
		return nil, false
	}
	e := *r.Event
	switch e.Type {
	case connected.TypeTrack, connected.TypePage, connected.TypeScreen, connected.TypeIdentify:
	default:
		return nil, false
	}
	sum := sha256.Sum256([]byte(stripPrefix + r.ID))
	e.AnonymousID = "stripped-" + hex.EncodeToString(sum[:16])
	e.UserID = ""
	e.PreviousID = ""
	e.Traits = nil
	e.Context.IP = ""
	e.Context.UserAgent = ""
	e.Context.Device.ID = ""
	e.Context.ExternalIDs = nil
	e.Context.Location.Geo = nil
	payload, err := connected.AppendSegment(make([]byte, 0, len(r.Payload)), &e)
	if err != nil {
		return nil, false
	}
	return &connected.Record{
		ID:           r.ID,
		Type:         r.Type,
		Time:         r.Time,
		Category:     r.Category,
		PartitionKey: connected.PartitionKey(nil, e.AnonymousID),
		AnonymousID:  e.AnonymousID,
		Payload:      payload,
		Event:        &e,
	}, true
}
