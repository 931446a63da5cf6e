package beacon

// Format identifies a beacon frame format, or one of the containers a frame
// travels in. It is also the kind of a BeaconID.
type Format uint8

// The formats. The zero value, FormatUnknown, is never the Format of a
// successfully parsed Frame.
const (
	FormatUnknown          Format = iota
	FormatIBeacon                 // Apple iBeacon (manufacturer data, company 0x004C)
	FormatAltBeacon               // AltBeacon v1.0 (manufacturer data, code 0xBEAC)
	FormatEddystoneUID            // Eddystone-UID (frame type 0x00)
	FormatEddystoneURL            // Eddystone-URL (frame type 0x10)
	FormatEddystoneTLM            // Eddystone-TLM, unencrypted (0x20, version 0)
	FormatEddystoneETLM           // Eddystone-TLM, encrypted (0x20, version 1)
	FormatEddystoneEID            // Eddystone-EID (frame type 0x30)
	FormatAD                      // an AD-structure sequence (container)
	FormatManufacturerData        // manufacturer-specific data (container)
	FormatServiceData             // service data (container)
	FormatEddystone               // Eddystone service data before the frame type is known
	FormatAddress                 // a device known only by its Bluetooth address (BeaconID kind)
	FormatText                    // a textual UUID, address or BeaconID
	formatCount
)

var formatNames = [formatCount]string{
	"unknown", "ibeacon", "altbeacon", "eddystone-uid", "eddystone-url", "eddystone-tlm",
	"eddystone-etlm", "eddystone-eid", "ad", "manufacturer-data", "service-data", "eddystone", "address", "text",
}

// String returns a short lower-case name such as "ibeacon" or "eddystone-uid".
func (f Format) String() string {
	if f < formatCount {
		return formatNames[f]
	}
	return "format(" + itoa(int(f)) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
