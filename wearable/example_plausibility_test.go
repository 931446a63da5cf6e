package wearable_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// A measurement built from another source (here by hand) is checked with the
// rules a Session applies: the value is kept, the flags say not to use it.
func ExamplePlausibility() {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for _, m := range []wearable.Measurement{
		{Kind: wearable.KindOxygenSaturation, Start: at, End: at, SpO2: 97},
		{Kind: wearable.KindOxygenSaturation, Start: at, End: at, SpO2: 104},
		{Kind: wearable.KindHeartRate, Start: at, End: at, HeartRate: 0},
		{Kind: wearable.KindDistance, Start: at, End: at.Add(-time.Minute), Distance: 800},
	} {
		m.Flags |= wearable.Plausibility(&m)
		v, unit, _ := m.Scalar()
		fmt.Printf("%s %v %s valid=%v implausible=%v off-body=%v\n", m.Kind, v, unit, m.Valid(),
			m.Flags.Has(wearable.FlagImplausible), m.Flags.Has(wearable.FlagOffBody))
	}
	// Output:
	// oxygen_saturation 97 % valid=true implausible=false off-body=false
	// oxygen_saturation 104 % valid=false implausible=true off-body=false
	// heart_rate 0 /min valid=false implausible=false off-body=true
	// distance 800 m valid=false implausible=true off-body=false
}

func ExampleCheckTime() {
	for _, t := range []time.Time{
		time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
		{},
		time.Date(2263, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		fmt.Println(wearable.CheckTime(t))
	}
	// Output:
	// <nil>
	// wearable: zero time: wearable: invalid time
	// wearable: time 2263-01-01T00:00:00Z outside 1677-09-21..2262-04-11 (int64 Unix nanoseconds): wearable: invalid time
}

// A notification stamped with an unset time is refused, not filed under
// year 1 (nor stamped later with the wall clock).
func ExampleTimeError() {
	s, _ := wearable.NewSession(wearable.Device{ID: "strap-1"})
	var receivedAt time.Time // forgotten by the caller
	_, err := s.Notify(receivedAt, wearable.HeartRateMeasurementUUID, []byte{0x06, 72})
	var te *wearable.TimeError
	fmt.Println(errors.Is(err, wearable.ErrInvalidTime), errors.As(err, &te) && te.Op == "Notify", s.Connected())
	// Output: true true false
}
