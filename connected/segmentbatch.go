package connected

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"time"
)

// Request bodies of the Segment and RudderStack /v1/batch endpoints. The
// two read the event time from different places, so the canonical payload
// (which carries it as originalTimestamp) is adapted per receiver while it is
// framed, by splicing bytes, never by re-marshalling:
//
//   - Segment's HTTP Tracking API takes the event time from each message's
//     "timestamp" (the key Segment's analytics-go writes) and the send time
//     from the batch's "sentAt"; it stores the given timestamp as
//     originalTimestamp and sets timestamp = receivedAt - (sentAt -
//     originalTimestamp), which corrects the sender's clock skew. A message
//     that only carries originalTimestamp gets the time Segment received it.
//     So each Segment message carries the record's time under "timestamp":
//     the payload's top-level originalTimestamp key is renamed, so the body
//     stays within the bytes the Batcher counted (8 bytes shorter per
//     message; adding a key instead would grow every message by 39 bytes,
//     enough to take a full batch past Segment's 500 KB limit).
//   - RudderStack reads originalTimestamp and sentAt from each message, not
//     from the envelope, and computes the same skew correction per message
//     (RudderStack's analytics-go stamps sentAt on every message at send
//     time). So each RudderStack message gets "channel":"server" and the
//     request's "sentAt" in front of its payload; the envelope is
//     {"batch":[...]} alone, as RudderStack's SDK sends it.
//
// In both, a payload with its own top-level "timestamp" (an Event whose
// Timestamp the caller set) keeps it unchanged: receivers use a given
// timestamp as the event time.

// AppendSegmentBatch appends the body of a Segment /v1/batch request,
// {"batch":[message,...],"sentAt":"..."}, to dst. Each message is the
// record's payload with its top-level originalTimestamp key renamed to
// timestamp (see the note above); a payload that has neither key gets
// "timestamp" with the record's Time in front, unless that is zero too (then
// Segment dates the message when it arrives). sentAt is the time of
// sending, stamped per request.
//
// A record whose payload is not a JSON object with at least one key, or
// that carries transport-level keys of its own (sentAt), gives an error that
// matches ErrMalformed and names the record; dst is then returned as it was.
func AppendSegmentBatch(dst []byte, recs []*Record, sentAt time.Time) ([]byte, error) {
	start := len(dst)
	dst = append(dst, `{"batch":[`...)
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		k, err := scanRecord(r)
		if err != nil {
			return dst[:start], err
		}
		p := r.Payload
		switch {
		case k.timestamp >= 0:
			dst = append(dst, p...)
		case k.originalTimestamp >= 0:
			// `"originalTimestamp"` -> `"timestamp"`: the key starts at the
			// quote, the value after it is left as it is.
			dst = append(dst, p[:k.originalTimestamp]...)
			dst = append(dst, `"timestamp"`...)
			dst = append(dst, p[k.originalTimestamp+len(`"originalTimestamp"`):]...)
		case r.Time.IsZero():
			// no time anywhere: Segment dates it when it arrives
			dst = append(dst, p...)
		default:
			dst = append(dst, `{"timestamp":`...)
			dst = appendTime(dst, r.Time)
			dst = append(dst, ',')
			dst = append(dst, p[1:]...)
		}
	}
	dst = append(dst, `],"sentAt":`...)
	dst = appendTime(dst, sentAt)
	return append(dst, '}'), nil
}

// AppendRudderStackBatch appends the body of a RudderStack /v1/batch
// request, {"batch":[message,...]}, to dst. Each message is the record's
// payload with "channel":"server" (which RudderStack requires) and
// "sentAt" (the time of sending, stamped per request) added in front, and
// "originalTimestamp" from the record's Time (if not zero) when the payload
// has neither it nor a timestamp.
// Errors are those of AppendSegmentBatch, and a payload with a top-level
// channel of its own is refused too.
func AppendRudderStackBatch(dst []byte, recs []*Record, sentAt time.Time) ([]byte, error) {
	var buf [64]byte
	prefix := append(buf[:0], `{"channel":"server","sentAt":`...)
	prefix = appendTime(prefix, sentAt)
	prefix = append(prefix, ',')
	start := len(dst)
	dst = append(dst, `{"batch":[`...)
	for i, r := range recs {
		if i > 0 {
			dst = append(dst, ',')
		}
		k, err := scanRecord(r)
		if err == nil && k.channel >= 0 {
			err = recordError(r, errors.New(`payload has a top-level "channel"; the sender sets it`))
		}
		if err != nil {
			return dst[:start], err
		}
		dst = append(dst, prefix...)
		if k.originalTimestamp < 0 && k.timestamp < 0 && !r.Time.IsZero() {
			dst = append(dst, `"originalTimestamp":`...)
			dst = appendTime(dst, r.Time)
			dst = append(dst, ',')
		}
		dst = append(dst, r.Payload[1:]...)
	}
	return append(dst, `]}`...), nil
}

