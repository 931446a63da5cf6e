// Package transport delivers Touchpoint records: batched, bounded, retrying,
// and without silent loss.
//
// The pipeline behind a connected.Client is
//
//		Batcher -> [spool.Spool] -> Retry -> Sender (HTTP, File, Writer, a broker)
//
//	  - Sender sends one batch synchronously and reports which records failed
//	    and whether that is retryable (*BatchError, *HTTPError, IsRetryable).
//	    SenderFunc adapts a function.
//	  - Batcher implements connected.Handler. It batches by count, bytes and
//	    interval (defaults fit Segment's limits: 2,500 events, 500,000 bytes per
//	    request, 32,000 bytes per event), is bounded in records and bytes, and
//	    applies an explicit Overflow policy: block until the context is done,
//	    drop the newest, or drop the oldest. Up to WithConcurrency batches are
//	    in flight; WithOrderedPartitions keeps order per partition key.
//	  - Retry wraps a Sender: jittered exponential backoff with a cap and a
//	    time budget, Retry-After as a minimum, 408/429/5xx/network errors
//	    retried, other 4xx failed at once, 413 split in halves.
//	  - NewSegment, NewRudderStack and NewCloudEvents build HTTP senders
//	    (gzip by default for Segment and RudderStack, identity for
//	    CloudEvents; per-request timeout, capped response reads); File and
//	    Writer write newline-delimited JSON.
//	  - The spool sub-package is a durable on-disk queue between the Batcher
//	    and Retry, for store-and-forward across outages and restarts.
//
// # Nothing is lost silently
//
// A record handed to Batcher.Handle is either delivered, or refused with an
// error from Handle, or reported to the failure callback (WithCallbacks) with
// its Reason, and in every case counted in Stats. Shutdown delivers what is
// queued until its context ends; whatever is then undelivered goes to the
// failure callback with ReasonShutdown and Shutdown returns an
// *UndeliveredError (matching ErrUndelivered) with the count. With a spool,
// pending records stay on disk and are sent after the next spool.Open.
//
// # Durability
//
// What a nil return means, path by path (the README's "Durability" section
// has the table and the measured costs):
//
//   - Batcher.Handle, and so connected.Client.Track: by default the record is
//     queued in memory; a crash before the Batcher hands its batch on (when
//     the batch fills, or after WithFlushInterval) loses it. With
//     WithDurable(true), Handle returns only once the Sender accepted the
//     record's batch: in front of a spool.Spool, once it is written to disk
//     (safe from a crash; from a power loss too with
//     spool.WithSyncInterval(0)). Batches are then cut by group commit, so
//     concurrent callers share writes.
//   - Batcher.Flush: every record handled before it has been sent on (in
//     front of a spool: written) or reported to the failure callback.
//   - spool.Spool.Send: the batch is written; see the spool package.
//   - Batcher.Shutdown: what was queued was sent on or reported with
//     ReasonShutdown (and counted in the *UndeliveredError).
//
// # Concurrency and contexts
//
// All exported types are safe for concurrent use. The Batcher owns three
// kinds of goroutine: its flush-interval loop, one per batch in flight, and
// the callback Dispatcher; Shutdown stops them all. Callbacks run on the
// Dispatcher's goroutine, one at a time, in order, never on an I/O path.
// Handle honours its context only while waiting for queue space; once a
// record is accepted, cancelling that context does not abort its delivery.
// Send, Flush and Shutdown honour their contexts.
package transport
