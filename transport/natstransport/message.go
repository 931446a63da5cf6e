package natstransport

import (
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// maxHeaders is the most headers one message gets: eight CloudEvents
// attributes (datacontenttype becomes Content-Type) and Nats-Msg-Id.
const maxHeaders = 10

// message builds r's NATS message. vals (length maxHeaders) backs the
// header values, one element each, so that the header map is the only
// per-record allocation besides the message itself.
func (s *Sender) message(r *connected.Record, vals []string) (*nats.Msg, error) {
	if !checkToken(string(r.Category)) || !checkToken(string(r.Type)) || !checkToken(r.PartitionKey) {
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
		set(ceHeader(name), value)
	})
	if err != nil {
		return nil, err
	}
	set(jetstream.MsgIDHeader, r.ID)
	return &nats.Msg{Subject: s.subj.expand(r), Header: h, Data: r.Payload}, nil
}

// ceHeader returns the NATS header of a CloudEvents attribute: "ce-"+name,
// except datacontenttype, which travels as "content-type" (the binding's
// rule, which the CloudEvents SDKs read). It does not allocate for the
// attributes connected emits.
func ceHeader(name string) string {
	switch name {
	case "datacontenttype":
		return "content-type"
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
