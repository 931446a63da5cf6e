package tcf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error returned by Decode is a *ParseError that
// matches exactly one of them with errors.Is; every error returned by Encode
// is an *EncodeError that matches ErrField or ErrRange.
var (
	// ErrEmpty: the input is empty, or a segment between dots is empty.
	ErrEmpty = errors.New("tcf: empty string or segment")
	// ErrTooLong: the input is longer than MaxLength characters.
	ErrTooLong = errors.New("tcf: string too long")
	// ErrEncoding: a character is not in the base64url alphabet
	// (A-Z a-z 0-9 - _). Padding ("=") is not allowed either.
	ErrEncoding = errors.New("tcf: not base64url")
	// ErrTruncated: a segment ends before a field it must hold.
	ErrTruncated = errors.New("tcf: truncated")
	// ErrVersion: the core segment's Version is not 2.
	ErrVersion = errors.New("tcf: unsupported version")
	// ErrPolicyVersion: TcfPolicyVersion is below the minimum (4 unless the
	// Decoder says otherwise): "Post 30 September 2023 a TC String created
	// with a policy version set to smaller than 4 will be deemed invalid".
	ErrPolicyVersion = errors.New("tcf: policy version too old")
	// ErrNotServiceSpecific: IsServiceSpecific is 0 ("globally scoped"),
	// which TCF v2.2 no longer allows.
	ErrNotServiceSpecific = errors.New("tcf: not service-specific")
	// ErrField: a field holds a value the specification does not allow (a
	// language letter past z, restriction type 3, legitimate interest for
	// purposes 3-6, ...).
	ErrField = errors.New("tcf: invalid field value")
	// ErrRange: a vendor range entry is invalid: vendor id 0, end before
	// start, entries not in ascending order or overlapping, or an id above
	// MaxVendorId.
	ErrRange = errors.New("tcf: invalid vendor range")
	// ErrSegment: a segment after the core has an unknown or repeated
	// SegmentType, or claims to be a second core segment.
	ErrSegment = errors.New("tcf: invalid segment")
	// ErrMissingSegment: the DisclosedVendors segment is required (TCF 2.3:
	// strings created on or after 2026-03-01, or Decoder.RequireDisclosedVendors)
	// but absent.
	ErrMissingSegment = errors.New("tcf: missing disclosed vendors segment")
	// ErrTrailingData: a segment has 24 or more bits after its last field
	// and they are not all zero. Fewer bits are padding and may hold
	// anything, as in the IAB reference decoder.
	ErrTrailingData = errors.New("tcf: trailing data")
)

// SegmentType identifies a TC string segment. The core segment carries no
// type field and is always first; the others start with a 3-bit type.
type SegmentType int

// Segment types as the specification numbers them.
const (
	SegmentCore             SegmentType = 0
	SegmentDisclosedVendors SegmentType = 1
	SegmentAllowedVendors   SegmentType = 2 // deprecated OOB segment, still decoded
	SegmentPublisherTC      SegmentType = 3
)

// String returns the specification's name of the segment type.
func (s SegmentType) String() string {
	switch s {
	case SegmentCore:
		return "Core"
	case SegmentDisclosedVendors:
		return "DisclosedVendors"
	case SegmentAllowedVendors:
		return "AllowedVendors"
	case SegmentPublisherTC:
		return "PublisherTC"
	}
	return fmt.Sprintf("SegmentType(%d)", int(s))
}

// ParseError says where a TC string could not be decoded: the segment (its
// position among the dot-separated segments, 0 for the core), the field, and
// the bit offset inside that segment. For ErrEncoding the offset is that of
// the first bit of the bad character (6 × its index in the segment). It
// matches its sentinel with errors.Is and unwraps to it.
type ParseError struct {
	Segment int    // index of the dot-separated segment, 0 = core
	Field   string // specification field name, e.g. "VendorConsents.RangeEntry[2]"
	Offset  int    // bit offset inside the segment
	Err     error  // one of the sentinel errors
	Detail  string // what was found, for humans; may be empty
}

func (e *ParseError) Error() string {
	s := fmt.Sprintf("%v: segment %d, bit %d", e.Err, e.Segment, e.Offset)
	if e.Field != "" {
		s += ", " + e.Field
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap returns the sentinel error.
func (e *ParseError) Unwrap() error { return e.Err }

// EncodeError says which field of a TCString cannot be encoded and why. It
// matches ErrField or ErrRange with errors.Is.
type EncodeError struct {
	Field  string
	Err    error
	Detail string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("%v: encode %s: %s", e.Err, e.Field, e.Detail)
}

// Unwrap returns the sentinel error.
func (e *EncodeError) Unwrap() error { return e.Err }
