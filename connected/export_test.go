package connected

// AppendString exposes appendString to the external tests.
var AppendString = appendString

// AppendTime exposes appendTime to the external tests.
var AppendTime = appendTime

// AppendFloat exposes appendFloat to the external tests.
var AppendFloat = appendFloat

// AppendInt and AppendUint expose the encoder's integer formatting to the
// external tests.
func AppendInt(dst []byte, i int64) []byte   { return appendInt(dst, i) }
func AppendUint(dst []byte, u uint64) []byte { return appendUint(dst, u) }

// FormatUUID exposes formatUUID to the external tests.
func FormatUUID(hi, lo uint64) string {
	var b [36]byte
	formatUUID(&b, hi, lo)
	return string(b[:])
}
