package applehealth_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
	"github.com/touchpoint-sdk/touchpoint/wearable/applehealth"
)

func ExampleReader() {
	f, err := os.Open("testdata/export6s3sample.xml")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	r := applehealth.NewReader(f)
	var steps int64
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *applehealth.RecordError
		if errors.As(err, &re) {
			continue // one bad record; the import goes on (and Stats counts it)
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		switch m.Kind {
		case wearable.KindStepCount:
			steps += m.Steps
		case wearable.KindWorkout:
			fmt.Printf("workout %s, %.1f min, %.1f kcal\n", m.Workout.Activity, m.Workout.Duration.Minutes(), float64(m.Workout.Energy))
		}
	}
	st := r.Stats()
	fmt.Println("steps:", steps)
	fmt.Println("records:", st.Records, "measurements:", st.Measurements, "activity summaries:", st.ActivitySummaries)
	// Output:
	// workout other, 31.7 min, 139.3 kcal
	// steps: 2517
	// records: 15 measurements: 16 activity summaries: 2
}

// NewReader reads an export.xml from any io.Reader (pass the file itself: the
// Reader buffers). Here a small export: a heart rate, a weight in pounds
// (converted to kg), and a temperature in kelvin, a unit the import does not
// convert, which is reported and skipped while the import goes on. Times
// keep the export's offset.
func ExampleNewReader() {
	const export = `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
 <ExportDate value="2026-03-02 08:00:00 -0500"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Apple Watch" sourceVersion="10.3" unit="count/min" creationDate="2026-03-01 07:31:05 -0500" startDate="2026-03-01 07:30:00 -0500" endDate="2026-03-01 07:30:00 -0500" value="72"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="Health" unit="lb" creationDate="2026-03-01 07:45:10 -0500" startDate="2026-03-01 07:45:00 -0500" endDate="2026-03-01 07:45:00 -0500" value="154.3"/>
 <Record type="HKQuantityTypeIdentifierBodyTemperature" sourceName="Health" unit="K" creationDate="2026-03-01 07:50:10 -0500" startDate="2026-03-01 07:50:00 -0500" endDate="2026-03-01 07:50:00 -0500" value="310.2"/>
</HealthData>
`
	r := applehealth.NewReader(strings.NewReader(export))
	for {
		m, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *applehealth.RecordError
		if errors.As(err, &re) {
			fmt.Println("skipped: line", re.Line, re.Attribute, errors.Is(err, applehealth.ErrUnknownUnit))
			continue
		}
		if err != nil {
			panic(err)
		}
		v, unit, _ := m.Scalar()
		fmt.Printf("%s %s %.2f %s valid=%v %s\n", m.Start.Format(time.RFC3339), m.Kind, v, unit, m.Valid(), m.Source.Kind)
	}
	st := r.Stats()
	fmt.Println(st.Locale, st.ExportDate.Format(time.RFC3339), st.Records, st.Measurements, st.Invalid)
	// Output:
	// 2026-03-01T07:30:00-05:00 heart_rate 72.00 /min valid=true apple_health
	// 2026-03-01T07:45:00-05:00 body_weight 69.99 kg valid=true apple_health
	// skipped: line 6 unit true
	// en_US 2026-03-02T08:00:00-05:00 3 2 1
}
