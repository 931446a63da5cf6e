// Package pos turns till and wallet webhooks into touchpoints: Square and
// Stripe payments into "Order Completed", Apple Wallet and Google Wallet
// pass notifications into "Wallet Pass Added/Updated/Removed", and a
// pass's location relevance into "Wallet Pass Relevant".
//
// # Decoders
//
// DecodeSquare (payment.*, and the thin order.* notifications),
// DecodeStripe (charge.* and payment_intent.* Events),
// DecodeAppleWebService (the PassKit web service's registration,
// unregistration and pass fetch requests), DecodeGoogleWalletCallback
// (save/delete callbacks) and DecodeApplePass (pass.json relevance) read
// one payload each, strictly: malformed JSON, a field of the wrong type
// (a currency given as a number), a missing required field (a payment
// without an amount) or a value out of range (a fractional amount of
// minor units) is refused with a *DecodeError naming the field and
// matching ErrSyntax, ErrType, ErrMissing or ErrInvalid. No partial value
// is returned. Card numbers and their fragments (last 4, BIN), expiry
// dates, cardholder names, emails, push and authentication tokens are
// never decoded: the decoders skip them unread. The decoders do not check
// signatures: verify Square's x-square-hmacsha256-signature, Stripe's
// Stripe-Signature, the ApplePass authorization token or Google's
// ECv2SigningOnly signature first.
//
// Measured decode costs (go test -bench Decode -benchmem; CPU time per
// payload, pinned to one core of a shared two-core machine, December
// 2026: the previous version's figures on a quiet machine, less the 2 to
// 10 % that an in-process A/B against it measured, the machine being too
// busy for absolute figures): a Stripe
// charge.succeeded of a Terminal sale (3.9 KB as stored) 2.9 µs, 2.3 µs
// compact; a Stripe payment_intent 1.35 µs; a Square payment.updated
// 1.8 µs, 1.6 µs compact; an order.updated 0.65 µs; a Google Wallet
// callback 0.9 µs; an Apple web-service request 0.3 µs; a pass.json 1.25
// to 1.45 µs (three allocations); one allocation for the others, the
// kept strings copied into one buffer of the size they need (80 to 224
// bytes; documented statuses, types, methods and brands are constants and
// cost none). Where the Stripe charge's time goes: the validating scan
// alone costs 1.9 µs (1.45 µs compact; internal/jsonscan BenchmarkSkip);
// of the 0.85 µs over it, finding the kept members (Iter.NextKey: a
// table lookup for every key of the objects read, a return to the
// decoder for every kept member) takes about half, the copy of the kept
// strings, with the allocation and garbage collection it causes, a
// quarter, and reading and checking the kept values the rest. So the 2 µs
// target is met for every payload but the Stripe charge, and the Square
// payment as stored is near it; most of what remains is the scanner's.
//
// StripeDecoder and SquareDecoder decode the same formats with the same
// checks but keep no copies: their Notification aliases the body and
// lives until the next Decode (see StripeDecoder for the rules). They
// also keep their scanner, which reads a large body through a structural
// index built with SIMD instructions (internal/jsonscan's ResetIndexed):
// the members they skip cost a walk over the index instead of over the
// bytes. DecodeStripe and DecodeSquare borrow such a decoder from a pool
// for bodies of 1 KiB or more, then copy the result out. CPU time per
// payload (December 2026, pinned, six runs, an AVX-512 VM at 2.6 GHz),
// reused decoder and (one-shot): the Stripe charge 1.98-2.00 µs as stored
// (2.52-2.55 µs), 1.86-1.88 µs compact (2.37-2.44 µs); the Square payment
// 1.36-1.47 µs as stored (1.77-1.84 µs), 1.29-1.31 µs compact (1.68-1.76
// µs). On a CPU with AVX2 but not AVX-512 the index
// costs about 0.37 µs more for the Stripe charge; without either the
// scanner reads byte by byte (the Stripe charge then 2.8 µs as stored
// reused, 3.1 µs one-shot).
//
// # Events
//
// The step from a decoded notification to a connected.Event sits in one
// file (event.go). Identifiers — card fingerprints, payment tokens,
// customer and loyalty ids, pass serials, wallet devices — leave only as
// keyed pseudonyms (Pseudonym, with a connected.Pseudonymizer) in
// context.externalIds; without a Pseudonymizer, an event that would carry
// one is refused with ErrNoKey. A payment that is not completed, a thin
// order notification and a refund make no event (ErrNotCompleted,
// ErrThin, ErrUnsupported): the caller counts and reports them. Message
// ids derive from the payment or pass, so retried webhooks dedupe.
//
// # Contracts
//
// Everything here is a pure function of its input: no goroutines, no
// I/O, no globals; safe for concurrent use. Decoded values do not alias
// the payload, except those of a StripeDecoder or SquareDecoder, which
// are values owned by one goroutine (their contract is on the type).
package pos
