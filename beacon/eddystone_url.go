package beacon

import "strings"

const (
	urlMinLen  = 4  // type, tx, scheme, one URL byte
	urlMaxLen  = 20 // type, tx, scheme, 17 URL bytes
	urlMaxBody = urlMaxLen - 3
)

var urlSchemes = [...]string{"http://www.", "https://www.", "http://", "https://"}

var urlExpansions = [...]string{
	".com/", ".org/", ".edu/", ".net/", ".info/", ".biz/", ".gov/",
	".com", ".org", ".edu", ".net", ".info", ".biz", ".gov",
}

// EddystoneURL is an Eddystone-URL frame. The URL is kept in its compressed
// form so that parsing allocates nothing; AppendURL and String expand it.
type EddystoneURL struct {
	TxPower  int8 // calibrated power at 0 m in dBm
	Scheme   byte // 0x00..0x03: http://www., https://www., http://, https://
	body     [urlMaxBody]byte
	n        uint8
	Warnings Warnings
}

// ParseEddystoneURL decodes Eddystone-URL service data: 10 TX SCHEME
// URL[1..17] (4 to 20 bytes). A scheme of 0x04 or more and the reserved
// URL bytes 0x0E-0x20 and 0x7F-0xFF get ErrReserved at their offset;
// a frame with no URL byte gets ErrTruncated (a bare frame-type byte
// included); more than 20 bytes get ErrLength; a different frame type
// gets ErrUnknownFormat. It does not allocate on success.
func ParseEddystoneURL(data []byte) (EddystoneURL, error) {
	if len(data) > 0 && data[0] != EddystoneTypeURL {
		return EddystoneURL{}, perr(FormatEddystoneURL, 0, ErrUnknownFormat)
	}
	return parseURL(data, 0)
}

func parseURL(p []byte, base int) (EddystoneURL, error) {
	var f EddystoneURL
	err := f.parse(p, base)
	return f, err
}

// parse decodes p into f, which must be zero; on error f is left zero.
func (f *EddystoneURL) parse(p []byte, base int) error {
	if len(p) < urlMinLen {
		return perr(FormatEddystoneURL, base+len(p), ErrTruncated)
	}
	if len(p) > urlMaxLen {
		return perr(FormatEddystoneURL, base+urlMaxLen, ErrLength)
	}
	if p[2] >= byte(len(urlSchemes)) {
		return perr(FormatEddystoneURL, base+2, ErrReserved)
	}
	for i, c := range p[3:] {
		if !urlByteOK(c) {
			return perr(FormatEddystoneURL, base+3+i, ErrReserved)
		}
	}
	*f = EddystoneURL{TxPower: int8(p[1]), Scheme: p[2], n: uint8(len(p) - 3)}
	copy(f.body[:], p[3:])
	f.Warnings = eddystoneTxWarn(f.TxPower)
	return nil
}

func urlByteOK(c byte) bool { return c < byte(len(urlExpansions)) || (c > 0x20 && c < 0x7F) }

// NewEddystoneURL compresses url into an Eddystone-URL frame with the given
// 0 m power. The scheme must be http:// or https:// (with or without www.);
// scheme and host are lower-cased, the path keeps its case; the expansion
// codes are used wherever they match. A URL that cannot be encoded gets a
// *ParseError{Format: FormatEddystoneURL} with ErrInvalid (unsupported
// scheme or character, Offset into url) or ErrLength (more than 17 bytes
// after compression).
func NewEddystoneURL(url string, txPower int8) (EddystoneURL, error) {
	f := EddystoneURL{TxPower: txPower, Warnings: eddystoneTxWarn(txPower)}
	lower := strings.ToLower(url)
	if len(lower) != len(url) {
		return EddystoneURL{}, perr(FormatEddystoneURL, 0, ErrInvalid) // non-ASCII
	}
	scheme := -1
	for i, s := range urlSchemes {
		if strings.HasPrefix(lower, s) {
			scheme = i
			break // "http://www." is tried before "http://"
		}
	}
	if scheme < 0 {
		return EddystoneURL{}, perr(FormatEddystoneURL, 0, ErrInvalid)
	}
	f.Scheme = byte(scheme)
	pos := len(urlSchemes[scheme])
	hostEnd := strings.IndexByte(url[pos:], '/')
	if hostEnd < 0 {
		hostEnd = len(url)
	} else {
		hostEnd += pos
	}
	rest := lower[pos:hostEnd] + url[hostEnd:]
	for i := 0; i < len(rest); {
		if int(f.n) == urlMaxBody {
			return EddystoneURL{}, perr(FormatEddystoneURL, pos+i, ErrLength)
		}
		code, size := -1, 0
		for c, e := range urlExpansions {
			if len(e) > size && strings.HasPrefix(rest[i:], e) {
				code, size = c, len(e)
			}
		}
		if code >= 0 {
			f.body[f.n] = byte(code)
			f.n++
			i += size
			continue
		}
		c := rest[i]
		if c <= 0x20 || c >= 0x7F {
			return EddystoneURL{}, perr(FormatEddystoneURL, pos+i, ErrInvalid)
		}
		f.body[f.n] = c
		f.n++
		i++
	}
	if f.n == 0 {
		return EddystoneURL{}, perr(FormatEddystoneURL, len(url), ErrInvalid)
	}
	return f, nil
}

// AppendURL appends the expanded URL to dst.
func (f EddystoneURL) AppendURL(dst []byte) []byte {
	if int(f.Scheme) < len(urlSchemes) {
		dst = append(dst, urlSchemes[f.Scheme]...)
	}
	for _, c := range f.body[:f.n] {
		if int(c) < len(urlExpansions) {
			dst = append(dst, urlExpansions[c]...)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

// String returns the expanded URL.
func (f EddystoneURL) String() string { return string(f.AppendURL(nil)) }

// AppendServiceData appends the service data ParseEddystoneURL accepts.
func (f EddystoneURL) AppendServiceData(dst []byte) []byte {
	dst = append(dst, EddystoneTypeURL, byte(f.TxPower), f.Scheme)
	return append(dst, f.body[:f.n]...)
}

// AppendAD appends a complete advertising payload.
func (f EddystoneURL) AppendAD(dst []byte) []byte {
	return f.AppendServiceData(appendEddystoneAD(dst, 3+int(f.n)))
}

// ID returns the compressed URL (scheme and body) as a BeaconID of kind
// FormatEddystoneURL: beacons that advertise the same URL share it.
func (f EddystoneURL) ID() BeaconID {
	id := BeaconID{Kind: FormatEddystoneURL, n: 1 + f.n}
	id.b[0] = f.Scheme
	copy(id.b[1:], f.body[:f.n])
	return id
}
