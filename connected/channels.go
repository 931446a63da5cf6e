package connected

import (
	"errors"
	"slices"
	"strconv"
	"strings"
)

// Channels is a channel registry: the built-in channels (BuiltinChannels)
// plus the ones a program registered at start, with WithChannels on its
// Client or NewChannels. Validation against a registry accepts the empty
// channel and the registered names, and refuses any other name with a
// *ValidationError on "context.channel" whose reason suggests the nearest
// registered name ("did you mean \"service\"?"), so a typo still cannot
// create a new channel in downstream reports.
//
// A Channels is immutable and safe for concurrent use. The nil *Channels
// is the registry of the built-in channels alone: its methods behave as
// the package-level functions (AppendSegment, Event.Validate,
// DecodeSegment) do.
type Channels struct {
	names []Channel // sorted
	set   map[Channel]struct{}
}

// MaxRegisteredChannels is the most channels a registry may hold besides
// the built-in ones.
const MaxRegisteredChannels = 64

// maxChannelLen is the longest channel name, in bytes.
const maxChannelLen = 32

// ErrChannelName is matched (errors.Is) by the *ChannelNameError that
// NewChannels and New (through WithChannels) return for a name that cannot
// be registered.
var ErrChannelName = errors.New("connected: invalid channel name")

// ChannelNameError reports a channel name refused by the registry: not of
// the form [a-z][a-z0-9_]* (at most 32 bytes, no "__", no trailing '_'),
// or one name too many. It matches ErrChannelName.
type ChannelNameError struct {
	Name   Channel // the name as given (possibly invalid UTF-8)
	Reason string
}

// Error says which name was refused and why.
func (e *ChannelNameError) Error() string {
	return "connected: channel name " + strconv.Quote(sanitize(string(e.Name))) + ": " + e.Reason
}

// Is reports whether target is ErrChannelName.
func (e *ChannelNameError) Is(target error) bool { return target == ErrChannelName }

// BuiltinChannels returns the built-in channels (web, mobile, store, pos,
// kiosk, wearable, vehicle, home, server), sorted. The slice is a fresh
// copy.
func BuiltinChannels() []Channel {
	return []Channel{ChannelHome, ChannelKiosk, ChannelMobile, ChannelPOS, ChannelServer,
		ChannelStore, ChannelVehicle, ChannelWearable, ChannelWeb}
}

// NewChannels returns the registry of the built-in channels and extra.
// Registering a built-in name again, or a name twice, is allowed and
// changes nothing. It returns a *ChannelNameError (ErrChannelName) for a
// malformed name — with the well-formed spelling suggested when there is
// one ("Contact-Center" → "contact_center") — or for more than
// MaxRegisteredChannels extra names.
func NewChannels(extra ...Channel) (*Channels, error) {
	cs := &Channels{set: make(map[Channel]struct{}, 9+len(extra))}
	for _, c := range BuiltinChannels() {
		cs.set[c] = struct{}{}
	}
	n := 0
	for _, c := range extra {
		if reason := channelNameProblem(c); reason != "" {
			if fixed := normalizeChannel(string(c)); fixed != string(c) && channelNameProblem(Channel(fixed)) == "" {
				reason += "; did you mean " + strconv.Quote(fixed) + "?"
			}
			return nil, &ChannelNameError{Name: c, Reason: reason}
		}
		if _, dup := cs.set[c]; dup {
			continue
		}
		if n++; n > MaxRegisteredChannels {
			return nil, &ChannelNameError{Name: c, Reason: "more than " + strconv.Itoa(MaxRegisteredChannels) + " registered channels"}
		}
		cs.set[c] = struct{}{}
	}
	cs.names = make([]Channel, 0, len(cs.set))
	for c := range cs.set {
		cs.names = append(cs.names, c)
	}
	slices.Sort(cs.names)
	return cs, nil
}

// Has reports whether c is a registered (or built-in) channel. The empty
// channel is not registered; validation allows it separately. It does
// not allocate.
func (cs *Channels) Has(c Channel) bool {
	if c != "" && c.Valid() {
		return true // every registry holds the built-in channels
	}
	if cs == nil {
		return false
	}
	_, ok := cs.set[c]
	return ok
}

