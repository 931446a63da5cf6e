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
