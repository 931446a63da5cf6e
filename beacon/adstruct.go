package beacon

// AD structure types used by beacons (Bluetooth Assigned Numbers, "Common
// Data Types").
const (
	ADFlags            byte = 0x01
	ADIncompleteUUID16 byte = 0x02
	ADCompleteUUID16   byte = 0x03
	ADShortName        byte = 0x08
	ADCompleteName     byte = 0x09
	ADTxPowerLevel     byte = 0x0A
	ADServiceData16    byte = 0x16
	ADServiceData32    byte = 0x20
	ADServiceData128   byte = 0x21
	ADManufacturerData byte = 0xFF
	maxADData               = 254 // one length byte counts the type byte too
)

// ADStructure is one [length][type][data] element of advertising data.
// Data aliases the input slice; it is valid as long as that slice is.
type ADStructure struct {
	Type   byte
	Data   []byte
	Offset int // offset of the length byte in the walked input
}

// ADReader walks a sequence of AD structures without allocating. Use it as
//
//	r := beacon.NewADReader(data)
//	for r.Next() { s := r.Structure(); ... }
//	if err := r.Err(); err != nil { ... }
//
// A length byte of zero ends the walk (the rest is padding); non-zero bytes
// after it are reported as WarnTrailingData. A structure that runs past the
// end of the input ends the walk with a *ParseError{Format: FormatAD} and
// ErrTruncated; nothing is zero-padded. An ADReader is not safe for
// concurrent use.
type ADReader struct {
	data []byte
	off  int
	cur  ADStructure
	err  error
	warn Warnings
	done bool
}

// NewADReader returns a reader positioned before the first structure of data.
func NewADReader(data []byte) ADReader { return ADReader{data: data} }

// Next advances to the next structure and reports whether there is one.
func (r *ADReader) Next() bool {
	if r.done {
		return false
	}
	if r.off >= len(r.data) {
		r.done = true
		return false
	}
	n := int(r.data[r.off])
	if n == 0 {
		for _, c := range r.data[r.off+1:] {
			if c != 0 {
				r.warn |= WarnTrailingData
				break
			}
		}
		r.off = len(r.data)
		r.done = true
		return false
	}
	if r.off+1+n > len(r.data) {
		r.err = perr(FormatAD, len(r.data), ErrTruncated)
		r.done = true
		return false
	}
	r.cur = ADStructure{Type: r.data[r.off+1], Data: r.data[r.off+2 : r.off+1+n : r.off+1+n], Offset: r.off}
	r.off += 1 + n
	return true
}

// Structure returns the structure Next advanced to.
func (r *ADReader) Structure() ADStructure { return r.cur }

// Err returns the error that ended the walk, or nil.
func (r *ADReader) Err() error { return r.err }

// Warnings returns the oddities met so far (WarnTrailingData).
func (r *ADReader) Warnings() Warnings { return r.warn }

// Offset returns how many bytes of the input have been consumed; it never
// exceeds the input length.
func (r *ADReader) Offset() int { return r.off }

// AppendADStructure appends one AD structure of type typ carrying data to
// dst. It returns ErrLength (wrapped in a *ParseError) if data is longer
// than 254 bytes, the most one length byte can describe.
func AppendADStructure(dst []byte, typ byte, data []byte) ([]byte, error) {
	if len(data) > maxADData {
		return dst, perr(FormatAD, maxADData, ErrLength)
	}
	dst = append(dst, byte(len(data)+1), typ)
	return append(dst, data...), nil
}

// flagsAD is the Flags structure beacons usually send: LE General
// Discoverable, BR/EDR not supported.
var flagsAD = [3]byte{0x02, ADFlags, 0x06}
