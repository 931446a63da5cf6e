package applehealth_test

import (
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
	"github.com/touchpoint-sdk/touchpoint/wearable/applehealth"
	"github.com/touchpoint-sdk/touchpoint/wearable/internal/omhvalidate"
)

const sample = "testdata/export6s3sample.xml"

// readAll drains a reader, collecting measurements and record errors.
func readAll(t *testing.T, r *applehealth.Reader) ([]wearable.Measurement, []error, error) {
	t.Helper()
	var ms []wearable.Measurement
	var recErrs []error
	for range 1_000_000 {
		m, err := r.Next()
		switch {
		case err == nil:
			ms = append(ms, m)
		case errors.Is(err, io.EOF):
			return ms, recErrs, nil
		case errors.Is(err, applehealth.ErrInvalidRecord):
			recErrs = append(recErrs, err)
		default:
			return ms, recErrs, err
		}
	}
	t.Fatal("reader did not terminate")
	return nil, nil, nil
}

func open(t *testing.T) *applehealth.Reader {
	t.Helper()
	f, err := os.Open(sample)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return applehealth.NewReader(f)
}

// TestSampleExportTotals checks the totals listed for the sample in
// testdata/README.md.
func TestSampleExportTotals(t *testing.T) {
	r := open(t)
	ms, recErrs, err := readAll(t, r)
	if err != nil || len(recErrs) != 0 {
		t.Fatalf("err %v, record errors %v", err, recErrs)
	}
	var steps int64
	var stepN, distN, workouts int
	var metres float64
	var workout wearable.Measurement
	for _, m := range ms {
		if m.Source.Kind != wearable.SourceAppleHealth || m.DedupeKey == "" {
			t.Fatalf("provenance %+v", m)
		}
		switch m.Kind {
		case wearable.KindStepCount:
			stepN++
			steps += m.Steps
		case wearable.KindDistance:
			distN++
			metres += float64(m.Distance)
			if m.Activity != "walking_running" || m.Original.Unit != "km" {
				t.Fatalf("distance %+v", m)
			}
		case wearable.KindWorkout:
			workouts++
			workout = m
		default:
			t.Fatalf("unexpected kind %v", m.Kind)
		}
	}
	if stepN != 10 || steps != 2517 || distN != 5 || math.Abs(metres-19.43) > 1e-9 || workouts != 1 {
		t.Fatalf("steps %d×%d, distance %d×%v m, workouts %d", stepN, steps, distN, metres, workouts)
	}
	w := workout.Workout
	if w.Activity != "other" || math.Abs(w.Duration.Minutes()-31.7368) > 1e-4 || math.Abs(float64(w.Energy)-139.317) > 1e-9 || w.Distance != 0 {
		t.Fatalf("workout %+v", w)
	}
	if workout.Source.Name != "NJR Apple Watch" || workout.Source.Version != "2.2" {
		t.Fatalf("workout source %+v", workout.Source)
	}
	if _, off := workout.Start.Zone(); off != 3600 || !workout.Start.Equal(time.Date(2016, 4, 2, 9, 40, 38, 0, time.UTC)) {
		t.Fatalf("start %v", workout.Start)
	}

	st := r.Stats()
	if st.Records != 15 || st.ActivitySummaries != 2 || st.Workouts != 1 || st.Measurements != 16 || st.Locale != "en_GB" || st.Unsupported != 0 || st.Invalid != 0 {
		t.Fatalf("stats %+v", st)
	}
	if s := st.Types["HKQuantityTypeIdentifierStepCount"]; s.Count != 10 || s.Unit != "count" || s.Sum != 2517 || s.MixedUnits {
		t.Fatalf("step stats %+v", s)
	}
	if s := st.Types["HKQuantityTypeIdentifierDistanceWalkingRunning"]; s.Count != 5 || s.Unit != "km" || math.Abs(s.Sum-0.01943) > 1e-12 {
		t.Fatalf("distance stats %+v", s)
	}
	if !st.ExportDate.Equal(time.Date(2016, 4, 15, 6, 27, 26, 0, time.UTC)) {
		t.Fatalf("export date %v", st.ExportDate)
	}
}

