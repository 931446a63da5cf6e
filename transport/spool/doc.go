// Package spool is a durable on-disk queue for store-and-forward delivery:
// a gateway in a store with a flaky uplink keeps accepting events, and they
// go out when the uplink (or the process, after a restart) comes back.
//
// A *Spool sits between the transport.Batcher and the real Sender:
//
//	b, _ := transport.NewBatcher(sp)                   // batches go to disk
//	sp, _ := spool.Open(dir, retry)                    // the drain sends them on
//	retry, _ := transport.NewRetry(http)
//
// It is itself a transport.Sender: Send appends the batch to the current
// segment file, framed as length + CRC-32C + version (see format.go for the
// documented on-disk format), and returns once it is written. A drain
// goroutine replays the segments in order to the next Sender; a record is
// acknowledged only when that Sender delivered it or failed it permanently,
// and a segment file is deleted only when every record in it is
// acknowledged. Retryable failures are retried with backoff indefinitely:
// an outage never drops a record from the spool.
//
// # Durability
//
// Appends are fsynced every WithSyncInterval (group commit, default 200 ms),
// or before Send returns with WithSyncInterval(0). A process crash loses
// nothing Send accepted; a power loss can lose at most the last interval.
// On Open, a torn tail (a frame cut short by a crash) is truncated and
// everything not acknowledged is replayed: delivery is at-least-once, and
// receivers dedupe on the record ID (Segment messageId, CloudEvents id).
// Records replayed from disk carry ID, Type, Time, Category, PartitionKey,
// ProfileID and Payload; their Event field is the zero Event.
//
// # Bounds
//
// Disk use is bounded by WithMaxBytes; when it is reached the WithOverflow
// policy applies (block, refuse the new batch, or evict the oldest segments
// not being sent) and every refused or evicted record is counted in Stats
// and reported (to the caller's error or the failure callback). I/O errors,
// a full disk included, are returned by Send at once, never a hang.
//
// # Lifecycle
//
// Open starts the drain goroutine, a group-commit goroutine and a callback
// dispatcher. Shutdown stops accepting, keeps draining until empty or its
// context ends, then stops: whatever is left stays on disk for the next Open.
// Only one Spool may use a directory at a time.
package spool