// List returns the registered channels, built-in ones included, sorted.
// The slice is a fresh copy.
func (cs *Channels) List() []Channel {
	if cs == nil {
		return BuiltinChannels()
	}
	return slices.Clone(cs.names)
}

// Check returns nil when c is empty or registered, and otherwise a
// *ValidationError (ErrInvalidEvent) on "context.channel" that suggests
// the nearest registered name when one is close (see Suggest).
func (cs *Channels) Check(c Channel) error {
	if c == "" || cs.Has(c) {
		return nil
	}
	reason := "unknown channel \"" + sanitize(string(c)) + "\""
	if s, ok := cs.Suggest(c); ok {
		reason += "; did you mean \"" + string(s) + "\"?"
	} else {
		reason += " (register it with connected.WithChannels)"
	}
	return fieldError("context.channel", reason)
}

// Suggest returns the registered channel nearest to c and true, when one
// is close enough to be what was meant: the same name once lower-cased
// with '-' and ' ' as '_', or one edit away (two for names of five bytes
// or more), counting an insertion, a deletion, a substitution or a swap
// of neighbours as one edit. Ties go to the alphabetically first name.
func (cs *Channels) Suggest(c Channel) (Channel, bool) {
	s := normalizeChannel(string(c))
	if len(s) > 4*maxChannelLen {
		return "", false
	}
	names := cs.List()
	if slices.Contains(names, Channel(s)) {
		return Channel(s), true
	}
	limit := 1
	if len(s) >= 5 {
		limit = 2
	}
	best, bestD := Channel(""), limit+1
	for _, n := range names {
		if d := editDistance(s, string(n), bestD); d < bestD {
			best, bestD = n, d
		}
	}
	return best, best != ""
}

// Validate is Event.Validate with this registry's channels.
func (cs *Channels) Validate(e *Event) error {
	var scratch [512]byte
	_, _, err := appendSegment(scratch[:0], e, nil, cs)
	return err
}

// AppendSegment is the package-level AppendSegment with this registry's
// channels.
func (cs *Channels) AppendSegment(dst []byte, e *Event) ([]byte, error) {
	out, _, err := appendSegment(dst, e, nil, cs)
	if err != nil {
		return dst, err
	}
	return out, nil
}

// DecodeSegment is the package-level DecodeSegment with this registry's
// channels: a consumer of events from a Client configured WithChannels
// decodes them with the same registry (Client.Channels).
func (cs *Channels) DecodeSegment(data []byte) (Event, error) {
	return decodeSegment(data, cs)
}

// Channels returns the Client's channel registry: the built-in channels
// and those given by WithChannels. Events are validated against it.
func (c *Client) Channels() *Channels { return c.cfg.channels }

// channelNameProblem says why c cannot be registered, or "" when it can.
func channelNameProblem(c Channel) string {
	s := string(c)
	switch {
	case s == "":
		return "empty"
	case len(s) > maxChannelLen:
		return "longer than " + strconv.Itoa(maxChannelLen) + " bytes"
	case s[0] < 'a' || s[0] > 'z':
		return "must start with a lower-case letter a-z"
	case s[len(s)-1] == '_':
		return "must not end with '_'"
	case strings.Contains(s, "__"):
		return "must not contain \"__\""
	}
	for i := 0; i < len(s); i++ {
		if b := s[i]; !(b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_') {
			return "only lower-case letters a-z, digits and '_' are allowed"
		}
	}
	return ""
}

// normalizeChannel lower-cases ASCII letters, turns '-' and ' ' into '_'
// and trims surrounding white space.
func normalizeChannel(s string) string {
	s = strings.TrimSpace(s)
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		case c == '-' || c == ' ':
			b[i] = '_'
		}
	}
	return string(b)
}

// editDistance is the optimal-string-alignment distance between a and b
// (insertions, deletions, substitutions, adjacent swaps), or limit when
// it is at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}
