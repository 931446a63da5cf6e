package spool_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

// frameRecord is a record as a Client encodes it; its identifier is only
// the pseudonymous partition key.
func frameRecord(id, event string) *connected.Record {
	return &connected.Record{ID: id, Type: connected.TypeTrack, Category: connected.CategoryBehavioral,
		Time:         time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		PartitionKey: "4ce28255cef34638a0bbd2e042e1092a",
		Payload:      []byte(`{"type":"track","event":"` + event + `"}`)}
}

// Frames written one after another are read back one at a time: n says
// where the next one starts.
func ExampleDecodeFrame() {
	var buf []byte
	for i, event := range []string{"Order Completed", "Zone Entered"} {
		var err error
		if buf, err = spool.AppendFrame(buf, frameRecord(fmt.Sprint("m", i), event)); err != nil {
			panic(err)
		}
	}
	for len(buf) > 0 {
		r, n, err := spool.DecodeFrame(buf)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(n, r.ID, r.Type, r.Category, r.Time.Format(time.RFC3339), string(r.Payload))
		buf = buf[n:]
	}
	// Output:
	// 128 m0 track behavioral 2026-03-01T12:00:00Z {"type":"track","event":"Order Completed"}
	// 125 m1 track behavioral 2026-03-01T12:00:00Z {"type":"track","event":"Zone Entered"}
}

// A frame cut short (a torn write) is ErrTruncated; a changed byte fails
// the checksum and is ErrCorrupt. Both come as a *FormatError, with n 0.
func ExampleDecodeFrame_damaged() {
	b, err := spool.AppendFrame(nil, frameRecord("m0", "Order Completed"))
	if err != nil {
		panic(err)
	}
	_, n, err := spool.DecodeFrame(b[:len(b)-1])
	var fe *spool.FormatError
	fmt.Println(n, errors.Is(err, spool.ErrTruncated), errors.As(err, &fe))

	b[len(b)-10] ^= 0x01 // one bit of the payload
	_, n, err = spool.DecodeFrame(b)
	fmt.Println(n, errors.Is(err, spool.ErrCorrupt), err)
	// Output:
	// 0 true true
	// 0 true spool: offset 0: corrupt frame: checksum mismatch
}

// FrameSize says how many bytes AppendFrame will write, so that a batch's
// frames can go into one buffer allocated up front.
func ExampleFrameSize() {
	batch := []*connected.Record{frameRecord("m0", "Order Completed"), frameRecord("m1", "Zone Entered")}
	size := 0
	for _, r := range batch {
		size += spool.FrameSize(r)
	}
	buf := make([]byte, 0, size)
	for _, r := range batch {
		buf, _ = spool.AppendFrame(buf, r)
	}
	fmt.Println(size, len(buf), cap(buf) == size)
	// Output:
	// 253 253 true
}
