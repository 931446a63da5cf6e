package pos

import "math"

// Money is an amount in the currency's minor units (cents), as Square's
// Money and Stripe's amount/currency carry it.
type Money struct {
	Amount   int64  // minor units; never negative in a decoded payment
	Currency string // ISO 4217, upper case ("EUR")
}

// Decimal returns the amount in major units (24.50 for 2450 EUR): the
// value Segment's e-commerce total and revenue expect. Currencies without
// minor units (JPY, KRW, ...) and those with three decimals (BHD, KWD, ...)
// are scaled by their ISO 4217 exponent; others by 2.
func (m Money) Decimal() float64 {
	e := exponent(m.Currency)
	return float64(m.Amount) / math.Pow10(e)
}

// exponent is the ISO 4217 minor-unit exponent of currency c.
func exponent(c string) int {
	switch c {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// currency reports whether b is three ASCII letters, and returns them upper
// case (Stripe sends "eur", Square "EUR").
func currency(b []byte) (string, bool) {
	if len(b) != 3 {
		return "", false
	}
	var u [3]byte
	for i, c := range b {
		switch {
		case c >= 'A' && c <= 'Z':
			u[i] = c
		case c >= 'a' && c <= 'z':
			u[i] = c - 'a' + 'A'
		default:
			return "", false
		}
	}
	return internCurrency(u), true
}

// internCurrency returns common currencies without allocating.
func internCurrency(u [3]byte) string {
	switch string(u[:]) {
	case "EUR":
		return "EUR"
	case "USD":
		return "USD"
	case "GBP":
		return "GBP"
	case "JPY":
		return "JPY"
	case "CAD":
		return "CAD"
	case "AUD":
		return "AUD"
	case "CHF":
		return "CHF"
	}
	return string(u[:])
}
