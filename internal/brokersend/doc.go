// Package brokersend is the mechanism the three broker senders share
// (transport/kafkatransport, transport/natstransport and
// transport/mqtttransport, each its own module): the Send and Shutdown
// bookkeeping around a record-by-record send (Core), the per-record results
// of one Send (Results), and the subject or topic templates with their
// placeholders (Template, Grammar). Each sender keeps what is its broker's:
// the client, the framing of a record, and which of its client's errors are
// retryable.
//
// It is internal: the senders' users see only the senders' own types
// (TemplateError, RecordError, the Placeholder constants), which wrap what
// this package returns. Go's internal rule admits the sender modules because
// their import paths share the core module's prefix.
//
// Concurrency: a Core and a Results are safe for concurrent use; a Template
// and a Grammar are immutable values. Nothing here starts a goroutine.
package brokersend
