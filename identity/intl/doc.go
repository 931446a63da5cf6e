// Package intl gives identity's Normalizer full international coverage, in
// a module of its own so that the core module stays free of large
// dependencies:
//
//   - PhoneNormalizer (WithPhoneNumbers) reads phone numbers with
//     github.com/nyaruka/phonenumbers, a Go port of Google's libphonenumber:
//     national numbers of every region, national prefixes and carrier
//     codes, extensions and tel: URIs, and validity by each region's
//     numbering plan.
//   - WithNFC puts every non-ASCII identifier in Unicode Normalization Form
//     C with golang.org/x/text/unicode/norm, so that canonically
//     equivalent spellings ("é" as one code point or as "e" and a combining
//     accent) are one identifier.
//
// Options returns both, for identity.New and identity.NewNormalizer.
//
// Without this module, the core normalizer still reads international
// numbers of every country (dropping a stray trunk 0 after the country code
// for the 103 calling codes whose trunk prefix is 0, from a table generated
// here from libphonenumber's metadata: go generate), national numbers of
// the regions that identity.NormalizePhone lists, and refuses identifiers
// made only of invisible characters; non-ASCII values are compared code
// point by code point.
//
// Everything here is stateless and safe for concurrent use; nothing starts
// goroutines.
package intl

//go:generate go run ./internal/cmd/gentrunk -o ../normalize_phone_table.go
