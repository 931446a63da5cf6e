package natstransport

import (
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// maxHeaders is the most headers one message gets: nine CloudEvents
// attributes and Nats-Msg-Id.
const maxHeaders = 10

// message builds r's NATS message. vals (length maxHeaders) backs the
// header values, one element each, so that the header map is the only
// per-record allocation besides the message itself.
func (s *Sender) message(r *connected.Record, vals []string) (*nats.Msg, error) {
	if !s.subj.Fits(r) {
		return nil, fmt.Errorf("natstransport: record %s: category, type or partition key cannot stand in a subject", r.ID)
	}
	h := make(nats.Header, maxHeaders)
	n := 0
	set := func(key, v string) {
		vals[n] = v
		h[key] = vals[n : n+1 : n+1]
		n++
	}
	err := connected.CloudEventAttributes(r, s.ce, func(name, value string) {
		set(ceHeader(name), percentEncode(value))
	})
	if err != nil {
		return nil, err
	}
	set(jetstream.MsgIDHeader, r.ID)
	return &nats.Msg{Subject: s.subj.Expand(r), Header: h, Data: r.Payload}, nil
}

// ceHeader returns the NATS header of a CloudEvents attribute: "ce-"+name
// for every attribute, datacontenttype included (the NATS protocol binding,
// section 3.1.3.1, maps it to ce-datacontenttype; a Content-Type header of
// application/cloudevents would mark structured mode instead). It does not
// allocate for the attributes connected emits.
func ceHeader(name string) string {
	switch name {
	case "datacontenttype":
		return "ce-datacontenttype"
	case "specversion":
		return "ce-specversion"
	case "id":
		return "ce-id"
	case "source":
		return "ce-source"
	case "type":
		return "ce-type"
	case "dataschema":
		return "ce-dataschema"
	case "time":
		return "ce-time"
	case "datacategory":
		return "ce-datacategory"
	case "partitionkey":
		return "ce-partitionkey"
	}
	return "ce-" + name
}

// percentEncode encodes a CloudEvents attribute value for a NATS header
// (NATS protocol binding 3.1.3.2): space, double quote, percent and every
// byte outside printable ASCII (U+0021-U+007E; so each byte of a non-ASCII
// character's UTF-8 encoding) become %XY with upper-case hex digits. A value
// that needs none of it is returned as it is, without allocating.
func percentEncode(v string) string {
	n := 0
	for i := 0; i < len(v); i++ {
		if pctNeeded(v[i]) {
			n++
		}
	}
	if n == 0 {
		return v
	}
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(v)+2*n)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if pctNeeded(c) {
			b = append(b, '%', hex[c>>4], hex[c&0xf])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

func pctNeeded(c byte) bool { return c <= ' ' || c >= 0x7f || c == '"' || c == '%' }
