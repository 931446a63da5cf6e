// Package tcf decodes and encodes IAB Transparency and Consent Framework
// (TCF) v2.2/2.3 TC strings in pure Go.
//
// A TC string is one to four base64url segments joined by dots: the core
// segment (metadata, purpose consents and legitimate interests, special
// feature opt-ins, vendor consents and legitimate interests, publisher
// restrictions), then optionally DisclosedVendors (mandatory for strings
// created from 2026-03-01, TCF 2.3), the deprecated AllowedVendors, and
// PublisherTC. Vendor sections are either a bitfield or a list of ranges;
// Decode accepts both and returns vendor sets in one canonical form.
//
// Decode is strict: the encoding, every length, the version, the policy
// version (at least 4 unless a Decoder lowers it), the service-specific
// flag, legitimate interest for purposes 3-6 in the core segment and the
// order of vendor range entries are all checked, and a failure is a
// *ParseError saying which segment,
// field and bit offset, matching one sentinel (ErrTruncated, ErrEncoding,
// ErrVersion, ErrPolicyVersion, ErrRange, ...) with errors.Is. Decode never
// panics and never returns a partial value. Where the IAB's reference
// library (iabtcf-es) is the de facto definition, Decode reads as it does:
// publisher restriction entries add up per (purpose, type) pair whatever
// their order or repetitions, padding bits may be non-zero, and the
// PublisherTC segment may declare legitimate interest for any purpose. A
// differential test compares Decode with that library's answers.
//
// Encode is the inverse, used by tests, examples and CMP-side code: it
// writes the shorter of the two vendor encodings and pads like the IAB
// reference encoder, so the specification's example string re-encodes to
// the same bytes.
//
// Everything here is a pure function of its input: no goroutines, no
// globals, safe for concurrent use. Mapping TCF purposes to Touchpoint's
// own purposes is done by the consent package (consent.TCFReader).
package tcf
