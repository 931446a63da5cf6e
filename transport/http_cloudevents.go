package transport

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// NewCloudEvents returns an HTTP sender that POSTs each batch to endpoint in
// CloudEvents batched mode: a JSON array of structured CloudEvents, media
// type application/cloudevents-batch+json. Each event's data is the record's
// Segment payload. Batched mode must only be used with a receiver that asked
// for it (CloudEvents HTTP binding). Add authentication with WithHeader.
func NewCloudEvents(endpoint string, ce connected.CloudEventsOptions, opts ...HTTPOption) (*HTTP, error) {
	if err := ce.Validate(); err != nil {
		return nil, err
	}
	return newHTTP(endpoint, cloudEventsFormat{o: ce}, "", opts)
}

type cloudEventsFormat struct{ o connected.CloudEventsOptions }

func (cloudEventsFormat) contentType() string { return connected.CloudEventsBatchContentType }

func (f cloudEventsFormat) appendBody(dst []byte, recs []*connected.Record, _ time.Time) ([]byte, error) {
	return connected.AppendCloudEventsBatch(dst, recs, f.o)
}
