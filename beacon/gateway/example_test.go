package gateway_test

import (
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
)

// An OpenMQTTGateway message becomes an Advertisement that beacon.Parse
// decodes like any local scan.
func ExampleParseOpenMQTTGateway() {
	topic := "home/store12-gw-shoes/BTtoMQTT/C1D2E3F4A5B6"
	payload := []byte(`{"id":"C1:D2:E3:F4:A5:B6","mac_type":1,"rssi":-71,
		"manufacturerdata":"4c000215e2c56db5dffb48d2b060d0f5a71096e000010007c5"}`)
	m, err := gateway.ParseOpenMQTTGateway(topic, payload, time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := beacon.Parse(&m.Advertisement)
	id, _ := f.ID()
	fmt.Println(m.Gateway, m.Advertisement.RSSI, id, err)
	// Output: store12-gw-shoes -71 ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7 <nil>
}

// An ESPresense report is already a Sighting: the room is the gateway.
func ExampleParseESPresense() {
	topic := "espresense/devices/irk:1a2b3c4d5e6f708192a3b4c5d6e7f809/shoes"
	payload := []byte(`{"id":"irk:1a2b3c4d5e6f708192a3b4c5d6e7f809","rssi@1m":-65,"rssi":-78,"distance":3.2,"mac":"5a1b2c3d4e5f"}`)
	m, err := gateway.ParseESPresense(topic, payload, time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC))
	fmt.Println(err, m.Sighting.Subject, m.Sighting.Room, m.Sighting.Distance, m.Sighting.RSSI)
	// Malformed input gets a typed error naming the field.
	_, err = gateway.ParseESPresense(topic, []byte(`{"id":"irk:1a2b3c4d5e6f708192a3b4c5d6e7f809","rssi":"strong"}`), time.Time{})
	fmt.Println(err)
	// Output:
	// <nil> irk:1a2b3c4d5e6f708192a3b4c5d6e7f809 shoes 3.2 -78
	// gateway: espresense: rssi: gateway: bad value: not a number
}

// With its default settings OpenMQTTGateway publishes only the fields its
// decoder found: the iBeacon identity comes from "uuid", "major" and
// "minor" (the decoder reads them as signed 16-bit numbers: 40000 arrives
// as -25536).
func ExampleOpenMQTTGateway_Frame() {
	topic := "home/OMG_ESP32_BLE/BTtoMQTT/D45E8A112233"
	payload := []byte(`{"id":"D4:5E:8A:11:22:33","rssi":-71,"brand":"GENERIC","model":"iBeacon","model_id":"IBEACON",
		"type":"BCON","mfid":"4c00","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":-25536,"minor":7,"txpower":-59}`)
	m, err := gateway.ParseOpenMQTTGateway(topic, payload, time.Date(2026, 11, 24, 10, 30, 0, 0, time.UTC))
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := m.Frame()
	s := beacon.NewSighting(&m.Advertisement, &f, "")
	fmt.Println(s.Beacon, s.TxPower1m, m.Warnings, err)
	// Output: ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:40000:7 -59 decoded-identity <nil>
}

// Older OpenMQTTGateway published service data without its UUID: the
// message is accepted, the data kept but not decoded.
func ExampleWarnings() {
	m, err := gateway.ParseOpenMQTTGateway("home/OpenMQTTGateway/BTtoMQTT/45E174126E00",
		[]byte(`{"id":"45:e1:74:12:6e:00","rssi":-89,"distance":21.51847,"servicedata":"fe00"}`), time.Now())
	fmt.Println(err, m.Warnings, m.Warnings.Has(gateway.WarnServiceDataNoUUID), m.UnkeyedServiceData)
	// Output: <nil> servicedata-without-uuid true [254 0]
}
