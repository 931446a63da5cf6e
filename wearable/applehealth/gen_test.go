package applehealth_test

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

// prolog returns the sample's XML declaration and DOCTYPE (with its
// internal DTD), so generated exports start like real ones.
func prolog(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(sample)
	if err != nil {
		tb.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "<HealthData")
	if i < 0 {
		tb.Fatal("sample has no HealthData")
	}
	return s[:i]
}

// genStats is what writeExport wrote.
type genStats struct {
	bytes        int64
	measurements int // elements the Reader turns into measurements
	records      int // top-level Records
}

// writeExport writes an export of at least size bytes: heart rate with
// metadata, steps, distance, energy, blood-pressure correlations with their
// top-level twins, and workouts, in the proportions of a phone + watch
// export.
func writeExport(tb testing.TB, path string, size int64) genStats {
	tb.Helper()
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cw := &countingWriter{w: f}
	w := bufio.NewWriterSize(cw, 1<<16)
	var st genStats
	fmt.Fprint(w, prolog(tb))
	fmt.Fprint(w, `<HealthData locale="en_GB">
 <ExportDate value="2024-01-31 07:27:26 +0000"/>
 <Me HKCharacteristicTypeIdentifierDateOfBirth="1980-01-01" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexNotSet" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>
`)
	const device = `&lt;&lt;HKDevice: 0x283e0c7d0&gt;, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0&gt;`
	t := time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600))
	const layout = "2006-01-02 15:04:05 -0700"
	for i := 0; cw.n+int64(w.Buffered()) < size; i++ {
		t = t.Add(7 * time.Second)
		s, e := t.Format(layout), t.Add(5*time.Second).Format(layout)
		switch i % 10 {
		case 0, 1, 2, 3:
			fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierHeartRate" sourceName="Watch" sourceVersion="9.0" device="%s" unit="count/min" creationDate="%s" startDate="%s" endDate="%s" value="%d">
  <MetadataEntry key="HKMetadataKeyHeartRateMotionContext" value="0"/>
 </Record>
`, device, e, s, s, 60+i%90)
			st.records++
			st.measurements++
		case 4, 5:
			fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierStepCount" sourceName="iPhone" sourceVersion="17.1" unit="count" creationDate="%s" startDate="%s" endDate="%s" value="%d"/>
`, e, s, e, i%200)
			st.records++
			st.measurements++
		case 6:
			fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierDistanceWalkingRunning" sourceName="iPhone" unit="km" creationDate="%s" startDate="%s" endDate="%s" value="0.0%d"/>
`, e, s, e, i%97)
			st.records++
			st.measurements++
		case 7:
			fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierActiveEnergyBurned" sourceName="Watch" device="%s" unit="kcal" creationDate="%s" startDate="%s" endDate="%s" value="0.%d"/>
`, device, e, s, e, i%1000)
			st.records++
			st.measurements++
		case 8:
			fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="%[1]s" endDate="%[1]s" value="121"/>
 <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="%[1]s" endDate="%[1]s" value="79"/>
 <Correlation type="HKCorrelationTypeIdentifierBloodPressure" sourceName="Cuff" startDate="%[1]s" endDate="%[1]s">
  <Record type="HKQuantityTypeIdentifierBloodPressureDiastolic" sourceName="Cuff" unit="mmHg" startDate="%[1]s" endDate="%[1]s" value="79"/>
  <Record type="HKQuantityTypeIdentifierBloodPressureSystolic" sourceName="Cuff" unit="mmHg" startDate="%[1]s" endDate="%[1]s" value="121"/>
 </Correlation>
`, s)
			st.records += 2
			st.measurements++
		case 9:
			if i%100 == 9 {
				fmt.Fprintf(w, ` <Workout workoutActivityType="HKWorkoutActivityTypeCycling" duration="31.5" durationUnit="min" totalDistance="12.1" totalDistanceUnit="km" totalEnergyBurned="301.2" totalEnergyBurnedUnit="kcal" sourceName="Watch" device="%s" startDate="%s" endDate="%s">
  <WorkoutEvent type="HKWorkoutEventTypePause" date="%s"/>
 </Workout>
`, device, s, t.Add(31*time.Minute+30*time.Second).Format(layout), e)
				st.measurements++
			} else {
				fmt.Fprintf(w, ` <Record type="HKQuantityTypeIdentifierRespiratoryRate" sourceName="Watch" unit="count/min" startDate="%[1]s" endDate="%[1]s" value="14"/>
`, s)
				st.records++
			}
		}
	}
	fmt.Fprint(w, "</HealthData>\n")
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	st.bytes = cw.n
	return st
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
