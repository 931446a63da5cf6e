// Package natstransport delivers Touchpoint records to NATS JetStream with
// nats.go (github.com/nats-io/nats.go/jetstream).
//
// Sender implements transport.Sender: each Send publishes one JetStream
// message per Touchpoint record, pipelined and bounded, and waits for
// JetStream's acknowledgement of every one of them. Acknowledgements come
// back on one wildcard inbox subscription per Sender (core NATS
// request-reply, as JetStream's own async publishing does). It is meant to sit
// behind a transport.Batcher (and usually a transport.Retry), which does
// the batching, bounding and retrying.
//
// # Wire format
//
// Every message is a CloudEvents 1.0 event in binary content mode over NATS
// headers (NATS 2.2 or later):
//
//   - the subject comes from a template such as DefaultSubject,
//     "touchpoint.events.{category}.{type}" (see ParseSubject);
//   - the payload is the record's Segment JSON, unchanged;
//   - the headers are the CloudEvents attributes prefixed with "ce-", as
//     the CloudEvents NATS protocol binding (binary content mode) maps them:
//     ce-specversion, ce-id, ce-source, ce-type, ce-datacontenttype
//     (application/json), ce-time, ce-datacategory, ce-partitionkey, and
//     ce-dataschema when set; their values are percent-encoded as the
//     binding requires (space, '"', '%' and every byte outside printable
//     ASCII become %XY); and Nats-Msg-Id carries the record's messageId
//     as it is.
//
// # Delivery guarantees
//
// JetStream drops a message whose Nats-Msg-Id it stored within the stream's
// duplicate window (StreamConfig.Duplicates, 2 minutes by default) and
// acknowledges it as a duplicate: a batch retried after a lost
// acknowledgement is stored once. Stats counts those duplicates.
//
// A Send publishes its records in order on one connection, so JetStream
// stores the records of one partition key in the order they appear in the
// batch. Publishing is pipelined, so when one record fails retryably (an
// acknowledgement timeout, say) later records of its key may already be
// stored: a retry then stores it after them. At most WithMaxPending records of a Sender await an
// acknowledgement at once; a Send beyond that waits for the oldest ones
// first, so memory stays bounded however large the batch.
//
// # Ownership
//
// New opens a nats.Conn and owns it: Shutdown waits for sends in flight,
// ends the Sender's acknowledgement subscription and closes the
// connection. NewFromConn borrows the caller's connection: Shutdown ends
// the Sender's acknowledgement subscription and closes nothing; the caller
// closes the connection after Shutdown.
//
// # Errors and contexts
//
// Every function and method that takes a context returns an error
// matching transport.ErrNilContext for a nil one, and does nothing else.
//
// Send returns nil when every record was acknowledged; a
// *transport.BatchError naming the failed indexes when some records failed
// (two of them joined with errors.Join when some failures are retryable and
// others are not; each cause is a *RecordError); an error wrapping ctx.Err()
// when ctx ended first; transport.ErrClosed after Shutdown. An
// acknowledgement timeout (WithAckTimeout; matches
// jetstream.ErrAsyncPublishTimeout), no stream capturing the subject
// (jetstream.ErrNoStreamResponse), a full reconnect buffer and JetStream
// API errors 408, 429 and 5xx are retryable; a payload over the server's
// max_payload (nats.ErrMaxPayload), other JetStream 4xx errors (a
// *jetstream.APIError), a closed or draining connection and a Shutdown
// that cut the wait short are permanent. A record
// that cannot be framed fails permanently without being published.
//
// Cancelling the context of Send stops waiting; records already published
// may still be stored, and are deduplicated if the batch is sent again.
//
// # Concurrency
//
// Sender is safe for concurrent use. It starts no goroutine of its own;
// nats.go runs the connection's goroutines and one for the Sender's
// acknowledgement subscription, which Shutdown ends.
package natstransport
