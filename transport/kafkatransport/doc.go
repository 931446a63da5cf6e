// Package kafkatransport delivers Touchpoint records to Apache Kafka with
// franz-go (github.com/twmb/franz-go/pkg/kgo).
//
// Sender implements transport.Sender: each Send produces one Kafka record per
// Touchpoint record and waits for the broker's acknowledgement of all of
// them. It is meant to sit behind a transport.Batcher (and usually a
// transport.Retry), which does the batching, bounding and retrying.
//
// # Wire format
//
// Every Kafka record is a CloudEvents 1.0 event in binary content mode (the
// CloudEvents Kafka protocol binding):
//
//   - the value is the record's Segment JSON payload, unchanged;
//   - the key is the record's PartitionKey (a hash of the customer's
//     identity, never a plaintext identifier), so the default partitioner
//     sends every event of one customer to the same partition, in order; a
//     record without a partition key has a null key;
//   - the headers are the CloudEvents attributes prefixed with "ce_"
//     (ce_specversion, ce_id, ce_source, ce_type, ce_time, ce_datacategory,
//     ce_partitionkey, and ce_dataschema when set), "content-type" carrying
//     datacontenttype (application/json), and MessageIDHeader ("messageId")
//     carrying the record's messageId, the dedupe key of every Touchpoint
//     destination;
//   - the Kafka timestamp is the time of producing; the event's own time is
//     in ce_time (and in the payload's originalTimestamp).
//
// # Delivery guarantees
//
// New configures an idempotent producer with acks=all (franz-go's
// defaults, stated explicitly), no linger, because the Batcher in front
// already batches, and a delivery timeout (WithDeliveryTimeout, 30 s), so
// that an unreachable cluster fails a Send retryably instead of holding it
// for as long as its context allows. Records of one partition key are produced in the order
// they appear in the batch and, thanks to idempotence, stay in that order
// across franz-go's internal retries. Delivery is at least once: a retried
// batch may duplicate records, which consumers dedupe on ce_id / messageId.
//
// # Ownership
//
// New opens a kgo.Client and owns it: Shutdown waits for sends in flight
// and then closes that client. NewFromClient borrows the caller's client:
// Shutdown waits for this Sender's sends in flight and closes nothing; the
// caller closes the client after Shutdown, and its configuration (acks,
// idempotence, linger) applies as the caller set it.
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
// when ctx ended first; transport.ErrClosed after Shutdown. Kafka errors are
// classified by Kafka's own retriable flag (kerr); a record too large for a
// batch, an authorization failure or a closed client are permanent, a
// timeout or exhausted franz-go retries are retryable. A record that cannot
// be framed (no id, no payload, invalid UTF-8) fails permanently without
// being produced.
//
// Cancelling the context of Send stops waiting and fails records franz-go
// has not yet written to a request; records already written may still be
// stored by the broker.
//
// # Concurrency
//
// Sender is safe for concurrent use. It starts no goroutine of its own; the
// kgo.Client it owns runs franz-go's goroutines until Shutdown.
package kafkatransport
