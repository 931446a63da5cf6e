// Package natstransport delivers Touchpoint records to NATS JetStream with
// nats.go (github.com/nats-io/nats.go/jetstream).
//
// Sender implements transport.Sender: each Send publishes one JetStream
// message per Touchpoint record, asynchronously and bounded, and waits for
// JetStream's acknowledgement of every one of them. It is meant to sit
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
//   - the headers are the CloudEvents attributes prefixed with "ce-"
//     (ce-specversion, ce-id, ce-source, ce-type, ce-time, ce-datacategory,
//     ce-partitionkey, and ce-dataschema when set), "content-type" carrying
//     datacontenttype (application/json), and Nats-Msg-Id carrying the
//     record's messageId.
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
// batch. At most WithMaxPending records of a Sender await an
// acknowledgement at once; a Send beyond that waits for the oldest ones
// first, so memory stays bounded however large the batch.
//
// # Ownership
//
// New opens a nats.Conn and owns it: Shutdown waits for sends in flight,
// releases the Sender's JetStream publisher and closes the connection.
// NewFromConn borrows the caller's connection: Shutdown releases the
// Sender's JetStream publisher (its reply subscription and status listener)
// and closes nothing; the caller closes the connection after Shutdown.
//
// # Errors and contexts
//
// Send returns nil when every record was acknowledged; a
// *transport.BatchError naming the failed indexes when some records failed
// (two of them joined with errors.Join when some failures are retryable and
// others are not; each cause is a *RecordError); an error wrapping ctx.Err()
// when ctx ended first; transport.ErrClosed after Shutdown. A lost
// connection, an acknowledgement timeout (WithAckTimeout), a missing
// stream ("no response from stream") and JetStream API errors 408, 429 and
// 5xx are retryable; a payload over the server's max_payload, other
// JetStream 4xx errors and a closed connection are permanent. A record
// that cannot be framed fails permanently without being published.
//
// Cancelling the context of Send stops waiting; records already published
// may still be stored, and are deduplicated if the batch is sent again.
//
// # Concurrency
//
// Sender is safe for concurrent use. It starts no goroutine of its own;
// nats.go runs its connection's goroutines and the JetStream publisher's
// status listener until Shutdown.
package natstransport
