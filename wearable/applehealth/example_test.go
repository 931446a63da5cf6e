package applehealth_test

import (
	"errors"
	"fmt"
	"io"
	"os"

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
