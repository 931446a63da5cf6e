// Package transporttest is a conformance suite for transport.Sender
// implementations, in the manner of testing/slogtest: Run exercises a Sender
// against its destination and fails the test where the Sender breaks the
// contract documented on transport.Sender.
//
// Every Sender in this repository passes it: the HTTP senders against an
// httptest server, File, Writer, Retry and spool.Spool, and the broker
// transports against their in-process brokers.
//
// Run checks delivery and ordering, empty batches, context cancellation
// (before and during a send), error classification (retryable versus
// permanent), Shutdown idempotency and ErrClosed afterwards, and that no
// goroutine outlives the Sender. Run is not safe to call from parallel tests
// (the leak check counts the process's goroutines).
package transporttest
