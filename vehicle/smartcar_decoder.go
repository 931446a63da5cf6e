package vehicle

// SmartcarDecoder decodes Smartcar webhook deliveries like DecodeSmartcar
// but reuses its memory: once it has seen a delivery of a given size and
// signal count, decoding another allocates nothing. Use it where
// deliveries arrive in a stream and each is handled before the next (a
// webhook worker, a replay).
//
// Ownership: the *SmartcarEvent Decode returns, and everything it holds
// (its Signals, Triggers, Errors and all strings), is valid only until
// the next call of Decode on the same decoder, which overwrites it, and
// only while the input is not modified: its strings alias the input b
// (those without JSON escapes) and the decoder's buffers (the others).
// Copy what must outlive that (the accessors' results - Position,
// OdometerMeters, ... - are values and hold no reference into either),
// or use DecodeSmartcar, whose event the caller owns outright.
//
// The zero value is ready to use. A SmartcarDecoder is not safe for
// concurrent use (use one per goroutine), and must not be copied after
// its first Decode: the copies would share the buffers.
type SmartcarDecoder struct {
	s    scanner
	bufs smartcarBufs
	ev   SmartcarEvent
}

// smartcarBufs are the slices a SmartcarDecoder rewrites on every call.
type smartcarBufs struct {
	sigs  []SmartcarSignal
	trigs []SmartcarTrigger
	errs  []SmartcarError
	codes []string // the errors' signal codes, end to end
}

// Decode decodes one delivery: the same format, checks and errors as
// DecodeSmartcar (a *ParseError with the JSON path and offset), and a nil
// event on error. The event is valid until the next call of Decode (see
// SmartcarDecoder).
func (d *SmartcarDecoder) Decode(b []byte) (*SmartcarEvent, error) {
	d.bufs.codes = d.bufs.codes[:0]
	d.s.reuse(b, "smartcar", &d.bufs)
	d.ev = SmartcarEvent{}
	err := d.s.smartcar(&d.ev)
	if err != nil {
		d.ev = SmartcarEvent{}
		return nil, err
	}
	return &d.ev, nil
}
