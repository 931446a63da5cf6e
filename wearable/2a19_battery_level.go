package wearable

// BatteryLevel is the Battery Level characteristic (0x2A19): the remaining
// charge in percent, 0..100.
type BatteryLevel uint8

// UnmarshalBinary decodes a one-byte Battery Level. Values above 100 return
// ErrOutOfRange.
func (l *BatteryLevel) UnmarshalBinary(b []byte) error {
	const c = BatteryLevelUUID
	switch {
	case len(b) == 0:
		return errTruncated(c, 0)
	case len(b) > 1:
		return errTrailing(c, 1)
	case b[0] > 100:
		return errRange(c, 0)
	}
	*l = BatteryLevel(b[0])
	return nil
}

// AppendBinary appends the one-byte encoding.
func (l BatteryLevel) AppendBinary(b []byte) ([]byte, error) {
	if l > 100 {
		return b, encErr(BatteryLevelUUID, "BatteryLevel", ErrOutOfRange)
	}
	return append(b, byte(l)), nil
}

// MarshalBinary returns the one-byte encoding.
func (l BatteryLevel) MarshalBinary() ([]byte, error) { return l.AppendBinary(nil) }
