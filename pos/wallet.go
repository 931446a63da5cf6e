package pos

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/internal/jsonscan"
)

// Platform is a wallet platform.
type Platform uint8

// The wallet platforms.
const (
	PlatformApple  Platform = iota + 1 // Apple Wallet (PassKit)
	PlatformGoogle                     // Google Wallet
)

// String returns "apple" or "google".
func (p Platform) String() string {
	switch p {
	case PlatformApple:
		return "apple"
	case PlatformGoogle:
		return "google"
	}
	return "unknown"
}

// PassOp is what happened to a wallet pass.
type PassOp uint8

// The pass operations.
const (
	// PassAdded: the pass was added to a wallet (Apple device
	// registration, Google "save" callback).
	PassAdded PassOp = iota + 1
	// PassUpdated: a device fetched the pass's latest version (Apple GET
	// /v1/passes/…), after an update push.
	PassUpdated
	// PassRemoved: the pass was removed, or its updates turned off (Apple
	// unregistration, Google "del" callback).
	PassRemoved
)

// String returns "added", "updated" or "removed".
func (o PassOp) String() string {
	switch o {
	case PassAdded:
		return "added"
	case PassUpdated:
		return "updated"
	case PassRemoved:
		return "removed"
	}
	return "unknown"
}

// PassChange is one decoded wallet-pass notification.
type PassChange struct {
	Platform Platform
	Op       PassOp
	// PassType is Apple's passTypeIdentifier ("pass.com.example.loyalty")
	// or Google's classId ("3388000000012345678.gold_tier").
	PassType string
	// Serial is Apple's serialNumber or Google's objectId: it identifies
	// one customer's pass and leaves this package only as a pseudonym.
	Serial string
	// Device is Apple's deviceLibraryIdentifier (pseudonymised like
	// Serial); empty for Google.
	Device string
	// HasPushToken is whether an Apple registration carried a pushToken.
	// The token itself is never kept: it addresses a device.
	HasPushToken bool
	// Nonce is Google's per-message nonce: the dedupe key of callbacks,
	// which Google retries.
	Nonce string
	// Expires is when Google's signed message expires (expTimeMillis).
	Expires time.Time
}

// DecodeAppleWebService decodes a request to an Apple Wallet pass web
// service (Apple's "Adding a Web Service to Update Passes"): POST
// …/v1/devices/{deviceLibraryIdentifier}/registrations/{passTypeIdentifier}/{serialNumber}
// with body {"pushToken": …} is PassAdded; DELETE on that path is
// PassRemoved; GET …/v1/passes/{passTypeIdentifier}/{serialNumber} is
// PassUpdated. path is the request path (any prefix of the
// webServiceURL before /v1/ is ignored; a query is ignored).
//
// Check the Authorization: ApplePass <authenticationToken> header against
// the pass before decoding. Other requests (the serial-number list, /log)
// get ErrUnsupported. It returns a *DecodeError and no partial value.
func DecodeAppleWebService(method, path string, body []byte) (PassChange, error) {
	fail := func(field string, err error) (PassChange, error) {
		return PassChange{}, &DecodeError{Format: "apple_webservice", Field: field, Offset: -1, Err: err}
	}
	if q := strings.IndexByte(path, '?'); q >= 0 {
		path = path[:q]
	}
	i := strings.Index(path, "/v1/")
	if i < 0 {
		return fail("path", &detail{ErrInvalid, "no /v1/ segment"})
	}
	seg := strings.Split(strings.TrimSuffix(path[i+len("/v1/"):], "/"), "/")
	for _, s := range seg {
		if !validSegment(s) {
			return fail("path", &detail{ErrInvalid, "empty path segment, or one with control characters or invalid UTF-8"})
		}
	}
	pc := PassChange{Platform: PlatformApple}
	switch {
	case len(seg) == 5 && seg[0] == "devices" && seg[2] == "registrations":
		pc.Device, pc.PassType, pc.Serial = seg[1], seg[3], seg[4]
		switch method {
		case "POST":
			pc.Op = PassAdded
			d := newDec("apple_webservice", body)
			it := d.s.Object()
			for it.Next() {
				if string(it.Key()) == "pushToken" {
					pc.HasPushToken = len(d.bytes("pushToken")) > 0
				} else {
					d.s.Skip()
				}
			}
			if err := d.finish(); err != nil {
				return PassChange{}, err
			}
			if !pc.HasPushToken {
				return fail("pushToken", ErrMissing)
			}
		case "DELETE":
			pc.Op = PassRemoved
		default:
			return fail("method", &detail{ErrInvalid, "registrations take POST or DELETE, not " + quoteShort(method)})
		}
	case len(seg) == 3 && seg[0] == "passes":
		if method != "GET" {
			return fail("method", &detail{ErrInvalid, "passes take GET, not " + quoteShort(method)})
		}
		pc.Op, pc.PassType, pc.Serial = PassUpdated, seg[1], seg[2]
	case len(seg) >= 1 && (seg[0] == "log" || seg[0] == "devices"):
		return fail("path", &detail{ErrUnsupported, "only registrations and pass fetches are pass events"})
	default:
		return fail("path", &detail{ErrInvalid, "not a PassKit web service path"})
	}
	if !strings.HasPrefix(pc.PassType, "pass.") {
		return fail("passTypeIdentifier", &detail{ErrInvalid, "a pass type identifier starts with \"pass.\""})
	}
	return pc, nil
}

