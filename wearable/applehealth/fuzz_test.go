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
// Apple Health provenance and an effective time.
func FuzzReader(f *testing.F) {
	if b, err := os.ReadFile(sample); err == nil {
		f.Add(string(b))
	}
	f.Add(head + `<Record type="HKQuantityTypeIdentifierHeartRate" sourceName="W" unit="count/min" value="61" startDate="2020-01-01 10:00:00 +0000" endDate="2020-01-01 10:00:00 +0000"/></HealthData>`)
	f.Add(head + `<Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="C" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 08:00:00 +0100"><Record type="HKQuantityTypeIdentifierBloodPressureSystolic" unit="mmHg" value="120"/><Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" unit="kPa" value="10.7"/></Correlation></HealthData>`)
	f.Add(head + `<Workout workoutActivityType="HKWorkoutActivityTypeRunning" duration="1" durationUnit="hr" sourceName="W" startDate="2020-01-01 08:00:00 +0100" endDate="2020-01-01 09:00:00 +0100"><WorkoutStatistics type="HKQuantityTypeIdentifierHeartRate" average="140" maximum="170" unit="count/min"/></Workout></HealthData>`)
	f.Add(`<!DOCTYPE HealthData [<!ENTITY x SYSTEM "file:///etc/passwd">]><HealthData>&x;</HealthData>`)
	f.Fuzz(func(t *testing.T, doc string) {
		r := applehealth.NewReader(strings.NewReader(doc))
		for i := 0; ; i++ {
			if i > len(doc)+2 {
				t.Fatal("Next does not terminate")
			}
			m, err := r.Next()
			if err == nil {
				if m.Kind == 0 || m.DedupeKey == "" || m.Source.Kind != wearable.SourceAppleHealth || m.Start.IsZero() {
					t.Fatalf("measurement %+v", m)
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
			if st.Invalid < 0 || st.Measurements > st.Records+st.Correlations+st.Workouts {
				t.Fatalf("stats %+v", st)
			}
			return
		}
	})
}
