package intl

import (
	"github.com/touchpoint-sdk/touchpoint/identity"
	"golang.org/x/text/unicode/norm"
)

// WithNFC is identity.WithUnicodeNormalizer(norm.NFC): every non-ASCII
// identifier value is put in Unicode Normalization Form C before the
// type's rules.
func WithNFC() identity.Option {
	return identity.WithUnicodeNormalizer(norm.NFC)
}

// Options returns WithPhoneNumbers and WithNFC, to add to the options of
// identity.New or identity.NewNormalizer.
func Options() []identity.Option {
	return []identity.Option{WithPhoneNumbers(), WithNFC()}
}