func TestDedupeKeysStableAndUnique(t *testing.T) {
	a, _, _ := readAll(t, open(t))
	b, _, _ := readAll(t, open(t))
	seen := map[string]bool{}
	for i := range a {
		if a[i].DedupeKey != b[i].DedupeKey {
			t.Fatalf("key %d differs between imports", i)
		}
		if seen[a[i].DedupeKey] {
			t.Fatalf("duplicate key %s", a[i].DedupeKey)
		}
		seen[a[i].DedupeKey] = true
	}
	// The device blob (with its per-export object address) is not part of
	// the key.
	doc := func(addr string) string {
		return `<HealthData locale="en"><Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" value="60" device="&lt;&lt;HKDevice: ` + addr + `&gt;, name:Apple Watch, model:Watch&gt;" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/></HealthData>`
	}
	m1, _ := applehealth.NewReader(strings.NewReader(doc("0x1"))).Next()
	m2, _ := applehealth.NewReader(strings.NewReader(doc("0x2"))).Next()
	if m1.DedupeKey != m2.DedupeKey || m1.Device.Name != "Apple Watch" || m1.Device.Type != wearable.DeviceWatch {
		t.Fatalf("%+v / %+v", m1, m2)
	}
}

func TestSampleToOpenMHealth(t *testing.T) {
	ms, _, _ := readAll(t, open(t))
	for _, m := range ms {
		dp, err := wearable.MarshalOpenMHealth(&m, wearable.DataPointOptions{})
		if err != nil {
			t.Fatalf("%v: %v", m.Kind, err)
		}
		var doc any
		if err := json.Unmarshal(dp, &doc); err != nil {
			t.Fatal(err)
		}
		if err := omhvalidate.ValidateDataPoint(doc); err != nil {
			t.Fatalf("%v: %v\n%s", m.Kind, err, dp)
		}
	}
}

const head = `<?xml version="1.0" encoding="UTF-8"?>
<HealthData locale="en_US">
`

func TestExternalEntitiesAreNotResolved(t *testing.T) {
	for name, doc := range map[string]string{
		"external entity": `<?xml version="1.0"?>
<!DOCTYPE HealthData [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<HealthData locale="en"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&xxe;" unit="count" value="1" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:01 +0000"/></HealthData>`,
		"billion laughs": `<?xml version="1.0"?>
<!DOCTYPE HealthData [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<HealthData locale="en"><Record type="HKQuantityTypeIdentifierStepCount" sourceName="&c;" unit="count" value="1" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:01 +0000"/></HealthData>`,
	} {
		r := applehealth.NewReader(strings.NewReader(doc))
		m, err := r.Next()
		var me *applehealth.MalformedError
		if !errors.As(err, &me) || !errors.Is(err, applehealth.ErrMalformed) {
			t.Fatalf("%s: got %+v, %v", name, m, err)
		}
		if _, again := r.Next(); again != err {
			t.Fatalf("%s: error not final", name)
		}
	}
}

func TestRecordErrorsDoNotStopTheImport(t *testing.T) {
	doc := head + `
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" value="10" startDate="2020-01-01 10:00" endDate="2020-01-01 10:00:01 +0000"/>
 <Record type="HKQuantityTypeIdentifierBodyMass" sourceName="P" unit="stone-ish" value="70" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/>
 <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="P" unit="count/min" value="NaN" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" value="12.5" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:01 +0000"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" value="11" startDate="2020-04-31 10:00:00 +0000" endDate="2020-01-01 10:00:01 +0000"/>
 <Record type="HKQuantityTypeIdentifierRespiratoryRate" sourceName="P" unit="count/min" value="14" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/>
 <Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" value="42" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:05 +0000"/>
</HealthData>`
	r := applehealth.NewReader(strings.NewReader(doc))
	ms, recErrs, err := readAll(t, r)
	if err != nil || len(ms) != 1 || ms[0].Steps != 42 {
		t.Fatalf("ms %+v err %v", ms, err)
	}
	want := []struct {
		attr  string
		cause error
		line  int
	}{
		{"startDate", applehealth.ErrBadDate, 4},
		{"unit", applehealth.ErrUnknownUnit, 5},
		{"value", applehealth.ErrBadValue, 6},
		{"value", applehealth.ErrBadValue, 7},
		{"startDate", applehealth.ErrBadDate, 8},
	}
	if len(recErrs) != len(want) {
		t.Fatalf("record errors %v", recErrs)
	}
	for i, w := range want {
		var re *applehealth.RecordError
		if !errors.As(recErrs[i], &re) || re.Attribute != w.attr || !errors.Is(re, w.cause) || re.Line != w.line || re.Element != "Record" {
			t.Errorf("error %d = %v (%+v), want %s %v line %d", i, recErrs[i], re, w.attr, w.cause, w.line)
		}
	}
	if st := r.Stats(); st.Invalid != 5 || st.Unsupported != 1 || st.Records != 7 {
		t.Fatalf("stats %+v", st)
	}
}

