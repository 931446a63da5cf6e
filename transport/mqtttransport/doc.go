// Package mqtttransport connects Touchpoint to MQTT 5 brokers with
// paho.golang (github.com/eclipse/paho.golang/autopaho), in both
// directions:
//
//   - Sender implements transport.Sender: it publishes records as QoS 1
//     messages and waits for their PUBACKs. It is meant to sit behind a
//     transport.Batcher (and usually a transport.Retry).
//   - Source subscribes to topic filters, typically the topics store
//     gateways' firmware publishes BLE advertisements or wearable
//     notifications to, and hands each message (topic, payload, receive
//     time, MQTT 5 properties) to a caller's MessageHandler, which decodes it.
//
// # Wire format (Sender)
//
// Every message is a CloudEvents 1.0 event in binary content mode (the
// CloudEvents MQTT binding, MQTT 5 only):
//
//   - the topic comes from a template such as DefaultTopic,
//     "touchpoint/{category}/{type}" (see ParseTopic);
//   - the payload is the record's Segment JSON, unchanged, with the Payload
//     Format Indicator set to UTF-8;
//   - the Content Type property carries datacontenttype
//     (application/json);
//   - the other CloudEvents attributes are user properties with unprefixed
//     names: specversion, id (the messageId), source, type, time,
//     datacategory, partitionkey, and dataschema when set.
//
// # Delivery guarantees (Sender)
//
// QoS 1 is at least once: a batch retried after a lost PUBACK may
// duplicate messages, which subscribers dedupe on the id user property.
// The records of one partition key are published one after the other, each
// after the previous one's PUBACK, so they reach subscribers in order (MQTT
// orders messages per topic per client; waiting makes it hold across
// topics); after a retryable failure the rest of that key's records in the
// batch are held back (failed retryably, not published) so that a retry
// cannot reorder them. Different keys are published concurrently, up to
// WithMaxInFlight; WithMaxInFlight(1) publishes a batch one record at a
// time in batch order, which keeps the order across keys as well.
//
// # Ownership
//
// New and NewSource open an autopaho connection each and own it (it
// reconnects by itself); Shutdown disconnects it. NewFromConnection and
// NewSourceFromConnection borrow the caller's *autopaho.ConnectionManager,
// which a Sender and a Source may share: their Shutdown never disconnects
// it (a borrowed Source detaches its handler and unsubscribes); the
// caller disconnects after Shutdown.
//
// # Errors and contexts
//
// Every function and method that takes a context returns an error
// matching transport.ErrNilContext for a nil one, and does nothing else.
//
// Send returns nil when every record was acknowledged; a
// *transport.BatchError naming the failed indexes when some records failed
// (two of them joined with errors.Join when some failures are retryable and
// others are not; each cause is a *RecordError, and a refusal by the
// broker is a *PubackError with its reason code); an error wrapping
// ctx.Err() when ctx ended first; transport.ErrClosed after Shutdown. Send
// first waits for the connection to be up, at most WithConnectWait. A
// connection that stays down or drops, a PUBACK that does not come within
// paho's packet timeout, and PUBACK codes 0x80, 0x89, 0x91 and 0x97 are
// retryable; other
// refusals (not authorized, topic name invalid, packet too large, ...) are
// permanent. A record that cannot be framed fails permanently without
// being published. Bad templates and filters get a *TemplateError or a
// *FilterError saying what and where.
//
// # Concurrency
//
// Sender and Source are safe for concurrent use. A Send with more than one
// partition key runs up to WithMaxInFlight goroutines that end before it
// returns. The Source's MessageHandler runs on paho's receiving goroutine, one
// message at a time. autopaho runs the connection's goroutines until
// Shutdown of the owner.
package mqtttransport
