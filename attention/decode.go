package attention

import (
	"errors"
	"math"
	"time"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// maxIDLen bounds the ids and names kept.
const maxIDLen = 128

// Decode reads one attention payload — an interaction or an attention
// summary, in the JSON form the package doc describes — into m.
//
// Raw gaze is refused before anything else is considered: a payload whose
// type is a gaze or eye-tracking sample type, that has a key naming gaze
// or eye data at any depth (gaze*, eye*, pupil*, fixation*, lookAtPoint,
// samples, pose, transform, targetRaySpace, gripSpace, ...), or a summary
// whose buckets are shorter than MinBucket, gets a *GazeError (ErrRawGaze).
// An eye-based summary needs the platform's eye tracking permission
// granted, and platforms that give apps no eye data (visionOS, WebXR,
// ARCore) cannot send one: *PermissionError (ErrPermission). Other
// malformed payloads get a *DecodeError naming the field: ErrSyntax,
// ErrTruncated, ErrMissingField, ErrFieldType, ErrUnknownType,
// ErrTooLarge. On error m is unchanged.
//
// Decode is safe for concurrent use on distinct outputs. An interaction
// allocates only the strings it keeps; a summary also its Dwells.
func Decode(b []byte, m *Message) error {
	if len(b) > MaxPayload {
		return &DecodeError{Offset: MaxPayload, Err: ErrTooLarge}
	}
	d := decoder{s: jsonscan.New(b)}
	var out Message
	d.message(&out)
	if d.err == nil {
		d.s.End()
		d.scanErr("")
	}
	if d.err != nil {
		return d.err
	}
	*m = out
	return nil
}

type decoder struct {
	s   jsonscan.Scanner
	err error
}

func (d *decoder) fail(field string, off int, cause error) {
	if d.err == nil {
		d.err = &DecodeError{Field: field, Offset: off, Err: cause}
	}
}

func (d *decoder) gaze(field string, off int, reason string) {
	if d.err == nil {
		d.err = &GazeError{Field: field, Offset: off, Reason: reason}
	}
}

func (d *decoder) scanErr(field string) bool {
	err := d.s.Err()
	if err == nil {
		return false
	}
	if d.err == nil {
		var se *jsonscan.SyntaxError
		off, cause := d.s.Pos(), ErrSyntax
		if errors.As(err, &se) {
			off = se.Offset
			switch {
			case errors.Is(se.Err, jsonscan.ErrTruncated):
				cause = ErrTruncated
			case errors.Is(se.Err, jsonscan.ErrType):
				cause = ErrFieldType
			}
		}
		d.err = &DecodeError{Field: field, Offset: off, Err: cause}
	}
	return true
}

// wire is what the payload said, before it is checked.
type wire struct {
	typ, platform, basis, session, product, sku, target string
	permName, permState                                 string
	hand, rayMode, profile                              string
	at, start                                           time.Time
	durationMS, bucketMS                                float64
	hasDuration, hasBucket                              bool
	buckets                                             int
	dwells                                              []Dwell
	offType                                             int
}

func (d *decoder) message(m *Message) {
	var w wire
	it := d.s.Object()
	d.scanErr("")
	for it.Next() {
		key := it.Key()
		off := d.s.Pos()
		if forbidden(key) {
			d.gaze(string(key), off, "raw gaze or eye data")
			return
		}
		switch string(key) {
		case "type":
			w.offType = off
			w.typ = d.str("type", 32)
		case "platform":
			w.platform = d.str("platform", 32)
		case "session":
			w.session = d.str("session", maxIDLen)
		case "target":
			w.target = d.str("target", maxIDLen)
		case "time":
			w.at = d.time("time")
		case "start":
			w.start = d.time("start")
		case "duration_ms":
			w.durationMS, w.hasDuration = d.num("duration_ms"), true
		case "bucket_ms":
			w.bucketMS, w.hasBucket = d.num("bucket_ms"), true
		case "basis":
			w.basis = d.str("basis", 16)
		case "product":
			d.product(&w)
		case "input":
			d.input(&w)
		case "permission":
			d.permission(&w)
		case "buckets":
			d.buckets(&w)
		default:
			d.skip(string(key))
		}
		if d.err != nil {
			return
		}
	}
	if d.scanErr("") {
		return
	}
	d.check(&w, m)
}

// forbidden reports whether an object key names raw gaze or eye data. It
// compares case-insensitively, ignoring '_' and '-'.
func forbidden(key []byte) bool {
	switch string(key) { // the keys of the format: the fast path
	case "type", "platform", "time", "session", "product", "id", "sku", "target", "input", "handedness",
		"targetRayMode", "profiles", "duration_ms", "basis", "permission", "name", "state", "start",
		"bucket_ms", "buckets", "targets", "kind", "dwell_ms":
		return false
	}
	var buf [40]byte
	n := 0
	for _, c := range key {
		if c == '_' || c == '-' {
			continue
		}
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if n == len(buf) {
			break
		}
		buf[n] = c
		n++
	}
	k := string(buf[:n]) // does not escape: no allocation
	for _, p := range [...]string{"gaze", "eye", "pupil", "fixation", "saccade", "blink"} {
		if len(k) >= len(p) && k[:len(p)] == p {
			return true
		}
	}
	switch k {
	case "samples", "sample", "lookatpoint", "lookat", "targetrayspace", "gripspace", "pose", "poses",
		"transform", "transforms", "headpose", "viewerpose", "ray", "rays", "vergence":
		return true
	}
	return false
}

// skip skips a value, refusing forbidden keys inside it.
func (d *decoder) skip(field string) {
	switch d.s.Peek() {
	case '{':
		it := d.s.Object()
		for it.Next() {
			if forbidden(it.Key()) {
				d.gaze(field+"."+string(it.Key()), d.s.Pos(), "raw gaze or eye data")
				return
			}
			d.skip(field)
			if d.err != nil {
				return
			}
		}
	case '[':
		it := d.s.Array()
		for it.Next() {
			d.skip(field)
			if d.err != nil {
				return
			}
		}
	default:
		d.s.Skip()
	}
	d.scanErr(field)
}

func (d *decoder) str(field string, max int) string {
	off := d.s.Pos()
	b := d.s.String()
	if d.scanErr(field) {
		return ""
	}
	if len(b) > max || !jsonscan.ValidUTF8(b) {
		d.fail(field, off, ErrFieldType)
		return ""
	}
	return intern(b)
}

func intern(b []byte) string {
	switch string(b) {
	case "select":
		return "select"
	case "squeeze":
		return "squeeze"
	case "tap":
		return "tap"
	case "ar_view":
		return "ar_view"
	case "try_on_start":
		return "try_on_start"
	case "try_on_complete":
		return "try_on_complete"
	case "attention_summary":
		return "attention_summary"
	case "product":
		return "product"
	case "shelf":
		return "shelf"
	case "view":
		return "view"
	case "eye":
		return "eye"
	case "right":
		return "right"
	case "left":
		return "left"
	case "none":
		return "none"
	case "transient-pointer":
		return "transient-pointer"
	case "tracked-pointer":
		return "tracked-pointer"
	case "screen":
		return "screen"
	case "gaze":
		return "gaze"
	case "granted":
		return "granted"
	}
	return string(b)
}

func (d *decoder) num(field string) float64 {
	off := d.s.Pos()
	v := d.s.Number()
	if d.scanErr(field) {
		return 0
	}
	if v < 0 || math.IsInf(v, 0) {
		d.fail(field, off, ErrFieldType)
	}
	return v
}

func (d *decoder) time(field string) time.Time {
	off := d.s.Pos()
	b := d.s.String()
	if d.scanErr(field) {
		return time.Time{}
	}
	t, ok := jsonscan.ParseTime(b)
	if !ok || t.Year() < 1970 || t.Year() > 2200 {
		d.fail(field, off, ErrFieldType)
	}
	return t
}
