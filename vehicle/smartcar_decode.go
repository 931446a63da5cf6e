package vehicle

import "github.com/touchpoint-sdk/touchpoint/internal/jsonscan"

// DecodeSmartcar decodes one Smartcar webhook delivery (v4 payloads:
// VERIFY, VEHICLE_STATE, VEHICLE_ERROR; the field variants of Smartcar's
// documentation are all accepted, see SmartcarEvent). Verify the
// SC-Signature first (VerifySmartcarSignature).
//
// It is strict: malformed JSON, a wrong JSON type, a missing required
// field (eventType; eventId for VEHICLE_STATE and VEHICLE_ERROR; the
// vehicle id and data.signals for VEHICLE_STATE; data.challenge for
// VERIFY), an unknown eventType (ErrUnknownEvent), coordinates out of
// range, a state of charge outside 0-100, a negative odometer or speed,
// and an odometer or speed unit this package cannot convert (ErrUnit) get
// a *ParseError (Format "smartcar") with the JSON path of the field, and
// a zero SmartcarEvent. Strings the event keeps must be valid UTF-8
// (ErrFormat). Members it does not know are skipped but must be
// well-formed. It is safe for concurrent use.
func DecodeSmartcar(b []byte) (SmartcarEvent, error) {
	var s scanner
	s.init(b, "smartcar")
	var e SmartcarEvent
	if err := s.smartcar(&e); err != nil {
		return SmartcarEvent{}, err
	}
	return e, nil
}

// smartcar decodes the delivery s was initialised with into e (zero on
// entry). On error e holds a partial value the caller must drop.
func (s *scanner) smartcar(e *SmartcarEvent) *ParseError {
	haveSignals := false
	if !s.enterObject() {
		return s.err
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			break
		}
		at := s.at()
		switch string(k) {
		case "eventId":
			e.EventID = s.optString()
			s.inKey("eventId")
		case "eventType":
			v, ok := s.strVal()
			if ok {
				switch SmartcarEventType(v) {
				case SmartcarVerify:
					e.Type = SmartcarVerify
				case SmartcarVehicleState:
					e.Type = SmartcarVehicleState
				case SmartcarVehicleError:
					e.Type = SmartcarVehicleError
				default:
					s.fail(at, ErrUnknownEvent)
				}
			}
			s.inKey("eventType")
		case "vehicleId":
			e.VehicleID = s.optString()
			s.inKey("vehicleId")
		case "data":
			n := s.push("data")
			haveSignals = s.scData(e) || haveSignals
			s.pop(n)
		case "triggers":
			n := s.push("triggers")
			e.Triggers = s.scTriggers(e.Triggers)
			s.pop(n)
		case "meta":
			n := s.push("meta")
			s.scMeta(&e.Meta)
			s.pop(n)
		default:
			s.skip()
		}
	}
	s.end()
	if s.err == nil {
		if e.VehicleID == "" {
			e.VehicleID = e.Vehicle.ID
		}
		missing := ""
		switch {
		case e.Type == "":
			missing = "eventType"
		case e.Type == SmartcarVerify && e.Challenge == "":
			missing = "data.challenge"
		case e.Type != SmartcarVerify && e.EventID == "":
			missing = "eventId"
		case e.Type == SmartcarVehicleState && e.VehicleID == "":
			missing = "vehicleId"
		case e.Type == SmartcarVehicleState && !haveSignals:
			missing = "data.signals"
		}
		if missing != "" {
			s.fail(s.n, ErrMissing)
			s.err.Field = missing
		}
	}
	return s.err
}

// optString reads a string or null.
func (s *scanner) optString() string {
	c := s.next()
	if c <= ' ' {
		c = s.peek()
	}
	switch c {
	case '"':
		at := s.js.Pos()
		v := s.js.Text()
		if s.js.Failed() {
			s.takeErr()
			return ""
		}
		if !jsonscan.ValidUTF8(v) {
			s.fail(at, ErrFormat)
			return ""
		}
		return s.keep(v)
	case 'n':
		s.isNull()
	default:
		s.typeErr()
	}
	return ""
}

func (s *scanner) optInt() int {
	if s.isNull() {
		return 0
	}
	at := s.at()
	f, ok := s.num()
	if ok && (f != float64(int(f)) || f < -1e9 || f > 1e9) {
		s.fail(at, ErrRange)
		return 0
	}
	return int(f)
}

