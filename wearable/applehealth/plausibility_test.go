package applehealth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
	"github.com/touchpoint-sdk/touchpoint/wearable/applehealth"
)

// watch is the device attribute of a real watch record (XML-escaped).
const watch = `device="&lt;&lt;HKDevice: 0x283e0c7d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0&gt;"`

// rec is a top-level Record as Health writes it, at 08:07:42 +0200 unless
// the dates are given.
func rec(typ, unit, value string, dates ...string) string {
	start, end := "2022-10-01 08:07:42 +0200", "2022-10-01 08:07:42 +0200"
	if len(dates) == 2 {
		start, end = dates[0], dates[1]
	}
	return ` <Record type="HKQuantityTypeIdentifier` + typ + `" sourceName="Apple Watch van Jan" sourceVersion="9.0" ` + watch +
		` unit="` + unit + `" creationDate="2022-10-01 08:12:40 +0200" startDate="` + start + `" endDate="` + end + `" value="` + value + `"/>` + "\n"
}

// TestImplausibleRecordsAreFlagged: values that parse but that the shared
// rules (wearable.Plausibility, the ones a BLE Session applies) call
// implausible are returned as imported, flagged, and counted.
func TestImplausibleRecordsAreFlagged(t *testing.T) {
	cases := []struct {
		name, xml string
		want      wearable.Flags
	}{
		{"heart rate 72", rec("HeartRate", "count/min", "72"), 0},
		{"negative heart rate", rec("HeartRate", "count/min", "-60"), wearable.FlagImplausible},
		{"heart rate 400", rec("HeartRate", "count/min", "400"), wearable.FlagImplausible},
		{"heart rate 0", rec("HeartRate", "count/min", "0"), wearable.FlagOffBody},
		{"weight 70 kg", rec("BodyMass", "kg", "70"), 0},
		{"negative weight", rec("BodyMass", "kg", "-70"), wearable.FlagImplausible},
		{"weight 1000 lb", rec("BodyMass", "lb", "1000"), wearable.FlagImplausible},
		{"weight 300 g", rec("BodyMass", "g", "300"), wearable.FlagImplausible},
		{"temperature 37.2 °C", rec("BodyTemperature", "degC", "37.2"), 0},
		{"temperature 120 °F", rec("BodyTemperature", "degF", "120"), wearable.FlagImplausible},
		{"temperature -5 °C", rec("BodyTemperature", "degC", "-5"), wearable.FlagImplausible},
		{"SpO2 0.97", rec("OxygenSaturation", "%", "0.97"), 0},
		{"SpO2 104 %", rec("OxygenSaturation", "%", "104"), wearable.FlagImplausible},
		{"SpO2 below 0", rec("OxygenSaturation", "%", "-0.05"), wearable.FlagImplausible},
		{"distance 0.4 km", rec("DistanceWalkingRunning", "km", "0.4", "2022-10-01 08:00:00 +0200", "2022-10-01 08:05:00 +0200"), 0},
		{"negative distance", rec("DistanceWalkingRunning", "km", "-0.4", "2022-10-01 08:00:00 +0200", "2022-10-01 08:05:00 +0200"), wearable.FlagImplausible},
		{"negative energy", rec("ActiveEnergyBurned", "kcal", "-12", "2022-10-01 08:00:00 +0200", "2022-10-01 08:05:00 +0200"), wearable.FlagImplausible},
		{"negative steps", rec("StepCount", "count", "-10", "2022-10-01 08:00:00 +0200", "2022-10-01 08:05:00 +0200"), wearable.FlagImplausible},
		{"end before start", rec("StepCount", "count", "10", "2022-10-01 08:05:00 +0200", "2022-10-01 08:00:00 +0200"), wearable.FlagImplausible},
		{"end before start across zones", rec("StepCount", "count", "10", "2022-10-01 08:05:00 +0200", "2022-10-01 07:00:00 +0100"), wearable.FlagImplausible},
		{"end = start across zones", rec("StepCount", "count", "10", "2022-10-01 08:05:00 +0200", "2022-10-01 07:05:00 +0100"), 0},
		{"diastolic above systolic", ` <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:00:00 +0200">
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" value="80" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:00:00 +0200"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" value="120" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:00:00 +0200"/>
 </Correlation>
`, wearable.FlagImplausible},
		{"workout ending before it starts", ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" sourceName="Apple Watch van Jan" startDate="2022-10-01 09:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/>
`, wearable.FlagImplausible},
		{"workout spanning 500 years", ` <Workout workoutActivityType="HKWorkoutActivityTypeWalking" sourceName="Apple Watch van Jan" startDate="1700-01-01 08:00:00 +0000" endDate="2200-01-01 08:00:00 +0000"/>
`, wearable.FlagImplausible},
		{"workout with negative duration", ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="-30" durationUnit="min" sourceName="Apple Watch van Jan" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/>
`, wearable.FlagImplausible},
		{"workout with max heart rate 400", ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="30" durationUnit="min" sourceName="Apple Watch van Jan" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200">
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200" average="150" minimum="90" maximum="400" unit="count/min"/>
 </Workout>
`, wearable.FlagImplausible},
	}
	flagged := 0
	var all strings.Builder
	for _, c := range cases {
		r := applehealth.NewReader(strings.NewReader(head + c.xml + "</HealthData>"))
		ms, errs, err := readAll(t, r)
		if err != nil || len(errs) != 0 || len(ms) != 1 {
			t.Errorf("%s: %+v %v %v", c.name, ms, errs, err)
			continue
		}
		if ms[0].Flags != c.want {
			t.Errorf("%s: flags %b, want %b (%+v)", c.name, ms[0].Flags, c.want, ms[0])
		}
		if got := wearable.Plausibility(&ms[0]); got != c.want {
			t.Errorf("%s: the shared rules say %b", c.name, got)
		}
		if c.want != 0 {
			flagged++
		}
		all.WriteString(c.xml)
	}
	// The value is kept as imported, not clamped.
	ms, _, _ := readAll(t, applehealth.NewReader(strings.NewReader(head+rec("HeartRate", "count/min", "-60")+"</HealthData>")))
	if len(ms) != 1 || ms[0].HeartRate != -60 || ms[0].Valid() {
		t.Fatalf("%+v", ms)
	}
	r := applehealth.NewReader(strings.NewReader(head + all.String() + "</HealthData>"))
	if _, _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
	if st := r.Stats(); st.Flagged != flagged || st.Measurements != len(cases) || st.Invalid != 0 {
		t.Fatalf("stats %+v, want %d flagged of %d", st, flagged, len(cases))
	}
}

// TestUnrepresentableRecordsAreRefused: dates whose nanoseconds overflow an
// int64 (or the zero time), and numbers that do not fit the Go types, are
// record errors; the import goes on.
func TestUnrepresentableRecordsAreRefused(t *testing.T) {
	cases := []struct {
		name, xml, attr string
		cause           []error
	}{
		{"start past 2262", rec("HeartRate", "count/min", "72", "2263-01-01 00:00:00 +0000", "2263-01-01 00:00:00 +0000"), "startDate",
			[]error{applehealth.ErrBadDate, wearable.ErrInvalidTime}},
		{"end in year 9999", rec("StepCount", "count", "10", "2022-10-01 08:00:00 +0200", "9999-12-31 23:59:59 +0000"), "endDate",
			[]error{applehealth.ErrBadDate, wearable.ErrInvalidTime}},
		{"zero time", rec("HeartRate", "count/min", "72", "0001-01-01 00:00:00 +0000", "0001-01-01 00:00:00 +0000"), "startDate",
			[]error{applehealth.ErrBadDate, wearable.ErrInvalidTime}},
		{"before 1678", rec("HeartRate", "count/min", "72", "1600-01-01 00:00:00 +0000", "1600-01-01 00:00:00 +0000"), "startDate",
			[]error{applehealth.ErrBadDate, wearable.ErrInvalidTime}},
		{"steps beyond int64", rec("StepCount", "count", "1e19"), "value", []error{applehealth.ErrBadValue}},
		{"workout of 1e300 minutes", ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="1e300" durationUnit="min" sourceName="W" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/>
`, "duration", []error{applehealth.ErrBadValue}},
		{"workout of 300 years", ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="300" durationUnit="hr" sourceName="W" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/>
`, "", nil},
	}
	for _, c := range cases {
		doc := head + c.xml + rec("HeartRate", "count/min", "61") + "</HealthData>"
		r := applehealth.NewReader(strings.NewReader(doc))
		ms, errs, err := readAll(t, r)
		if c.cause == nil { // 300 h fits a Duration: kept
			if err != nil || len(errs) != 0 || len(ms) != 2 || ms[0].Workout.Duration.Hours() != 300 {
				t.Errorf("%s: %+v %v %v", c.name, ms, errs, err)
			}
			continue
		}
		if err != nil || len(errs) != 1 || len(ms) != 1 || ms[0].HeartRate != 61 {
			t.Errorf("%s: %+v %v %v", c.name, ms, errs, err)
			continue
		}
		var re *applehealth.RecordError
		if !errors.As(errs[0], &re) || re.Attribute != c.attr {
			t.Errorf("%s: %v, want attribute %s", c.name, errs[0], c.attr)
		}
		for _, cause := range c.cause {
			if !errors.Is(errs[0], cause) {
				t.Errorf("%s: %v does not match %v", c.name, errs[0], cause)
			}
		}
	}
}

// TestOneRootElement: an export is one HealthData element. A second root,
// a nested HealthData, another root element or text after the root is a
// final *MalformedError; what came before stands.
func TestOneRootElement(t *testing.T) {
	one := rec("HeartRate", "count/min", "72")
	cases := map[string]struct {
		doc    string
		before int // measurements returned before the error
	}{
		"second HealthData":       {head + one + "</HealthData>\n<HealthData locale=\"en_US\">\n" + one + "</HealthData>\n", 1},
		"record after the root":   {head + one + "</HealthData>\n" + one, 1},
		"text after the root":     {head + one + "</HealthData>\ntrailing", 1},
		"nested HealthData":       {head + one + "<HealthData>" + one + "</HealthData></HealthData>", 1},
		"record as the root":      {`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + one, 0},
		"wrapped in another root": {`<Export>` + head[len(`<?xml version="1.0" encoding="UTF-8"?>`)+1:] + one + "</HealthData></Export>", 0},
		"text before the root":    {"junk\n" + head + one + "</HealthData>", 0},
	}
	for name, c := range cases {
		r := applehealth.NewReader(strings.NewReader(c.doc))
		ms, errs, err := readAll(t, r)
		var me *applehealth.MalformedError
		if !errors.As(err, &me) || !errors.Is(err, applehealth.ErrMalformed) || len(errs) != 0 || len(ms) != c.before {
			t.Errorf("%s: %d measurements, %v, %v", name, len(ms), errs, err)
			continue
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%s: error not final", name)
		}
	}
	// Comments, processing instructions and white space may follow the root.
	ms, _, err := readAll(t, applehealth.NewReader(strings.NewReader(head+one+"</HealthData>\n<!-- end -->\n<?pi x?>\n\n")))
	if err != nil || len(ms) != 1 {
		t.Fatalf("%v %v", ms, err)
	}
}

