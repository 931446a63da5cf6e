package kafkatransport

import (
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// maxHeaders is the most headers one record gets: eight CloudEvents
// attributes (datacontenttype becomes content-type) and messageId.
const maxHeaders = 10

// valueBytes returns the bytes the header values and keys of batch take, so
// that one buffer per batch holds them all: the id twice (ce_id, messageId),
// the partition key twice (key, ce_partitionkey), the options' strings, and
// 96 bytes for the fixed values (specversion, the type's call name, the
// content type, the time, the data category).
func valueBytes(batch []*connected.Record, ce connected.CloudEventsOptions) int {
	per := 96 + len(ce.Source) + len(ce.TypePrefix) + len(connected.DefaultCloudEventsTypePrefix) + len(ce.DataSchema)
	n := 0
	for _, r := range batch {
		n += per + 2*len(r.ID) + 2*len(r.PartitionKey)
	}
	return n
}

// appendHeaders appends r's Kafka headers to hdrs, their values to vals,
// and returns both. Values are sub-slices of vals; a reallocation of vals
// leaves the earlier sub-slices valid (they keep the old array), so every
// header stays correct. On error hdrs and vals are returned unchanged.
func appendHeaders(hdrs []kgo.RecordHeader, vals []byte, r *connected.Record, ce connected.CloudEventsOptions) ([]kgo.RecordHeader, []byte, error) {
	h0, v0 := len(hdrs), len(vals)
	err := connected.CloudEventAttributes(r, ce, func(name, value string) {
		start := len(vals)
		vals = append(vals, value...)
		v := vals[start:len(vals):len(vals)]
		if name == "datacontenttype" {
			hdrs = append(hdrs, kgo.RecordHeader{Key: "content-type", Value: v})
			return
		}
		hdrs = append(hdrs, kgo.RecordHeader{Key: ceHeader(name), Value: v})
	})
	if err != nil {
		return hdrs[:h0], vals[:v0], err
	}
	start := len(vals)
	vals = append(vals, r.ID...)
	hdrs = append(hdrs, kgo.RecordHeader{Key: MessageIDHeader, Value: vals[start:len(vals):len(vals)]})
	return hdrs, vals, nil
}

// ceHeader returns "ce_"+name without allocating for the attributes
// connected emits.
func ceHeader(name string) string {
	switch name {
	case "specversion":
		return "ce_specversion"
	case "id":
		return "ce_id"
	case "source":
		return "ce_source"
	case "type":
		return "ce_type"
	case "dataschema":
		return "ce_dataschema"
	case "time":
		return "ce_time"
	case "datacategory":
		return "ce_datacategory"
	case "partitionkey":
		return "ce_partitionkey"
	}
	return "ce_" + name
}
