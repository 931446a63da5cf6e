package wearable

import "strconv"

// BodySensorLocation is the Body Sensor Location characteristic (0x2A38):
// where a heart-rate sensor is worn.
type BodySensorLocation uint8

// The body sensor locations; 7..255 are reserved.
const (
	LocationOther   BodySensorLocation = 0
	LocationChest   BodySensorLocation = 1
	LocationWrist   BodySensorLocation = 2
	LocationFinger  BodySensorLocation = 3
	LocationHand    BodySensorLocation = 4
	LocationEarLobe BodySensorLocation = 5
	LocationFoot    BodySensorLocation = 6
)

// String returns the snake_case name used in events ("chest", "ear_lobe").
func (l BodySensorLocation) String() string {
	switch l {
	case LocationOther:
		return "other"
	case LocationChest:
		return "chest"
	case LocationWrist:
		return "wrist"
	case LocationFinger:
		return "finger"
	case LocationHand:
		return "hand"
	case LocationEarLobe:
		return "ear_lobe"
	case LocationFoot:
		return "foot"
	}
	return "reserved(" + strconv.Itoa(int(l)) + ")"
}

// UnmarshalBinary decodes a one-byte Body Sensor Location. Reserved values
// return ErrReserved.
func (l *BodySensorLocation) UnmarshalBinary(b []byte) error {
	const c = BodySensorLocationUUID
	switch {
	case len(b) == 0:
		return errTruncated(c, 0)
	case len(b) > 1:
		return errTrailing(c, 1)
	case b[0] > byte(LocationFoot):
		return errReserved(c, 0)
	}
	*l = BodySensorLocation(b[0])
	return nil
}

// AppendBinary appends the one-byte encoding.
func (l BodySensorLocation) AppendBinary(b []byte) ([]byte, error) {
	if l > LocationFoot {
		return b, encErr(BodySensorLocationUUID, "BodySensorLocation", ErrReserved)
	}
	return append(b, byte(l)), nil
}

// MarshalBinary returns the one-byte encoding.
func (l BodySensorLocation) MarshalBinary() ([]byte, error) { return l.AppendBinary(nil) }
