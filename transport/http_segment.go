package transport

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// NewSegment returns an HTTP sender for Segment's HTTP Tracking API (and the
// many Segment-compatible collectors): each batch is POSTed to
// baseURL+"/v1/batch" as {"batch":[...],"sentAt":"..."} with sentAt stamped
// per request, and the write key as Basic auth user name. Each message is
// the record's payload with its originalTimestamp key renamed to timestamp,
// the field Segment reads the event time from (connected.AppendSegmentBatch
// says why); the body is never longer than the payloads the Batcher counted.
// Bodies are gzipped unless WithGzip(false).
func NewSegment(baseURL, writeKey string, opts ...HTTPOption) (*HTTP, error) {
	if writeKey == "" {
		return nil, errors.New("transport: NewSegment: empty write key")
	}
	return newHTTP(strings.TrimRight(baseURL, "/")+"/v1/batch", segmentFormat{}, basicAuth(writeKey), opts)
}

// NewRudderStack returns an HTTP sender for a RudderStack data plane:
// {"batch":[...]} at dataPlaneURL+"/v1/batch", Basic auth with the write
// key, and in front of each message the "channel":"server" RudderStack
// requires and the request's "sentAt", which RudderStack reads per message
// to correct clock skew (connected.AppendRudderStackBatch; spliced into the
// payload, not re-marshalled). Each message is thus 55 bytes longer than its
// payload: well inside the data plane's 4 MB default request limit at the
// Batcher's default 500,000 bytes. Bodies are gzipped unless WithGzip(false).
func NewRudderStack(dataPlaneURL, writeKey string, opts ...HTTPOption) (*HTTP, error) {
	if writeKey == "" {
		return nil, errors.New("transport: NewRudderStack: empty write key")
	}
	return newHTTP(strings.TrimRight(dataPlaneURL, "/")+"/v1/batch", rudderFormat{}, basicAuth(writeKey), opts)
}

func basicAuth(user string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"))
}

type segmentFormat struct{}

func (segmentFormat) contentType() string { return "application/json" }

func (segmentFormat) appendBody(dst []byte, recs []*connected.Record, sentAt time.Time) ([]byte, error) {
	return connected.AppendSegmentBatch(dst, recs, sentAt)
}

type rudderFormat struct{}

func (rudderFormat) contentType() string { return "application/json" }

func (rudderFormat) appendBody(dst []byte, recs []*connected.Record, sentAt time.Time) ([]byte, error) {
	return connected.AppendRudderStackBatch(dst, recs, sentAt)
}
