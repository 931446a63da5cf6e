package vehicle_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// A store with two ETA rings; a car reporting its position drives in
// from 6 km east at 50 km/h and parks.
func Example() {
	tr, err := vehicle.NewTracker([]vehicle.Place{{
		ID: "berlin-mitte", Lat: 52.5200, Lon: 13.4050, ArrivalRadius: 100,
		Rings: []time.Duration{20 * time.Minute, 5 * time.Minute},
	}})
	if err != nil {
		panic(err)
	}
	pseudonyms, err := connected.NewPseudonymizer([]byte("a secret key of 16+ bytes"))
	if err != nil {
		panic(err)
	}
	dec := vehicle.NewPositionDecoder(vehicle.MetersPerSecond)
	start := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	var evs []vehicle.TripEvent
	for s := 0; s <= 900; s += 5 { // a fix every 5 s for 15 minutes
		east := max(6000-13.9*float64(s), 40) // metres east of the store
		speed := 13.9
		if east == 40 {
			speed = 0
		}
		line := fmt.Sprintf(`{"vehicle_id":"WVGZZZE2ZPP000042","time":%q,"lat":52.52,"lon":%.6f,"speed_mps":%g,"heading":270}`,
			start.Add(time.Duration(s)*time.Second).Format(time.RFC3339), 13.4050+east/67800, speed)
		p, err := dec.Decode([]byte(line))
		if err != nil {
			panic(err)
		}
		if evs, err = tr.Observe(evs, p); err != nil {
			panic(err)
		}
	}
	for _, e := range evs {
		ev, err := e.Event(vehicle.EventOptions{Pseudonymizer: pseudonyms})
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Time.Format("15:04:05"), ev.Event, ev.Properties["place_id"], ev.Properties["eta_minutes"], ev.Category)
	}
	// Output:
	// 09:00:00 Trip Started <nil> <nil> location
	// 09:00:15 Vehicle Approaching berlin-mitte 9 location
	// 09:03:25 Vehicle Approaching berlin-mitte 4.9 location
	// 09:07:05 Vehicle Arrived berlin-mitte <nil> location
	// 09:07:10 Trip Ended berlin-mitte <nil> location
}

func ExampleDecodeSmartcar() {
	body, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		panic(err)
	}
	// Check the SC-Signature header first:
	// vehicle.VerifySmartcarSignature(managementToken, body, r.Header.Get("SC-Signature"))
	e, err := vehicle.DecodeSmartcar(body)
	if err != nil {
		panic(err)
	}
	p, _ := e.Position()
	odo, _, _ := e.OdometerMeters()
	soc, _ := e.StateOfCharge()
	fmt.Println(e.Type, e.Vehicle.Make, e.Vehicle.Model)
	fmt.Printf("at %s: %.4f,%.4f heading %g, %.1f m/s\n", p.Time.Format(time.RFC3339), p.Lat, p.Lon, p.Heading, p.Speed)
	fmt.Printf("odometer %.0f m, charge %g%%\n", odo, soc)

	_, err = vehicle.DecodeSmartcar([]byte(`{"eventId":"e","eventType":"VEHICLE_STATE","vehicleId":"v","data":{"signals":[{"code":"location-preciselocation","body":{"latitude":95,"longitude":13}}]}}`))
	var pe *vehicle.ParseError
	fmt.Println(errors.Is(err, vehicle.ErrRange), errors.As(err, &pe) && pe.Field == "data.signals[0].body.latitude")
	// Output:
	// VEHICLE_STATE VOLKSWAGEN ID.4
	// at 2026-01-01T09:59:50Z: 52.5163,13.3777 heading 270, 12.0 m/s
	// odometer 18234600 m, charge 62%
	// true true
}

