package applehealth_test

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
	"github.com/touchpoint-sdk/touchpoint/wearable/applehealth"
)

// FuzzReader checks, for any document: no panic; Next terminates; every
// error is a *RecordError (the reader goes on), a *MalformedError or io.EOF
// (both final and repeated); every measurement has a kind, a dedupe key,
// Apple Health provenance and an effective time that wearable.CheckTime
// accepts; every flag the shared plausibility rules would set is set, and
// Stats.Flagged counts the measurements that are not Valid.
func FuzzReader(f *testing.F) {
	if b, err := os.ReadFile(sample); err == nil {
		f.Add(string(b))
	}
	f.Add(head + `<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" value="61" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/></HealthData>`)
	f.Add(head + `<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="C" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"><Record type="HKQuantityTypeIdentifierBloodPressureSystolic" unit="mmHg" value="120"/><Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" unit="kPa" value="10.7"/></Correlation></HealthData>`)
	f.Add(head + `<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="1" durationUnit="hr" sourceName="W" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 09:00:00 +0100"><WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="140" maximum="170" unit="count/min"/></Workout></HealthData>`)
	f.Add(`<!DOCTYPE HealthData [<!ENTITY x SYSTEM "file:///etc/passwd">]><HealthData>&x;</HealthData>`)
	// Implausible values that parse: flagged, not refused.
	f.Add(head + rec("HeartRate", "count/min", "-60") + rec("HeartRate", "count/min", "400") + rec("HeartRate", "count/min", "0") +
		rec("BodyMass", "kg", "-70") + rec("BodyMass", "lb", "1000") + rec("BodyTemperature", "degF", "120") +
		rec("OxygenSaturation", "%", "104") + rec("OxygenSaturation", "%", "-0.05") +
		rec("DistanceWalkingRunning", "km", "-0.4", "2022-10-01 08:00:00 +0200", "2022-10-01 08:05:00 +0200") +
		rec("StepCount", "count", "10", "2022-10-01 08:05:00 +0200", "2022-10-01 08:00:00 +0200") + "</HealthData>\n")
	f.Add(head + `<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:00:00 +0200"><Record type="HKQuantityTypeIdentifierBloodPressureSystolic" unit="mmHg" value="80"/><Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" unit="mmHg" value="120"/></Correlation>` +
		`<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="-30" durationUnit="min" sourceName="W" startDate="2022-10-01 09:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"><WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="150" maximum="400" unit="count/min"/></Workout></HealthData>`)
	// Unrepresentable: dates past 2262, before 1678 or the zero time; a
	// step count beyond int64; a duration beyond time.Duration.
	f.Add(head + rec("HeartRate", "count/min", "72", "2263-01-01 00:00:00 +0000", "2263-01-01 00:00:00 +0000") +
		rec("HeartRate", "count/min", "72", "0001-01-01 00:00:00 +0000", "0001-01-01 00:00:00 +0000") +
		rec("StepCount", "count", "10", "1600-01-01 00:00:00 +0000", "9999-12-31 23:59:59 +0000") + rec("StepCount", "count", "1e19") +
		`<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="1e300" durationUnit="min" sourceName="W" startDate="2022-10-01 08:00:00 +0200" endDate="2022-10-01 08:30:00 +0200"/></HealthData>`)
	// One root element only.
	f.Add(head + rec("HeartRate", "count/min", "72") + "</HealthData>\n<HealthData locale=\"en_US\">" + rec("HeartRate", "count/min", "73") + "</HealthData>")
	f.Add(head + rec("HeartRate", "count/min", "72") + "<HealthData>" + rec("HeartRate", "count/min", "73") + "</HealthData></HealthData>")
	f.Add(head + rec("HeartRate", "count/min", "72") + "</HealthData>" + rec("HeartRate", "count/min", "73"))
	f.Fuzz(func(t *testing.T, doc string) {
		r := applehealth.NewReader(strings.NewReader(doc))
		flagged := 0
		for i := 0; ; i++ {
			if i > len(doc)+2 {
				t.Fatal("Next does not terminate")
			}
			m, err := r.Next()
			if err == nil {
				if m.Kind == 0 || m.DedupeKey == "" || m.Source.Kind != wearable.SourceAppleHealth || m.Start.IsZero() {
					t.Fatalf("measurement %+v", m)
				}
				if wearable.CheckTime(m.Start) != nil || wearable.CheckTime(m.End) != nil {
					t.Fatalf("unrepresentable time frame %v..%v", m.Start, m.End)
				}
				if missed := wearable.Plausibility(&m) &^ m.Flags; missed != 0 {
					t.Fatalf("flags %b not set on %+v", missed, m)
				}
				if !m.Valid() {
					flagged++
				}
				continue
			}
			var re *applehealth.RecordError
			if errors.As(err, &re) {
				if re.Err == nil || !errors.Is(err, applehealth.ErrInvalidRecord) {
					t.Fatalf("record error %+v", re)
				}
				continue
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, applehealth.ErrMalformed) {
				t.Fatalf("error %v (%T)", err, err)
			}
			if _, again := r.Next(); again != err {
				t.Fatalf("final error not repeated: %v then %v", err, again)
			}
			st := r.Stats()
			if st.Invalid < 0 || st.Measurements > st.Records+st.Correlations+st.Workouts || st.Flagged != flagged {
				t.Fatalf("stats %+v, %d flagged seen", st, flagged)
			}
			return
		}
	})
}
