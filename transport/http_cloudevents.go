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
//
// Bodies go uncompressed by default: the CloudEvents HTTP binding says
// nothing of Content-Encoding, and receivers built on the CloudEvents SDKs
// (the Go SDK's NewEventsFromHTTPRequest among them) read the body as JSON
// without decoding it, so they reject every gzipped batch. WithGzip(true)
// compresses; use it only with a receiver known to accept
// Content-Encoding: gzip (a proxy or gateway that inflates requests).
//
// ce is checked with CloudEventsOptions.Validate; its error is returned.
func NewCloudEvents(endpoint string, ce connected.CloudEventsOptions, opts ...HTTPOption) (*HTTP, error) {
	if err := ce.Validate(); err != nil {
		return nil, err
	}
	// identity encoding unless the caller's options say otherwise (the last
	// option wins)
	opts = append([]HTTPOption{WithGzip(false)}, opts...)
	return newHTTP(endpoint, cloudEventsFormat{o: ce}, "", opts)
}

type cloudEventsFormat struct{ o connected.CloudEventsOptions }

func (cloudEventsFormat) contentType() string { return connected.CloudEventsBatchContentType }

func (f cloudEventsFormat) appendBody(dst []byte, recs []*connected.Record, _ time.Time) ([]byte, error) {
	return connected.AppendCloudEventsBatch(dst, recs, f.o)
}
