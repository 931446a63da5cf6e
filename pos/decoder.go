package pos

// StripeDecoder decodes Stripe webhook Events like DecodeStripe, with the
// same checks and errors, but does not copy the strings it keeps: they
// alias the body (those with JSON escapes, rare in these payloads, have
// memory of their own). That saves the one allocation a decode otherwise
// makes, and the scanner it keeps reads large bodies through a structural
// index: a third less time for a Stripe charge (the package doc's
// figures). Use it where bodies are decoded one after another and each
// Notification is handled before the next (a webhook worker, a replay of
// stored bodies).
//
// Ownership: the *Notification Decode returns, and the connected.Event
// its Event method builds, are valid only until the next call of Decode
// on the same decoder, which overwrites the Notification, and only while
// body is not modified. Track the event (connected.Client.Track encodes
// it before it returns) or copy what must outlive that; a middleware or
// sink that keeps a Record's Event keeps those strings too, so use
// DecodeStripe, whose Notification owns its strings, where one does.
//
// The zero value is ready to use. A StripeDecoder is not safe for
// concurrent use: use one per goroutine.
type StripeDecoder struct {
	n Notification
	d dec // its scanner's buffers (the structural index's) serve every body
}

// Decode decodes one Event body: a *DecodeError and a nil Notification on
// error (see DecodeStripe). The Notification is valid until the next call
// of Decode (see StripeDecoder).
func (d *StripeDecoder) Decode(body []byte) (*Notification, error) {
	d.d.reset("stripe", body)
	return decodeInto(&d.n, &d.d, decodeStripe)
}

// SquareDecoder is StripeDecoder for Square webhook bodies: it decodes
// like DecodeSquare, and the *Notification it returns aliases the body
// under the same rules (see StripeDecoder).
//
// The zero value is ready to use. A SquareDecoder is not safe for
// concurrent use: use one per goroutine.
type SquareDecoder struct {
	n Notification
	d dec
}

// Decode decodes one webhook body: a *DecodeError and a nil Notification
// on error (see DecodeSquare). The Notification is valid until the next
// call of Decode (see SquareDecoder).
func (d *SquareDecoder) Decode(body []byte) (*Notification, error) {
	d.d.reset("square", body)
	return decodeInto(&d.n, &d.d, decodeSquare)
}

// decodeInto decodes d's body into n with decode (decodeStripe,
// decodeSquare), its strings aliasing the body: n, or nil and the error
// with n zeroed.
func decodeInto(n *Notification, d *dec, decode func(*dec, *Notification) error) (*Notification, error) {
	*n = Notification{}
	if err := decode(d, n); err != nil {
		*n = Notification{}
		return nil, err
	}
	return n, nil
}

// release forgets the last body (so that a pooled decoder keeps none of
// it alive) and puts d back in stripeDecoders.
func (d *StripeDecoder) release() {
	d.n, d.d.src = Notification{}, nil
	d.d.s.ResetIndexed(nil)
	stripeDecoders.Put(d)
}

// release is StripeDecoder.release for squareDecoders.
func (d *SquareDecoder) release() {
	d.n, d.d.src = Notification{}, nil
	d.d.s.ResetIndexed(nil)
	squareDecoders.Put(d)
}

// pooledDecoder is a reused decoder borrowed from its pool.
type pooledDecoder interface {
	Decode(body []byte) (*Notification, error)
	release()
}

// decodePooled is DecodeStripe and DecodeSquare for a large body: d, from
// a pool, decodes it (its scanner's index buffer serving call after
// call), and the result is copied out to own its strings; d goes back.
func decodePooled(d pooledDecoder, body []byte) (Notification, error) {
	defer d.release()
	n, err := d.Decode(body)
	if err != nil {
		return Notification{}, err
	}
	out := *n
	out.own(body)
	return out, nil
}
