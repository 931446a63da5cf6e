// Package spool is a durable on-disk queue for store-and-forward delivery:
// a gateway in a store with a flaky uplink keeps accepting events, and they
// go out when the uplink (or the process, after a restart) comes back.
//
// A *Spool sits between the transport.Batcher and the real Sender:
//
//	var (
//		dir  string          // the spool's own directory
//		http transport.Sender // transport.NewSegment(...), say
//	)
//	retry, _ := transport.NewRetry(http)
//	sp, _ := spool.Open(dir, retry)                    // the drain sends them on
//	b, _ := transport.NewBatcher(sp)                   // batches go to disk
//
// It is itself a transport.Sender: Send appends the batch to the current
// segment file, every record framed with a marker, its length, a CRC-32C, a
// version and a sequence number (see format.go for the documented on-disk
// format), and returns once it is written. A drain goroutine replays the
// segments in order to the next Sender; a record is acknowledged only when
// that Sender delivered it or failed it permanently, and a segment file is
// deleted only when every record in it is acknowledged. Retryable failures
// are retried with backoff indefinitely: an outage never drops a record
// from the spool.
//
// # Durability
//
// Send returns once the records are written to the segment file: a process
// crash (kill -9) after that loses nothing. Appends are fsynced every
// WithSyncInterval (group commit, default 200 ms), or before Send returns
// with WithSyncInterval(0): a power loss can lose at most the last interval.
// To make connected.Client.Track return only once its record is in the
// spool, put a transport.Batcher with transport.WithDurable(true) in front
// (see the transport README for the contract of every path and its cost).
// Delivery is at-least-once: after a crash, records after the last
// acknowledgement (the ack file is rewritten at most every 50 ms while the
// drain is busy, and whenever it idles) are sent again, and receivers dedupe
// on the record ID (Segment messageId, CloudEvents id). Records replayed from
// disk carry ID, Type, Time, Category, PartitionKey, ProfileID and Payload;
// their Event field is nil.
//
// # Damage
//
// On Open every segment after the acknowledged position is scanned. A frame
// that fails its checksum is skipped and scanning resynchronises at the next
// frame marker whose frame checks, so damage costs only the records it hit.
// Records that cannot be recovered (damaged frames, a segment deleted or
// emptied, a torn write at the end) are counted from the gaps in the
// sequence numbers (a lower bound where the numbers cannot tell), added to
// Stats.Dropped[transport.ReasonCorrupt] and reported to the failure
// callback as one transport.Failure with Unreadable set and a *LossError
// saying where. The damage is then overwritten with a filler frame or a
// tombstone segment (a segment with nothing readable is renamed *.corrupt
// and kept for inspection), so a later Open does not report it again. The
// drain applies the same rules to damage that appears after Open. Old
// spools (format version 1) are read and recovered the same way, with
// estimates instead of exact counts. A frame of a version this release does
// not know makes Open fail with ErrVersion and touch nothing: a spool this
// release wrote (record frames of version 3, which keep the marks of a
// Client's records so that a record read back frames without a scan) is
// refused by releases before it, so drain a spool before a downgrade.
//
// # Bounds
//
// Disk use is bounded by WithMaxBytes; when it is reached the WithOverflow
// policy applies (block, refuse the new batch, or evict the oldest segments
// not being sent) and every refused or evicted record is counted in Stats
// and reported (to the caller's error or the failure callback). I/O errors,
// a full disk included, are returned by Send at once, never a hang, as a
// retryable *transport.BatchError (transport.ReasonSpoolError) that matches
// the cause (syscall.ENOSPC): the batch is either written or refused.
//
// # Lifecycle
//
// Open takes an exclusive lock on the directory (flock on the file "lock",
// released by Shutdown or by the process dying): a second Open, in this
// process or another, fails with a *LockError matching ErrLocked. File
// names that are not segment names the spool writes are ignored (numbering
// never wraps), and every file is opened inside the directory (os.Root), so
// a planted link cannot redirect a write. Open starts the drain goroutine, a
// group-commit goroutine and a callback dispatcher. Shutdown stops
// accepting, keeps draining until empty or its context ends, then stops:
// whatever is left stays on disk for the next Open.
package spool