// TestFlaggedWorkoutIsNoEvent: an imported workout that ends before it
// starts is flagged, and the event layer refuses it instead of sending a
// Workout Completed with a negative duration.
func TestFlaggedWorkoutIsNoEvent(t *testing.T) {
	doc := head + ` <Workout workoutActivityType="HKWorkoutActivityTypeRunning" sourceName="Apple Watch van Jan" startDate="2022-10-01 09:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/>
</HealthData>`
	m, err := applehealth.NewReader(strings.NewReader(doc)).Next()
	if err != nil || m.Workout.Duration >= 0 || m.Valid() {
		t.Fatalf("%+v %v", m, err)
	}
	if _, err := wearable.WorkoutOccurrence(&m); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("WorkoutOccurrence: %v", err)
	}
	o := wearable.Occurrence{Kind: wearable.OccurrenceWorkoutCompleted, Time: m.End, Source: m.Source, Workout: m}
	if _, err := o.Event(wearable.EventOptions{UserID: "u"}); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("Event: %v", err)
	}
	hr := wearable.Measurement{Kind: wearable.KindHeartRate, Start: m.Start, End: m.Start, HeartRate: 400, Flags: wearable.FlagImplausible}
	c := wearable.Occurrence{Kind: wearable.OccurrenceDeviceConnected, Time: m.Start, Source: m.Source, Readings: []wearable.Measurement{hr}}
	if _, err := c.Event(wearable.EventOptions{UserID: "u"}); !errors.Is(err, wearable.ErrNoValue) {
		t.Fatalf("Event with a flagged reading: %v", err)
	}
}
