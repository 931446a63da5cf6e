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
