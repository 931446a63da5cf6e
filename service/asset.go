package service

import "github.com/touchpoint-sdk/touchpoint/connected"

// Asset is an installed product: the product (a SKU, a product id such as
// Salesforce's Product2Id, or the maker) and its serial number, which is
// unique only together with the product.
type Asset struct {
	Product string
	Serial  string
}

// IsZero reports whether a has neither product nor serial.
func (a Asset) IsZero() bool { return a.Product == "" && a.Serial == "" }

// Key returns the asset's identifier: "PRODUCT:SERIAL", each part upper
// case without spaces and '-', the value identity normalizes
// identity.TypeAssetSerial identifiers to, so "heatpump-9kw" /
// "HP-9X 22811" and "HEATPUMP9KW" / "hp9x22811" are one asset. Parts may
// hold letters, digits, '.', '/' and '_'; the key is at most 128 bytes. It
// returns a *FieldError (ErrMissing, ErrInvalid) naming "Asset.Product" or
// "Asset.Serial" otherwise. It allocates the key only.
func (a Asset) Key() (string, error) { return a.key(0) }

func (a Asset) key(k Kind) (string, error) {
	var buf [160]byte
	b, err := appendPart(buf[:0], k, "Asset.Product", a.Product)
	if err != nil {
		return "", err
	}
	b = append(b, ':')
	if b, err = appendPart(b, k, "Asset.Serial", a.Serial); err != nil {
		return "", err
	}
	if len(b) > 128 {
		return "", invalid(k, "Asset", "product and serial longer than 128 characters")
	}
	return string(b), nil
}

func appendPart(b []byte, k Kind, field, s string) ([]byte, error) {
	n := len(b)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '-' || c == '\t':
		case c >= 'a' && c <= 'z':
			b = append(b, c-'a'+'A')
		case c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '/' || c == '_':
			b = append(b, c)
		default:
			return b, invalid(k, field, "only letters, digits, separators and . / _ are allowed")
		}
		if len(b)-n > 128 {
			return b, invalid(k, field, "longer than 128 characters")
		}
	}
	if len(b) == n {
		return b, missing(k, field)
	}
	return b, nil
}

// Pseudonym returns the asset's pseudonym under p: p's pseudonym of
// "asset_serial:" and Key, the value Occurrence.Event sends. A CRM import
// that links assets to customers (identity.Graph.Link with
// identity.TypeAssetSerial) uses it to agree with the events. It returns
// the *FieldError of Key for an invalid asset, and a *FieldError
// (ErrNoKey) for a nil p.
func (a Asset) Pseudonym(p *connected.Pseudonymizer) (string, error) {
	key, err := a.Key()
	if err != nil {
		return "", err
	}
	if p == nil {
		return "", &FieldError{Field: "Asset", Err: ErrNoKey}
	}
	return p.Pseudonym("asset_serial:" + key), nil
}