func TestBloodPressureCorrelation(t *testing.T) {
	doc := head + `
 <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" value="121" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" value="79" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100">
  <MetadataEntry key="HKWasUserEntered" value="0"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" value="79" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" value="121" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"/>
 </Correlation>
 <Correlation type="HKCorrelationTypeIdentifierFood" sourceName="App" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"/>
 <Record type="HKQuantityTypeIdentifierOxygenSaturation" sourceName="Watch" unit="%" value="0.97" startDate="2020-01-01 09:00:00 +0100" endDate="2020-01-01 09:00:00 +0100"/>
</HealthData>`
	r := applehealth.NewReader(strings.NewReader(doc))
	ms, recErrs, err := readAll(t, r)
	if err != nil || len(recErrs) != 0 || len(ms) != 2 {
		t.Fatalf("ms %+v errs %v %v", ms, recErrs, err)
	}
	if bp := ms[0]; bp.Kind != wearable.KindBloodPressure || bp.BloodPressure.Systolic != 121 || bp.BloodPressure.Diastolic != 79 {
		t.Fatalf("bp %+v", bp)
	}
	if o := ms[1]; o.SpO2 != 97 || o.Original != (wearable.Quantity{Value: 0.97, Unit: "1"}) {
		t.Fatalf("spo2 %+v", o)
	}
	if st := r.Stats(); st.CorrelationMembers != 2 || st.Correlations != 2 || st.Unsupported != 1 {
		t.Fatalf("stats %+v", st)
	}
}

func TestWorkoutStatisticsChildren(t *testing.T) {
	doc := head + `
 <Workout workoutActivityType="HKWorkoutActivityTypeTraditionalStrengthTraining" duration="45" durationUnit="min" sourceName="Watch" startDate="2023-05-01 18:00:00 -0400" endDate="2023-05-01 18:46:00 -0400">
  <WorkoutEvent type="HKWorkoutEventTypePause" date="2023-05-01 18:20:00 -0400"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierActiveEnergyBurned" startDate="2023-05-01 18:00:00 -0400" endDate="2023-05-01 18:46:00 -0400" sum="250.5" unit="kcal"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" startDate="2023-05-01 18:00:00 -0400" endDate="2023-05-01 18:46:00 -0400" average="121.4" minimum="80" maximum="162" unit="count/min"/>
  <WorkoutStatistics type="HKQuantityTypeIdentifierDistanceWalkingRunning" startDate="2023-05-01 18:00:00 -0400" endDate="2023-05-01 18:46:00 -0400" sum="1.2" unit="mi"/>
 </Workout>
</HealthData>`
	ms, errs, err := readAll(t, applehealth.NewReader(strings.NewReader(doc)))
	if err != nil || len(errs) != 0 || len(ms) != 1 {
		t.Fatalf("%v %v %v", ms, errs, err)
	}
	w := ms[0].Workout
	if w.Activity != "traditional_strength_training" || w.Duration != 45*time.Minute || w.Energy != 250.5 || w.AverageHeartRate != 121.4 || w.MaxHeartRate != 162 || math.Abs(float64(w.Distance)-1931.2128) > 1e-9 {
		t.Fatalf("workout %+v", w)
	}
}

func TestMalformedDocuments(t *testing.T) {
	for name, doc := range map[string]string{
		"empty":        "",
		"no root":      `<?xml version="1.0"?><Other/>`,
		"truncated":    head + `<Record type="HKQuantityTypeIdentifierStepCount" sourceName="P" unit="count" value="1" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:01 +0000">`,
		"mismatched":   head + `<Record></Workout></HealthData>`,
		"not xml":      "\x00\x01binary",
		"bad encoding": `<?xml version="1.0" encoding="UTF-16"?><HealthData/>`,
	} {
		_, _, err := readAll(t, applehealth.NewReader(strings.NewReader(doc)))
		if !errors.Is(err, applehealth.ErrMalformed) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
