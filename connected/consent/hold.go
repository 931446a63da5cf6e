package consent

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Held is a record waiting at one destination for consent.
type Held struct {
	Record  *connected.Record
	Subject string    // the subject the consent is awaited from
	Purpose Purpose   // the purpose whose consent is awaited
	HeldAt  time.Time // when it was put on hold, by the router's clock
	// Deadline is when it is dropped (ReasonHoldExpired) if consent has not
	// arrived: HeldAt + HoldLimits.MaxAge.
	Deadline time.Time
}

// HoldStore keeps one destination's held records in the order they were
// held. The Router serializes its calls, so a HoldStore need not be safe for
// concurrent use; it must not call back into the Router.
//
// The in-memory store (NewMemoryHold) is the default. A durable store can
// implement this interface over a spool (transport/spool); the Router keeps
// its records as *connected.Record, so such a store re-reads Payload and
// Event on restart.
type HoldStore interface {
	// Push appends h, or returns ErrHoldFull if the store is at its limits.
	Push(h Held) error
	// Filter calls keep for every held record, oldest first, and removes
	// those for which it returns false.
	Filter(keep func(h *Held) bool)
	// Len returns the number of held records.
	Len() int
}

// MemoryHold is the in-memory HoldStore, bounded by record count and total
// payload bytes. It is not safe for concurrent use on its own.
type MemoryHold struct {
	limits HoldLimits
	held   []Held
	bytes  int
}

// NewMemoryHold returns an empty store bounded by limits (zero fields take
// the defaults).
func NewMemoryHold(limits HoldLimits) *MemoryHold {
	if limits.MaxRecords <= 0 {
		limits.MaxRecords = DefaultHoldRecords
	}
	if limits.MaxBytes <= 0 {
		limits.MaxBytes = DefaultHoldBytes
	}
	return &MemoryHold{limits: limits}
}

// Push appends h unless that would exceed MaxRecords or MaxBytes.
func (m *MemoryHold) Push(h Held) error {
	size := h.Record.Size()
	if len(m.held) >= m.limits.MaxRecords || m.bytes+size > m.limits.MaxBytes {
		return ErrHoldFull
	}
	m.held = append(m.held, h)
	m.bytes += size
	return nil
}

// Filter keeps, in order, the records keep accepts.
func (m *MemoryHold) Filter(keep func(h *Held) bool) {
	n := 0
	for i := range m.held {
		if keep(&m.held[i]) {
			m.held[n] = m.held[i]
			n++
		} else {
			m.bytes -= m.held[i].Record.Size()
		}
	}
	clear(m.held[n:])
	m.held = m.held[:n]
}

// Len returns the number of held records.
func (m *MemoryHold) Len() int { return len(m.held) }

// Bytes returns the total payload size of the held records.
func (m *MemoryHold) Bytes() int { return m.bytes }

var _ HoldStore = (*MemoryHold)(nil)