// validSegment reports whether s is a non-empty, printable UTF-8 path
// segment.
func validSegment(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// DecodeGoogleWalletCallback decodes a Google Wallet save/delete callback
// (Google's "Add and delete callbacks"): either the POSTed envelope
// {signature, intermediateSigningKey, protocolVersion: "ECv2SigningOnly",
// signedMessage: "<JSON string>"} or the signed message itself,
// {classId, objectId, expTimeMillis, eventType: "save"|"del", nonce}.
//
// It does not verify the signature: do that first (Tink's
// PaymentMethodTokenRecipient, sender GooglePayPasses, protocol
// ECv2SigningOnly). Dedupe on Nonce: Google retries. It returns a
// *DecodeError (ErrSyntax, ErrType, ErrMissing, ErrInvalid for an unknown
// eventType or a protocol other than ECv2SigningOnly) and no partial
// value.
func DecodeGoogleWalletCallback(body []byte) (PassChange, error) {
	d := newDec("google_wallet", body)
	var msg []byte
	var envelope bool
	pc := PassChange{Platform: PlatformGoogle}
	var event string
	it := d.s.Object()
	for k := it.NextKey(googleEnvelopeKeys); k >= 0; k = it.NextKey(googleEnvelopeKeys) {
		switch k {
		case 0: // signedMessage
			envelope = true
			msg = d.bytes("signedMessage")
		case 1: // protocolVersion
			envelope = true
			if v := d.bytes("protocolVersion"); d.ok() && string(v) != "ECv2SigningOnly" {
				d.fail("protocolVersion", -1, &detail{ErrInvalid, "want ECv2SigningOnly"})
			}
		default: // the message's keys, in the same order
			if !envelope {
				d.googleField(k-2, &pc, &event)
			} else {
				d.s.Skip()
			}
		}
	}
	if err := d.finish(); err != nil {
		return PassChange{}, err
	}
	if envelope {
		if len(msg) == 0 {
			d.fail("signedMessage", -1, ErrMissing)
			return PassChange{}, d.err
		}
		pc, event = PassChange{Platform: PlatformGoogle}, ""
		inner := dec{s: jsonscan.New(msg), src: msg, format: "google_wallet"}
		it := inner.s.Object()
		for k := it.NextKey(googleMessageKeys); k >= 0; k = it.NextKey(googleMessageKeys) {
			inner.googleField(k, &pc, &event)
		}
		inner.s.End()
		if !inner.check("signedMessage") {
			inner.err.Field = "signedMessage" + suffix(inner.err.Field)
			return PassChange{}, inner.err
		}
		d = inner
	}
	switch {
	case pc.PassType == "":
		d.fail("classId", -1, ErrMissing)
	case pc.Serial == "":
		d.fail("objectId", -1, ErrMissing)
	case event == "":
		d.fail("eventType", -1, ErrMissing)
	case event == "save":
		pc.Op = PassAdded
	case event == "del":
		pc.Op = PassRemoved
	default:
		d.fail("eventType", -1, &detail{ErrInvalid, "want save or del, got " + quoteShort(event)})
	}
	if d.err != nil {
		return PassChange{}, d.err
	}
	pc.own(body)
	return pc, nil
}

// own makes pc's strings independent of the payload they came from.
func (pc *PassChange) own(payload []byte) {
	own(payload, &pc.PassType, &pc.Serial, &pc.Device, &pc.Nonce)
}

func suffix(f string) string {
	if f == "" || f == "signedMessage" {
		return ""
	}
	return "." + f
}

// The keys the Google Wallet decoder keeps: the envelope's, then the
// signed message's (googleField's cases are indices in
// googleMessageKeys); others are skipped, and validated, by the scanner.
var (
	googleEnvelopeKeys = jsonscan.NewKeys("signedMessage", "protocolVersion",
		"classId", "objectId", "eventType", "nonce", "expTimeMillis")
	googleMessageKeys = jsonscan.NewKeys("classId", "objectId", "eventType", "nonce", "expTimeMillis")
)

// googleField reads the signed message's member k (an index in
// googleMessageKeys).
func (d *dec) googleField(k int, pc *PassChange, event *string) {
	switch k {
	case 0: // classId
		pc.PassType = d.str("classId")
	case 1: // objectId
		pc.Serial = d.str("objectId")
	case 2: // eventType
		*event = d.str("eventType")
	case 3: // nonce
		pc.Nonce = d.str("nonce")
	case 4: // expTimeMillis
		ms, ok := d.amount("expTimeMillis")
		if ok {
			pc.Expires = time.UnixMilli(ms).UTC()
		}
	}
}
