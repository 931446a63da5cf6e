package vehicle

import (
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// SpeedUnit is the unit of a position stream's plain "speed" field.
type SpeedUnit uint8

// The speed units. Explicit keys (speed_mps, speed_kmh, speed_kn,
// speed_mph) always carry their own unit.
const (
	MetersPerSecond   SpeedUnit = iota // gpsd TPV, most phone SDKs
	KilometersPerHour                  // OEM dashboards, Smartcar metric
	Knots                              // Traccar, NMEA RMC
	MilesPerHour                       // Smartcar imperial
)

func (u SpeedUnit) factor() float64 {
	switch u {
	case KilometersPerHour:
		return 1 / 3.6
	case Knots:
		return 1852.0 / 3600
	case MilesPerHour:
		return 0.44704
	}
	return 1
}

// PositionDecoder decodes a generic position stream: one JSON object per
// message (NDJSON line, MQTT payload, Kafka value) with these members
// (aliases in brackets, units in the key where the key names one):
//
//	vehicle_id  [vehicleId, device_id, deviceId, id]   string, required
//	time        [timestamp, fixTime, ts]               RFC 3339 string, or epoch seconds / milliseconds (numbers above 1e11 are ms), required
//	lat         [latitude]                             degrees, required
//	lon         [lng, longitude]                       degrees, required
//	speed_mps, speed_kmh, speed_kn, speed_mph          speed in the unit the key names
//	speed                                              speed in the decoder's SpeedUnit (default m/s)
//	heading     [heading_deg, course, track, bearing]  degrees from true north, 0..360 (360 is 0)
//	accuracy    [accuracy_m]                           metres
//
// Other members are skipped (but must be well-formed JSON); null counts
// as absent. When a member appears twice the last one wins, as with
// encoding/json.
//
// Decode refuses malformed input with a *ParseError (Format "position"):
// ErrSyntax, ErrTruncated, ErrMissing, ErrType, ErrFormat (a time that
// is not RFC 3339, an id that is not UTF-8), ErrRange (coordinates,
// negative speed, heading, time outside MinTime..MaxTime). It returns a
// zero Position with every error.
//
// Vehicle ids are interned: once a decoder has seen an id, decoding
// another message of that vehicle allocates nothing (up to MaxInterned
// distinct ids; beyond that each new id allocates its string). A
// PositionDecoder is not safe for concurrent use; use one per goroutine.
type PositionDecoder struct {
	s      scanner
	ids    map[string]string
	max    int
	factor float64
}

// MaxInterned is the default number of vehicle ids a PositionDecoder
// interns.
const MaxInterned = 1 << 17

// NewPositionDecoder returns a decoder whose plain "speed" member is in
// unit u.
func NewPositionDecoder(u SpeedUnit) *PositionDecoder {
	return &PositionDecoder{ids: make(map[string]string), max: MaxInterned, factor: u.factor()}
}

// ParsePosition decodes one message of the generic position stream with
// speed in m/s (see PositionDecoder). It allocates; use a PositionDecoder
// for streams.
func ParsePosition(b []byte) (Position, error) {
	return NewPositionDecoder(MetersPerSecond).Decode(b)
}

// Decode decodes one message (see PositionDecoder). b is not retained.
func (d *PositionDecoder) Decode(b []byte) (Position, error) {
	s := &d.s
	s.init(b, "position")
	var p Position
	var haveID, haveTime, haveLat, haveLon bool
	if !s.enterObject() {
		return Position{}, s.err
	}
	first := true
	for {
		k, ok := s.nextKey(&first)
		if !ok {
			break
		}
		keyAt := s.at()
		if s.isNull() {
			continue
		}
		field := posField(k)
		switch field {
		case "vehicle_id":
			v, ok := s.strVal()
			if !ok {
				break
			}
			if len(v) == 0 {
				s.fail(keyAt, ErrMissing)
				break
			}
			if !jsonscan.ValidUTF8(v) {
				s.fail(keyAt, ErrFormat)
				break
			}
			p.VehicleID, haveID = d.intern(v), true
		case "time":
			var ok bool
			if p.Time, ok = s.timeVal(); ok {
				haveTime = true
			}
		case "lat":
			p.Lat, haveLat = s.num()
			if haveLat && (p.Lat < -90 || p.Lat > 90) {
				s.fail(keyAt, ErrRange)
			}
		case "lon":
			p.Lon, haveLon = s.num()
			if haveLon && (p.Lon < -180 || p.Lon > 180) {
				s.fail(keyAt, ErrRange)
			}
		case "speed_mps", "speed_kmh", "speed_kn", "speed_mph", "speed":
			v, ok := s.num()
			if ok && v < 0 {
				s.fail(keyAt, ErrRange)
			}
			p.Speed, p.HasSpeed = v*speedFactor(field, d.factor), ok
		case "heading":
			v, ok := s.num()
			if ok && (v < 0 || v > 360) {
				s.fail(keyAt, ErrRange)
			}
			if v == 360 {
				v = 0
			}
			p.Heading, p.HasHeading = v, ok
		case "accuracy":
			v, ok := s.num()
			if ok && v < 0 {
				s.fail(keyAt, ErrRange)
			}
			p.Accuracy = v
		default:
			s.skip()
		}
		if s.err != nil {
			if s.err.Field == "" {
				s.err.Field = string(k)
			}
			return Position{}, s.err
		}
	}
	s.end()
	if s.err == nil {
		switch {
		case !haveID:
			s.fail(len(b), ErrMissing)
			s.err.Field = "vehicle_id"
		case !haveTime:
			s.fail(len(b), ErrMissing)
			s.err.Field = "time"
		case !haveLat:
			s.fail(len(b), ErrMissing)
			s.err.Field = "lat"
		case !haveLon:
			s.fail(len(b), ErrMissing)
			s.err.Field = "lon"
		}
	}
	if s.err != nil {
		return Position{}, s.err
	}
	return p, nil
}

func speedFactor(field string, plain float64) float64 {
	switch field {
	case "speed_kmh":
		return 1 / 3.6
	case "speed_kn":
		return 1852.0 / 3600
	case "speed_mph":
		return 0.44704
	case "speed":
		return plain
	}
	return 1
}

// posField maps a member name to its canonical field ("" for others).
// The switch on string(k) does not allocate.
func posField(k []byte) string {
	switch string(k) {
	case "vehicle_id", "vehicleId", "device_id", "deviceId", "id":
		return "vehicle_id"
	case "time", "timestamp", "fixTime", "ts":
		return "time"
	case "lat", "latitude":
		return "lat"
	case "lon", "lng", "longitude":
		return "lon"
	case "speed_mps":
		return "speed_mps"
	case "speed_kmh":
		return "speed_kmh"
	case "speed_kn":
		return "speed_kn"
	case "speed_mph":
		return "speed_mph"
	case "speed":
		return "speed"
	case "heading", "heading_deg", "course", "track", "bearing":
		return "heading"
	case "accuracy", "accuracy_m":
		return "accuracy"
	}
	return ""
}

func (d *PositionDecoder) intern(v []byte) string {
	if s, ok := d.ids[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(d.ids) < d.max {
		d.ids[s] = s
	}
	return s
}

// timeVal reads an RFC 3339 string or an epoch number (seconds, or
// milliseconds above 1e11) and checks it against MinTime..MaxTime.
func (s *scanner) timeVal() (time.Time, bool) {
	at := s.at()
	var t time.Time
	c := s.next()
	if c <= ' ' {
		c = s.peek()
	}
	switch {
	case c == '"':
		v, ok := s.str()
		if !ok {
			return time.Time{}, false
		}
		if t, ok = parseRFC3339(v); !ok {
			s.fail(at, ErrFormat)
			return time.Time{}, false
		}
	case c >= '1' && c <= '9':
		// An integer (the usual epoch milliseconds) is converted without
		// going through float64: the same time epochTime gives, as
		// every integer below 2^53 is exact in a float64.
		txt, mant, exp10, exact := s.js.NumberParts()
		if !s.ok() {
			return time.Time{}, false
		}
		switch {
		case exact && exp10 == 0 && mant > 1e11 && mant < 1<<53:
			t = time.UnixMilli(int64(mant)).UTC()
		case exact && exp10 == 0 && mant <= 1e11:
			t = time.Unix(int64(mant), 0).UTC()
		default:
			v, ok := jsonscan.Float(txt, mant, exp10, exact)
			if !ok {
				s.fail(at, ErrRange)
				return time.Time{}, false
			}
			if t, ok = epochTime(v, false); !ok {
				s.fail(at, ErrRange)
				return time.Time{}, false
			}
		}
	case c == '-' || c == '0':
		v, ok := s.num()
		if !ok {
			return time.Time{}, false
		}
		if t, ok = epochTime(v, false); !ok {
			s.fail(at, ErrRange)
			return time.Time{}, false
		}
	default:
		s.typeErr()
		return time.Time{}, false
	}
	if !validTime(t) {
		s.fail(at, ErrRange)
		return time.Time{}, false
	}
	return t, true
}
