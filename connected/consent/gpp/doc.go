// Package gpp decodes IAB Global Privacy Platform strings: the header
// (Type 3, Version 1, the list of section ids as a Fibonacci-coded range)
// and the sections that follow it, separated by tildes. Section 2
// (tcfeuv2) is decoded as a TC string by package tcf, section 7 (usnat, the
// US national privacy section, versions 1 and 2, with its optional GPC
// sub-section) by DecodeUSNat; other sections are kept raw.
//
// Decoding is strict: the header must list exactly the sections present,
// every field must hold a defined value, and a failure is a *ParseError
// naming the section, sub-section, field and bit offset, matching a
// sentinel with errors.Is (ErrTruncated, ErrHeader, ErrSections, ...). The
// encoders (Encode, EncodeUSNat) exist for tests and examples.
//
// Everything here is a pure function of its input, safe for concurrent
// use. Mapping the signals to Touchpoint purposes is done by the consent
// package (consent.GPPReader).
package gpp
