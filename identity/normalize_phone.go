package identity

import (
	"strings"
	"unicode"
)

// PhoneNormalizer turns a raw phone number into E.164 ("+" then 7 to 15
// digits, no leading zero in the country code). defaultRegion is the ISO
// 3166-1 alpha-2 region (upper case) used for numbers written without an
// international prefix; it may be empty. Implementations must be safe for
// concurrent use and return an error (preferably an *IdentifierError) for a
// number they cannot normalize; the graph checks the result's shape again.
//
// The built-in implementation is NormalizePhone. The module identity/intl
// plugs in github.com/nyaruka/phonenumbers, a full libphonenumber port
// (intl.WithPhoneNumbers); any other library adapts the same way:
//
//	identity.PhoneNormalizerFunc(func(raw, region string) (string, error) {
//		n, err := phonenumbers.Parse(raw, region)
//		if err != nil {
//			return "", err
//		}
//		if !phonenumbers.IsValidNumber(n) {
//			return "", errors.New("not a valid number")
//		}
//		return phonenumbers.Format(n, phonenumbers.E164), nil
//	})
type PhoneNormalizer interface {
	NormalizePhone(raw, defaultRegion string) (string, error)
}

// PhoneNormalizerFunc adapts a function to a PhoneNormalizer.
type PhoneNormalizerFunc func(raw, defaultRegion string) (string, error)

// NormalizePhone calls f(raw, defaultRegion).
func (f PhoneNormalizerFunc) NormalizePhone(raw, defaultRegion string) (string, error) {
	return f(raw, defaultRegion)
}

// phoneRegion is what the built-in normalizer knows about a region's
// numbering plan.
type phoneRegion struct {
	cc         string // country calling code
	trunk      string // national trunk prefix dropped in international form ("" = none)
	intl       string // international call prefix dialled from the region
	nsnMin     int    // national significant number length bounds
	nsnMax     int
	nanp       bool // North American Numbering Plan checks
	keepLeadin bool // a leading 0 is part of the number (Italy)
}