func ExampleSmartcarDecoder() {
	body, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		panic(err)
	}
	// One decoder per worker goroutine; each delivery is handled before
	// the next Decode, which reuses the event's memory.
	var d vehicle.SmartcarDecoder
	for range 2 {
		e, err := d.Decode(body)
		if err != nil {
			panic(err)
		}
		p, _ := e.Position() // a value: it stays valid after the next Decode
		fmt.Printf("%s %d signals, %.4f,%.4f\n", e.Type, len(e.Signals), p.Lat, p.Lon)
	}
	// Output:
	// VEHICLE_STATE 6 signals, 52.5163,13.3777
	// VEHICLE_STATE 6 signals, 52.5163,13.3777
}

func ExampleSmartcarChallengeResponse() {
	// A VERIFY delivery carries data.challenge; answer 200 with
	// {"challenge": <this>}.
	fmt.Println(vehicle.SmartcarChallengeResponse("application-management-token", "nsQsLU7wY9WKt2IU"))
	body := []byte(`{"eventType":"VERIFY","data":{"challenge":"nsQsLU7wY9WKt2IU"}}`)
	sig := vehicle.SmartcarChallengeResponse("application-management-token", string(body)) // what Smartcar sends as SC-Signature
	fmt.Println(vehicle.VerifySmartcarSignature("application-management-token", body, sig),
		vehicle.VerifySmartcarSignature("another-token", body, sig))
	// Output:
	// 088b2d06a87ebf5ef452de5fca8827d0a8264f8dbe8e584f0c3e31c9fcfb84cd
	// true false
}

func ExamplePositionDecoder() {
	dec := vehicle.NewPositionDecoder(vehicle.Knots) // a Traccar feed: plain "speed" is in knots
	p, err := dec.Decode([]byte(`{"deviceId":"traccar-4711","fixTime":1773478806000,"latitude":52.53,"longitude":13.38,"speed":10,"course":180}`))
	fmt.Printf("%s %s %.2f m/s %v %v\n", p.VehicleID, p.Time.Format(time.RFC3339), p.Speed, p.Heading, err)
	_, err = dec.Decode([]byte(`{"deviceId":"traccar-4711","latitude":52.53,"longitude":13.38}`))
	fmt.Println(err)
	// Output:
	// traccar-4711 2026-03-14T09:00:06Z 5.14 m/s 180 <nil>
	// vehicle: position at offset 62 (time): required field missing
}

func ExampleNewTracker() {
	_, err := vehicle.NewTracker([]vehicle.Place{
		{ID: "berlin-mitte", Lat: 52.52, Lon: 13.405, ArrivalRadius: 100},
		{ID: "hamburg", Lat: 53.55, Lon: 9.99, ArrivalRadius: 5, Rings: []time.Duration{10 * time.Minute}},
	})
	var pe *vehicle.PlaceError
	fmt.Println(errors.Is(err, vehicle.ErrConfig), errors.As(err, &pe), pe.ID, pe.Field)
	fmt.Println(err)
	// Output:
	// true true hamburg ArrivalRadius
	// vehicle: invalid configuration: place 1 ("hamburg") ArrivalRadius: must be 10 m to 10 km, got 5
}

func ExampleTracker_Snapshot() {
	places := []vehicle.Place{{ID: "berlin-mitte", Lat: 52.52, Lon: 13.405, ArrivalRadius: 100}}
	tr, _ := vehicle.NewTracker(places)
	at := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	evs, _ := tr.Observe(nil, vehicle.Position{VehicleID: "car", Time: at, Lat: 52.5201, Lon: 13.405})
	fmt.Println(len(evs), evs[0].Kind)
	snap := tr.Snapshot() // save it (it marshals to JSON) on shutdown ...

	tr2, _ := vehicle.NewTracker(places) // ... and restore it after the restart
	if err := tr2.Restore(snap); err != nil {
		panic(err)
	}
	evs, _ = tr2.Observe(nil, vehicle.Position{VehicleID: "car", Time: at.Add(time.Minute), Lat: 52.5201, Lon: 13.405})
	fmt.Println(len(evs)) // still arrived: nothing new
	// Output:
	// 1 arrived
	// 0
}
