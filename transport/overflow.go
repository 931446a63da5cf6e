package transport

import "fmt"

// Overflow is what a bounded queue does with a record that does not fit.
type Overflow int

const (
	// OverflowDropNewest refuses the new record: Handle returns
	// ErrQueueFull, and the record is reported to the failure callback with
	// ReasonQueueFull. The default: the caller is never blocked.
	OverflowDropNewest Overflow = iota
	// OverflowBlock makes Handle wait for room until its context is done,
	// then return the context's error (the record was not accepted).
	OverflowBlock
	// OverflowDropOldest evicts the oldest records not yet being sent to
	// make room; they are reported to the failure callback with
	// ReasonEvicted.
	OverflowDropOldest
)

func (o Overflow) String() string {
	switch o {
	case OverflowDropNewest:
		return "drop-newest"
	case OverflowBlock:
		return "block"
	case OverflowDropOldest:
		return "drop-oldest"
	}
	return fmt.Sprintf("Overflow(%d)", int(o))
}

func (o Overflow) valid() bool { return o >= OverflowDropNewest && o <= OverflowDropOldest }

// Reason says why records were not delivered. It is the key of
// Stats.Dropped and the Reason of a Failure.
type Reason string

// The reasons records are dropped.
const (
	ReasonQueueFull        Reason = "queue_full"        // refused: queue full (drop newest)
	ReasonEvicted          Reason = "evicted"           // evicted: queue full (drop oldest)
	ReasonTooLarge         Reason = "too_large"         // larger than a batch or the per-event limit
	ReasonRejected         Reason = "rejected"          // permanent failure from the destination (4xx)
	ReasonRetriesExhausted Reason = "retries_exhausted" // retryable failure that outlived the retry budget
	ReasonShutdown         Reason = "shutdown"          // still undelivered when Shutdown's context ended
	ReasonSpoolFull        Reason = "spool_full"        // the on-disk spool was full
	ReasonCorrupt          Reason = "corrupt"           // unreadable on disk (spool recovery)
	ReasonSpoolError       Reason = "spool_error"       // the spool could not store them (I/O error)
)