// scData reads data; it reports whether data.signals was present.
func (s *scanner) scData(e *SmartcarEvent) (haveSignals bool) {
	if s.isNull() || !s.enterObject() {
		return false
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return haveSignals
		}
		switch string(k) {
		case "vehicle":
			n := s.push("vehicle")
			s.scVehicle(&e.Vehicle)
			s.pop(n)
		case "user":
			n := s.push("user")
			s.scUser(e)
			s.pop(n)
		case "challenge":
			e.Challenge = s.optString()
			s.inKey("challenge")
		case "triggers":
			n := s.push("triggers")
			e.Triggers = s.scTriggers(e.Triggers)
			s.pop(n)
		case "signals":
			n := s.push("signals")
			if !s.isNull() {
				haveSignals = true
				e.Signals = s.scSignals(e.Signals[:0])
			}
			s.pop(n)
		case "errors":
			n := s.push("errors")
			e.Errors = s.scErrors(e.Errors[:0])
			s.pop(n)
		default:
			s.skip()
		}
	}
}

func (s *scanner) scVehicle(v *SmartcarVehicle) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "id":
			v.ID = s.optString()
		case "make":
			v.Make = s.optString()
		case "model":
			v.Model = s.optString()
		case "vin":
			v.VIN = s.optString()
		case "year":
			v.Year = s.optInt()
			s.inKey("year")
		default:
			s.skip()
		}
	}
}

func (s *scanner) scUser(e *SmartcarEvent) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		if string(k) == "id" {
			e.UserID = s.optString()
		} else {
			s.skip()
		}
	}
}

// scNamed reads {"code", "name", "group"} (a trigger's signal, an error's
// signal) into the three strings.
func (s *scanner) scNamed(code, name, group *string) {
	if s.isNull() || !s.enterObject() {
		return
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			return
		}
		switch string(k) {
		case "code":
			*code = s.optString()
		case "name":
			*name = s.optString()
		case "group":
			*group = s.optString()
		default:
			s.skip()
		}
	}
}

func (s *scanner) scTriggers(dst []SmartcarTrigger) []SmartcarTrigger {
	dst = dst[:0]
	if s.bufs != nil {
		dst = s.bufs.trigs[:0]
		defer func() { s.bufs.trigs = dst }()
	}
	if s.isNull() || !s.enterArray() {
		return dst
	}
	first := true
	for i := 0; s.nextElem(&first); i++ {
		n := s.pushIndex(i)
		var t SmartcarTrigger
		if s.enterObject() {
			f := true
			for {
				k, ok := s.nextKey(&f)
				if !ok {
					break
				}
				switch string(k) {
				case "type":
					t.Type = s.optString()
				case "signal":
					s.scNamed(&t.Code, &t.Name, &t.Group)
				case "code":
					t.Code = s.optString()
				case "name":
					t.Name = s.optString()
				case "group":
					t.Group = s.optString()
				default:
					s.skip()
				}
			}
		}
		if t.Type == "" {
			t.Type = "SIGNAL_UPDATED"
			if t.Code == "FIRST_DELIVERY" {
				t.Type, t.Code = "FIRST_DELIVERY", ""
			}
		}
		s.pop(n)
		dst = append(dst, t)
	}
	return dst
}

func (s *scanner) scErrors(dst []SmartcarError) []SmartcarError {
	if s.bufs != nil {
		dst = s.bufs.errs[:0]
		defer func() { s.bufs.errs = dst }()
	}
	if s.isNull() || !s.enterArray() {
		return dst
	}
	first := true
	for i := 0; s.nextElem(&first); i++ {
		n := s.pushIndex(i)
		var x SmartcarError
		if s.enterObject() {
			f := true
			for {
				k, ok := s.nextKey(&f)
				if !ok {
					break
				}
				switch string(k) {
				case "type":
					x.Type = s.optString()
				case "code":
					x.Code = s.optString()
				case "state":
					x.State = s.optString()
				case "description":
					x.Description = s.optString()
				case "suggestedUserMessage":
					x.SuggestedUserMessage = s.optString()
				case "docURL":
					x.DocURL = s.optString()
				case "resolution":
					x.Resolution = s.scResolution()
				case "signals":
					x.Signals = s.scErrorSignals()
				default:
					s.skip()
				}
			}
		}
		s.pop(n)
		dst = append(dst, x)
	}
	return dst
}

// scErrorSignals reads an error's signals: the codes of its {"code",
// "name", "group"} entries. A SmartcarDecoder keeps them in one reused
// slice (each error's a full slice expression of it, so an append to
// one cannot write into the next).
func (s *scanner) scErrorSignals() []string {
	if s.isNull() || !s.enterArray() {
		return nil
	}
	var out []string
	start := 0
	if s.bufs != nil {
		out = s.bufs.codes
		start = len(out)
	}
	ff := true
	for s.nextElem(&ff) {
		var c, nm, g string
		s.scNamed(&c, &nm, &g)
		if c != "" {
			out = append(out, c)
		}
	}
	if s.bufs == nil {
		return out
	}
	s.bufs.codes = out
	if len(out) == start {
		return nil
	}
	return out[start:len(out):len(out)]
}
