package main

import (
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/twmb/franz-go/pkg/kgo"
)

// RecordError says which Kafka record could not be used and why. Err is
// a *connected.DecodeError or *connected.ValidationError for a value that
// is not a valid Segment message, the time.Parse error of a bad ce_time
// header, a *consent.FactError for consent that cannot be recorded, or
// the *activation.InputError of an input the engine refuses.
type RecordError struct {
	Topic     string
	Partition int32
	Offset    int64
	Err       error
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("record %s/%d@%d: %v", e.Topic, e.Partition, e.Offset, e.Err)
}

func (e *RecordError) Unwrap() error { return e.Err }

// recordOf turns a Kafka record that kafkatransport produced back into the
// connected.Record the gateway sent: ID is the ce_id header (empty when
// absent: activation.FromRecord then takes the payload's messageId), Time
// is ce_time (zero when absent: the payload's originalTimestamp), Payload
// is the value (the Segment JSON, not copied) and PartitionKey the key.
// The payload is not decoded here; a ce_time that does not parse is an
// error.
func recordOf(kr *kgo.Record) (*connected.Record, error) {
	r := &connected.Record{Payload: kr.Value, PartitionKey: string(kr.Key)}
	for _, h := range kr.Headers {
		switch h.Key {
		case "ce_id":
			r.ID = string(h.Value)
		case "ce_time":
			t, err := time.Parse(connected.TimeLayout, string(h.Value))
			if err != nil {
				return nil, fmt.Errorf("header ce_time: %w", err)
			}
			r.Time = t
		}
	}
	return r, nil
}

// inputOf is recordOf, then activation.FromRecord (which decodes and
// validates the payload), with any error as a *RecordError. Purposes are
// left to the caller.
func inputOf(kr *kgo.Record) (activation.Input, error) {
	r, err := recordOf(kr)
	var in activation.Input
	if err == nil {
		in, err = activation.FromRecord(r)
	}
	if err != nil {
		return in, recordError(kr, err)
	}
	return in, nil
}

func recordError(kr *kgo.Record, err error) *RecordError {
	return &RecordError{Topic: kr.Topic, Partition: kr.Partition, Offset: kr.Offset, Err: err}
}
