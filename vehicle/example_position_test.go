package vehicle_test

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// NewPositionDecoder sets the unit of a feed's plain "speed" member (here
// km/h, as OEM dashboards send it); members that name their unit, such as
// speed_mps, keep their own. One decoder serves the whole stream.
func ExampleNewPositionDecoder() {
	dec := vehicle.NewPositionDecoder(vehicle.KilometersPerHour)
	for _, line := range []string{
		`{"vehicle_id":"WVGZZZE2ZPP000001","time":"2026-03-14T09:00:00Z","lat":52.5102,"lon":13.4601,"speed":50,"heading":271.5}`,
		`{"vehicle_id":"WVGZZZE2ZPP000001","time":"2026-03-14T10:00:02.250+01:00","lat":52.51021,"lon":13.45969,"speed_mps":14.2,"heading":271.0}`,
	} {
		p, err := dec.Decode([]byte(line))
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s %.4f,%.4f %.2f m/s heading %g\n", p.Time.Format(time.RFC3339Nano), p.Lat, p.Lon, p.Speed, p.Heading)
	}
	// Output:
	// 2026-03-14T09:00:00Z 52.5102,13.4601 13.89 m/s heading 271.5
	// 2026-03-14T09:00:02.25Z 52.5102,13.4597 14.20 m/s heading 271
}

// ParsePosition decodes a single message, with a plain "speed" in m/s: here
// a gpsd TPV report whose forwarder added the vehicle id.
func ExampleParsePosition() {
	p, err := vehicle.ParsePosition([]byte(`{"class":"TPV","device":"/dev/ttyACM0","mode":3,"vehicle_id":"van-17",` +
		`"time":"2026-03-14T09:00:05.000Z","ept":0.005,"lat":52.498512,"lon":13.391277,"alt":38.2,"epx":4.1,"epy":5.0,` +
		`"track":12.3,"speed":8.41,"climb":0.0}`))
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s %.6f,%.6f %.2f m/s heading %g\n", p.Time.Format(time.RFC3339), p.Lat, p.Lon, p.Speed, p.Heading)
	fmt.Println(p.HasSpeed, p.HasHeading, p.Valid())
	// Output:
	// 2026-03-14T09:00:05Z 52.498512,13.391277 8.41 m/s heading 12.3
	// true true true
}

// A message that is not a usable position is refused with a *ParseError
// naming the field; match the cause with errors.Is.
func ExampleParsePosition_refused() {
	_, err := vehicle.ParsePosition([]byte(`{"vehicle_id":"van-17","time":"2026-03-14T09:00:05Z","lat":95,"lon":13.39}`))
	var pe *vehicle.ParseError
	fmt.Println(errors.Is(err, vehicle.ErrRange), errors.As(err, &pe) && pe.Field == "lat")
	_, err = vehicle.ParsePosition([]byte(`{"vehicle_id":"van-17","time":"14/03/2026 09:00","lat":52.5,"lon":13.39}`))
	fmt.Println(errors.Is(err, vehicle.ErrFormat), err)
	_, err = vehicle.ParsePosition([]byte(`{"vehicle_id":"van-17","lat":52.5,"lon":13.39}`))
	fmt.Println(errors.Is(err, vehicle.ErrMissing), err)
	// Output:
	// true true
	// true vehicle: position at offset 30 (time): value not in the required format
	// true vehicle: position at offset 46 (time): required field missing
}

// VerifySmartcarSignature checks the SC-Signature header of a webhook
// delivery against the raw body before anything is decoded: Smartcar
// signs with hex(HMAC-SHA256(application management token, body)).
func ExampleVerifySmartcarSignature() {
	body, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		panic(err)
	}
	const token = "application-management-token"
	m := hmac.New(sha256.New, []byte(token)) // what Smartcar computes and sends
	m.Write(body)
	signature := hex.EncodeToString(m.Sum(nil))

	fmt.Println("accepted:", vehicle.VerifySmartcarSignature(token, body, signature))

	tampered := bytes.Replace(body, []byte(`"latitude": 52.5163`), []byte(`"latitude": 48.1372`), 1) // altered in transit
	fmt.Println("tampered body:", vehicle.VerifySmartcarSignature(token, tampered, signature))
	fmt.Println("other token:", vehicle.VerifySmartcarSignature("another-token", body, signature))
	fmt.Println("not hex:", vehicle.VerifySmartcarSignature(token, body, "sha256="+signature))
	// Output:
	// accepted: true
	// tampered body: false
	// other token: false
	// not hex: false
}
