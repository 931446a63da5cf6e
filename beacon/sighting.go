package beacon

import "time"

// Sighting is one observation fed to a Tracker: Gateway (or a phone) heard
// Beacon at Time with RSSI. Subject says who is being located:
//
//   - a customer whose phone app reports the beacons it hears: Subject is
//     the customer id, Beacon the store beacon, Gateway the phone;
//   - a device (phone, tag, wearable) heard by fixed gateways: Subject is
//     empty, and the device itself, Beacon, is the subject;
//   - a device that a gateway names by an identifier of its own (an
//     ESPresense "irk:..." or fingerprint id): Subject is that identifier
//     and SubjectIsDevice is true.
//
// Device identifiers (Subject "" or SubjectIsDevice) leave ZoneEvent.Event
// only as keyed pseudonyms unless the caller opts in to raw identifiers.
//
// Gateway-side decoders (ESPresense, OpenMQTTGateway) may supply Distance
// instead of, or besides, RSSI, and a Room. A Sighting holds no pointers
// into caller buffers.
type Sighting struct {
	Time    time.Time
	Subject string // customer id; "" means the transmitter (Beacon) is the subject
	// SubjectIsDevice says that Subject names a device, not a customer. A
	// device subject and a customer subject with the same text are
	// tracked apart.
	SubjectIsDevice bool
	Beacon          BeaconID // the transmitter heard
	Gateway         string   // observer id (gateway, or phone); may be ""
	Room            string   // room or area named by the gateway, if any

	RSSI RSSI // may be a sentinel (see RSSI.Valid)
	// TxPower1m is the transmitter's calibrated power at 1 m in dBm when
	// HasTxPower is true (Frame.TxPower1m gives it for beacon frames).
	TxPower1m  int8
	HasTxPower bool
	// Distance is a distance in metres already estimated by the gateway;
	// 0 (or negative, or NaN) means none. It is used when RSSI is not
	// valid, turned into a level with the link's path-loss exponent and
	// 1 m power so that it is smoothed like RSSI.
	Distance float64
}

// NewSighting builds the Sighting of a parsed advertisement: the frame's
// identity (or the device address for frames without one), RSSI, time,
// observer and 1 m power (only a plausible one: -127..-1 dBm). subject may
// be "" (see Sighting).
func NewSighting(adv *Advertisement, f *Frame, subject string) Sighting {
	id, ok := f.ID()
	if !ok {
		id = AddressID(adv.Address)
	}
	s := Sighting{Time: adv.Time, Subject: subject, Beacon: id, Gateway: adv.Observer, RSSI: adv.RSSI}
	if p, ok := f.TxPower1m(); ok && p >= -127 && p < 0 { // 0 and up, -128: no calibration (WarnTxPowerRange)
		s.TxPower1m, s.HasTxPower = int8(p), true
	}
	return s
}
