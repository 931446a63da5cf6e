package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Writer is a Sender that writes each record's payload as one line of
// newline-delimited JSON to an io.Writer (os.Stdout, say), one Write call per
// batch. It is meant for local development and as the examples' default
// sink. Writer is safe for concurrent use; batches are written whole, never
// interleaved. It does not close the io.Writer.
type Writer struct {
	mu     sync.Mutex
	w      io.Writer
	buf    []byte
	closed bool
	ctr    Counters
}

var (
	_ Sender               = (*Writer)(nil)
	_ connected.Shutdowner = (*Writer)(nil)
)

// NewWriter returns a Writer onto w.
func NewWriter(w io.Writer) (*Writer, error) {
	if w == nil {
		return nil, errors.New("transport: NewWriter: nil io.Writer")
	}
	return &Writer{w: w}, nil
}

// appendNDJSON appends each payload followed by a newline.
func appendNDJSON(dst []byte, batch []*connected.Record) []byte {
	for _, r := range batch {
		dst = append(dst, r.Payload...)
		dst = append(dst, '\n')
	}
	return dst
}

// Send writes batch. A write error fails the whole batch and is retryable
// (see IsRetryable), though part of it may have been written. A nil ctx
// returns ErrNilContext.
func (w *Writer) Send(ctx context.Context, batch []*connected.Record) error {
	if ctx == nil {
		return nilContext("Writer.Send")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return ErrClosed
	}
	w.buf = appendNDJSON(w.buf[:0], batch)
	w.ctr.Requests.Add(1)
	n, err := w.w.Write(w.buf)
	w.ctr.WireBytes.Add(uint64(n))
	if cap(w.buf) > maxPooledBuf {
		w.buf = nil
	}
	if err != nil {
		return fmt.Errorf("transport: write batch: %w", err)
	}
	w.ctr.Delivered.Add(uint64(len(batch)))
	w.ctr.Bytes.Add(uint64(n - len(batch)))
	return nil
}

// Shutdown makes later Sends return ErrClosed. It is idempotent. A nil ctx
// returns ErrNilContext and changes nothing.
func (w *Writer) Shutdown(ctx context.Context) error {
	if ctx == nil {
		return nilContext("Writer.Shutdown")
	}
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	return nil
}

// Stats returns the Writer's counters.
func (w *Writer) Stats() Stats { return w.ctr.Snapshot() }