// regionByCode returns the numbering rules of an ISO region, or false.
// The table is the documented set of national trunk-prefix rules; anything
// else needs an international prefix or a PhoneNormalizer.
func regionByCode(region string) (phoneRegion, bool) {
	switch region {
	case "US", "CA":
		return phoneRegion{cc: "1", trunk: "1", intl: "011", nsnMin: 10, nsnMax: 10, nanp: true}, true
	case "GB":
		return phoneRegion{cc: "44", trunk: "0", intl: "00", nsnMin: 9, nsnMax: 10}, true
	case "DE":
		return phoneRegion{cc: "49", trunk: "0", intl: "00", nsnMin: 6, nsnMax: 13}, true
	case "FR":
		return phoneRegion{cc: "33", trunk: "0", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "IT":
		return phoneRegion{cc: "39", intl: "00", nsnMin: 6, nsnMax: 11, keepLeadin: true}, true
	case "ES":
		return phoneRegion{cc: "34", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "NL":
		return phoneRegion{cc: "31", trunk: "0", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "BE":
		return phoneRegion{cc: "32", trunk: "0", intl: "00", nsnMin: 8, nsnMax: 9}, true
	case "CH":
		return phoneRegion{cc: "41", trunk: "0", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "AT":
		return phoneRegion{cc: "43", trunk: "0", intl: "00", nsnMin: 4, nsnMax: 13}, true
	case "IE":
		return phoneRegion{cc: "353", trunk: "0", intl: "00", nsnMin: 7, nsnMax: 9}, true
	case "PT":
		return phoneRegion{cc: "351", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "SE":
		return phoneRegion{cc: "46", trunk: "0", intl: "00", nsnMin: 6, nsnMax: 12}, true
	case "NO":
		return phoneRegion{cc: "47", intl: "00", nsnMin: 8, nsnMax: 8}, true
	case "DK":
		return phoneRegion{cc: "45", intl: "00", nsnMin: 8, nsnMax: 8}, true
	case "FI":
		return phoneRegion{cc: "358", trunk: "0", intl: "00", nsnMin: 5, nsnMax: 12}, true
	case "PL":
		return phoneRegion{cc: "48", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "AU":
		return phoneRegion{cc: "61", trunk: "0", intl: "0011", nsnMin: 9, nsnMax: 9}, true
	case "NZ":
		return phoneRegion{cc: "64", trunk: "0", intl: "00", nsnMin: 8, nsnMax: 10}, true
	case "JP":
		return phoneRegion{cc: "81", trunk: "0", intl: "010", nsnMin: 9, nsnMax: 10}, true
	case "IN":
		return phoneRegion{cc: "91", trunk: "0", intl: "00", nsnMin: 10, nsnMax: 10}, true
	case "BR":
		return phoneRegion{cc: "55", trunk: "0", intl: "00", nsnMin: 10, nsnMax: 11}, true
	case "MX":
		return phoneRegion{cc: "52", intl: "00", nsnMin: 10, nsnMax: 10}, true
	case "SG":
		return phoneRegion{cc: "65", intl: "000", nsnMin: 8, nsnMax: 8}, true
	case "ZA":
		return phoneRegion{cc: "27", trunk: "0", intl: "00", nsnMin: 9, nsnMax: 9}, true
	case "AE":
		return phoneRegion{cc: "971", trunk: "0", intl: "00", nsnMin: 8, nsnMax: 9}, true
	}
	return phoneRegion{}, false
}

// regionByCallingCode returns the rules for a number whose digits (after
// the international prefix) start with a known country calling code.
// Calling codes are prefix-free, so at most one of the 1-, 2- and 3-digit
// prefixes matches.
func regionByCallingCode(digits string) (phoneRegion, bool) {
	for n := 1; n <= 3 && n <= len(digits); n++ {
		var region string
		switch digits[:n] {
		case "1":
			region = "US"
		case "44":
			region = "GB"
		case "49":
			region = "DE"
		case "33":
			region = "FR"
		case "39":
			region = "IT"
		case "34":
			region = "ES"
		case "31":
			region = "NL"
		case "32":
			region = "BE"
		case "41":
			region = "CH"
		case "43":
			region = "AT"
		case "353":
			region = "IE"
		case "351":
			region = "PT"
		case "46":
			region = "SE"
		case "47":
			region = "NO"
		case "45":
			region = "DK"
		case "358":
			region = "FI"
		case "48":
			region = "PL"
		case "61":
			region = "AU"
		case "64":
			region = "NZ"
		case "81":
			region = "JP"
		case "91":
			region = "IN"
		case "55":
			region = "BR"
		case "52":
			region = "MX"
		case "65":
			region = "SG"
		case "27":
			region = "ZA"
		case "971":
			region = "AE"
		}
		if region != "" {
			return regionByCode(region)
		}
	}
	return phoneRegion{}, false
}

// NormalizePhone is the built-in PhoneNormalizer. It returns the E.164 form
// of raw:
//
//   - Accepted characters: digits, a leading '+', spaces, '-', '.', '/',
//     and parentheses. Letters (vanity numbers) are rejected.
//   - A tel: URI (RFC 3966: "tel:+1-201-555-0123;ext=1234") is read as its
//     number: the scheme and its parameters are removed, and a
//     phone-context that is a global number prefix ("+44") completes a
//     local number. An extension ("ext. 12", "extension 12", "x12",
//     "#12", ",,12", ";ext=12") is removed: the E.164 number reaches the
//     line, not the extension. NormalizePhoneWarn reports both.
//   - "(0)" is removed wherever it appears: it marks an optional trunk
//     prefix ("+44 (0)7911 123456" is +447911123456, not +4407911123456,
//     the mistake Meta's own SDK normalizer makes).
//   - International form: a leading '+', or the region's international call
//     prefix (00 in most of the table, 011 in North America, 0011 in
//     Australia, 010 in Japan) or 00 when no region is given. A number in
//     international form needs no rules for defaultRegion, which may then
//     be any region.
//   - National form needs defaultRegion and uses its rules: the country
//     code is prepended and the trunk prefix dropped — US/CA +1 (an
//     optional leading 1), GB +44, DE +49, FR +33, NL +31, BE +32, CH +41,
//     AT +43, IE +353, SE +46, FI +358, AU +61, NZ +64, JP +81, IN +91,
//     BR +55, ZA +27, AE +971 (trunk 0); IT +39 (the leading 0 is kept: it
//     is part of Italian numbers); ES +34, PT +351, NO +47, DK +45, PL +48,
//     MX +52, SG +65 (no trunk prefix). National numbers of other regions
//     need a PhoneNormalizer (the identity/intl module plugs in
//     libphonenumber).
//   - A stray trunk 0 written after the country code ("+86 010 1234 5678",
//     "+49 030 123456") is dropped for every country whose trunk prefix is
//     0 — 103 calling codes, from libphonenumber's metadata
//     (nationalPrefix="0"; see normalize_phone_table.go); a second 0 after
//     it is refused (the national number cannot start with 0). For the country
//     codes of the table above the national number's length is checked too;
//     North American numbers also need area and exchange codes starting
//     with 2-9. Other country codes only get the E.164 length check (7 to
//     15 digits).
//
// It never guesses: a number it cannot place is an *IdentifierError.
func NormalizePhone(raw, defaultRegion string) (string, error) {
	v, _, err := NormalizePhoneWarn(raw, defaultRegion)
	return v, err
}

// NormalizePhoneWarn is NormalizePhone, also reporting what it removed from
// a number it accepted (PhoneExtensionRemoved, PhoneURIRemoved). Warnings
// are zero when it returns an error.
func NormalizePhoneWarn(raw, defaultRegion string) (string, PhoneWarnings, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return "", 0, invalid(TypePhone, "empty")
	}
	s, warn, err := stripPhoneExtras(s)
	if err != nil {
		return "", 0, err
	}
	v, err := normalizePhone(s, defaultRegion)
	if err != nil {
		return "", 0, err
	}
	return v, warn, nil
}

func normalizePhone(s, defaultRegion string) (string, error) {
	s = strings.ReplaceAll(s, "(0)", "")
	var b strings.Builder
	b.Grow(len(s))
	plus := false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteByte(byte(r))
		case r == '+' && i == 0:
			plus = true
		case r == '-' || r == '.' || r == '/' || r == '(' || r == ')' || unicode.IsSpace(r):
		default:
			return "", invalid(TypePhone, "character other than digits and separators (letters are not supported)")
		}
	}
	digits := b.String()
	if digits == "" {
		return "", invalid(TypePhone, "no digits")
	}
	if plus {
		return international(digits)
	}
	region := strings.ToUpper(defaultRegion)
	home, haveHome := regionByCode(region)
	switch {
	case haveHome && strings.HasPrefix(digits, home.intl):
		return international(digits[len(home.intl):])
	case haveHome:
		return national(digits, home)
	case region == "" && strings.HasPrefix(digits, "00"):
		return international(digits[2:])
	case region == "":
		return "", invalid(TypePhone, "national number without a default region")
	}
	return "", invalid(TypePhone, "national number: default region "+safeRegion(defaultRegion)+" has no built-in rules; write it with + or use a PhoneNormalizer")
}

func international(digits string) (string, error) {
	if digits == "" || digits[0] == '0' {
		return "", invalid(TypePhone, "country code missing or starting with 0")
	}
	reg, known := regionByCallingCode(digits)
	if !known {
		if cc, ok := callingCode(digits); ok && hasCode(trunkZeroBits, cc) {
			n := len(itoa(cc))
			if len(digits) > n && digits[n] == '0' {
				digits = digits[:n] + digits[n+1:]
				// as finish refuses for the table's countries: dropping
				// one 0 more would give another number
				if len(digits) > n && digits[n] == '0' {
					return "", invalid(TypePhone, "national number starts with 0 after the trunk prefix")
				}
			}
		}
		return e164(digits)
	}
	nsn := digits[len(reg.cc):]
	if reg.trunk == "0" && strings.HasPrefix(nsn, "0") {
		nsn = nsn[1:]
	}
	return finish(reg, nsn)
}

func national(digits string, reg phoneRegion) (string, error) {
	nsn := digits
	switch {
	case reg.nanp && len(nsn) == reg.nsnMax+1 && strings.HasPrefix(nsn, reg.trunk):
		nsn = nsn[1:]
	case !reg.nanp && reg.trunk != "" && strings.HasPrefix(nsn, reg.trunk):
		nsn = nsn[len(reg.trunk):]
	}
	return finish(reg, nsn)
}

func finish(reg phoneRegion, nsn string) (string, error) {
	if len(nsn) < reg.nsnMin || len(nsn) > reg.nsnMax {
		return "", invalid(TypePhone, "national number has the wrong length for +"+reg.cc)
	}
	if reg.nanp && (nsn[0] < '2' || nsn[3] < '2') {
		return "", invalid(TypePhone, "North American area and exchange codes start with 2-9")
	}
	if !reg.keepLeadin && nsn[0] == '0' {
		return "", invalid(TypePhone, "national number starts with 0 after the trunk prefix")
	}
	return e164(reg.cc + nsn)
}

func e164(digits string) (string, error) {
	if len(digits) < 7 || len(digits) > 15 {
		return "", invalid(TypePhone, "E.164 numbers have 7 to 15 digits")
	}
	return "+" + digits, nil
}

// validE164 reports whether s has the shape "+" [1-9] then 6 to 14 digits.
func validE164(s string) bool {
	if len(s) < 8 || len(s) > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9' {
		return false
	}
	for i := 2; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func safeRegion(r string) string {
	if len(r) > 8 {
		r = r[:8]
	}
	return strings.ToValidUTF8(r, "?")
}

// callingCode returns the assigned country calling code that digits start
// with (libphonenumber's list; calling codes are prefix-free).
func callingCode(digits string) (int, bool) {
	cc := 0
	for i := 0; i < 3 && i < len(digits); i++ {
		cc = cc*10 + int(digits[i]-'0')
		if hasCode(callingCodeBits, cc) {
			return cc, true
		}
	}
	return 0, false
}

// hasCode reports whether code (0..999) is in a bitset of
// normalize_phone_table.go.
func hasCode(set string, code int) bool {
	return code >= 0 && code < 8*len(set) && set[code>>3]&(1<<(code&7)) != 0
}

// knownRegion reports whether region is one of libphonenumber's region
// codes (upper case).
func knownRegion(region string) bool {
	if len(region) != 2 {
		return false
	}
	for i := 0; i+2 <= len(regionCodes); i += 3 {
		if regionCodes[i:i+2] == region {
			return true
		}
	}
	return false
}