// topKeys holds the offsets of the top-level keys the batch framers care
// about (the key's opening quote), or -1.
type topKeys struct {
	originalTimestamp, timestamp, sentAt, channel int
}

// scanRecord checks that r can be framed into a batch and finds its
// payload's top-level keys.
func scanRecord(r *Record) (topKeys, error) {
	if r == nil {
		return topKeys{}, &DecodeError{Err: errors.New("nil record")}
	}
	if k, ok := r.marked(); ok {
		// Encoded by a Client: a valid object whose keys are known, with
		// no sentAt or channel of its own. O(1) instead of a scan.
		return k, nil
	}
	k, err := scanTopKeys(r.Payload)
	switch {
	case err != nil:
		return k, recordError(r, err)
	case k.sentAt >= 0:
		return k, recordError(r, errors.New(`payload has a top-level "sentAt"; the sender stamps it per request`))
	}
	return k, nil
}

func recordError(r *Record, err error) error {
	return fmt.Errorf("connected: record %q: %w", sanitize(r.ID), &DecodeError{Err: err})
}

// Words of eight bytes: the lowest and the highest bit of each byte.
const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// scanTopKeys walks a JSON object without decoding it and returns where its
// top-level keys start. It checks only what framing needs: one object, with
// at least one key, balanced brackets outside strings, terminated strings,
// and nothing after the closing brace. A key the framers handle that is
// spelled with escapes is refused: it could not be renamed in place.
func scanTopKeys(p []byte) (topKeys, error) {
	k := topKeys{-1, -1, -1, -1}
	if len(p) < 2 || p[0] != '{' {
		return k, errors.New("payload is not a JSON object")
	}
	depth, keys := 0, 0
	expectKey := false
	n := len(p)
	for i := 0; i < n; i++ {
		c := p[i]
		if c == '"' {
			// Strings are short and many: the loop is inline (a call per
			// string costs more) and tests eight bytes at a time for a
			// quote or a backslash (the lowest flagged byte of a word is
			// exact). A backslash escapes the byte after it.
			open := i
			i++
		str:
			for i < n {
				for i+8 <= n {
					x := binary.LittleEndian.Uint64(p[i:])
					q, e := x^(lsb*'"'), x^(lsb*'\\')
					if t := ((q-lsb)&^q | (e-lsb)&^e) & msb; t != 0 {
						i += bits.TrailingZeros64(t) >> 3
						break
					}
					i += 8
				}
				for i < n && p[i] != '"' && p[i] != '\\' {
					i++
				}
				if i < n && p[i] == '"' {
					break str
				}
				i += 2 // a backslash and the byte it escapes
			}
			if i >= n {
				return k, errors.New("payload has an unterminated string")
			}
			if depth == 1 && expectKey {
				keys++
				if err := k.note(p[open:i+1], open); err != nil {
					return k, err
				}
			}
			expectKey = false
			continue
		}
		switch c {
		case '{', '[':
			depth++
			expectKey = c == '{' && depth == 1
		case '}', ']':
			depth--
			if depth == 0 && i != n-1 {
				return k, errors.New("payload has bytes after its closing brace")
			}
			if depth < 0 {
				return k, errors.New("payload has unbalanced brackets")
			}
		case ',':
			expectKey = depth == 1
		}
	}
	switch {
	case depth != 0:
		return k, errors.New("payload has unbalanced brackets")
	case keys == 0:
		return k, errors.New("payload is an empty object")
	}
	return k, nil
}

// note records the offset of a top-level key (quoted, as in the payload).
func (k *topKeys) note(quoted []byte, off int) error {
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		if err := json.Unmarshal(quoted, &s); err != nil {
			return errors.New("payload has an invalid escape in a top-level key")
		}
		switch s {
		case "originalTimestamp", "timestamp", "sentAt", "channel":
			return errors.New("payload spells the top-level key " + s + " with escapes")
		}
		return nil
	}
	switch {
	case string(name) == "originalTimestamp":
		k.originalTimestamp = off
	case string(name) == "timestamp":
		k.timestamp = off
	case string(name) == "sentAt":
		k.sentAt = off
	case string(name) == "channel":
		k.channel = off
	}
	return nil
}
