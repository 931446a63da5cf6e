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
// per request, and the write key as Basic auth user name. Records' payloads
// go into the body byte for byte.
func NewSegment(baseURL, writeKey string, opts ...HTTPOption) (*HTTP, error) {
	if writeKey == "" {
		return nil, errors.New("transport: NewSegment: empty write key")
	}
	return newHTTP(strings.TrimRight(baseURL, "/")+"/v1/batch", segmentFormat{}, basicAuth(writeKey), opts)
}

// NewRudderStack returns an HTTP sender for a RudderStack data plane:
// the Segment /v1/batch body at dataPlaneURL+"/v1/batch", Basic auth with the
// write key, and the "channel":"server" field RudderStack requires added to
// each message (spliced into the payload, not re-marshalled).
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
	return connected.AppendSegmentBatch(dst, recs, sentAt), nil
}

type rudderFormat struct{}

func (rudderFormat) contentType() string { return "application/json" }

const rudderChannel = `"channel":"server",`

func (rudderFormat) appendBody(dst []byte, recs []*connected.Record, sentAt time.Time) ([]byte, error) {
	dst = append(dst, `{"batch":[`...)
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		p := r.Payload
		if len(p) < 2 || p[0] != '{' {
			return dst, errors.New("transport: record " + r.ID + ": payload is not a JSON object")
		}
		dst = append(dst, '{')
		dst = append(dst, rudderChannel...)
		dst = append(dst, p[1:]...)
	}
	dst = append(dst, `],"sentAt":"`...)
	dst = sentAt.UTC().AppendFormat(dst, connected.TimeLayout)
	return append(dst, `"}`...), nil
}
