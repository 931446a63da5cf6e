package omhvalidate_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable/internal/omhvalidate"
)

// TestSampleDocuments runs every shouldPass and shouldFail document of each
// covered schema through the validator.
func TestSampleDocuments(t *testing.T) {
	covered := omhvalidate.Covered()
	files, err := filepath.Glob("testdata/openmhealth/*/*/*/*.json")
	if err != nil {
		t.Fatal(err)
	}
	checked := map[string]int{}
	for _, f := range files {
		parts := strings.Split(filepath.ToSlash(f), "/")
		name, version, expect := parts[2], parts[3], parts[4]
		if !slices.Contains(covered, name+"-"+version) {
			continue // heart-rate 1.x and respiratory-rate are not emitted
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		err = omhvalidate.Validate(name, version, doc)
		switch expect {
		case "shouldPass":
			if err != nil {
				t.Errorf("%s rejected: %v", f, err)
			}
		case "shouldFail":
			if err == nil {
				t.Errorf("%s accepted", f)
			}
			var ve *omhvalidate.Error
			if err != nil && !errors.As(err, &ve) {
				t.Errorf("%s: error %T", f, err)
			}
		default:
			t.Fatalf("unexpected folder %s", f)
		}
		checked[name+"-"+version+"/"+expect]++
	}
	// Every covered schema that has sample documents was exercised both ways
	// where the samples allow.
	for _, want := range []string{
		"heart-rate-2.0/shouldPass", "heart-rate-2.0/shouldFail",
		"rr-interval-1.0/shouldPass", "rr-interval-1.0/shouldFail",
		"calories-burned-2.0/shouldPass", "calories-burned-2.0/shouldFail",
		"speed-1.0/shouldPass", "speed-1.0/shouldFail",
		"step-count-3.0/shouldPass", "step-count-3.0/shouldFail",
		"physical-activity-1.2/shouldPass",
		"body-temperature-4.0/shouldPass", "body-temperature-4.0/shouldFail",
		"blood-pressure-4.0/shouldPass", "blood-pressure-4.0/shouldFail",
		"body-weight-3.0/shouldPass", "body-weight-3.0/shouldFail",
		"oxygen-saturation-2.0/shouldPass", "oxygen-saturation-2.0/shouldFail",
		"data-point-1.0/shouldPass", "data-point-1.0/shouldFail",
		"header-1.0/shouldPass", "header-1.0/shouldFail", "header-1.1/shouldFail", "header-1.2/shouldPass",
	} {
		if checked[want] == 0 {
			t.Errorf("no documents checked for %s", want)
		}
	}
	total := 0
	for _, n := range checked {
		total += n
	}
	t.Logf("checked %d sample documents", total)
}

func TestValidateDataPointChecksBody(t *testing.T) {
	doc := map[string]any{
		"header": map[string]any{
			"id": "x", "creation_date_time": "2020-01-01T00:00:00Z",
			"schema_id":              map[string]any{"namespace": "omh", "name": "heart-rate", "version": "2.0"},
			"acquisition_provenance": map[string]any{"source_name": "strap", "modality": "sensed"},
		},
		"body": map[string]any{"heart_rate": map[string]any{"value": 60.0, "unit": "beats/min"}},
	}
	var ve *omhvalidate.Error
	if err := omhvalidate.ValidateDataPoint(doc); !errors.As(err, &ve) || ve.Path != "body.effective_time_frame" {
		t.Fatalf("missing time frame: %v", err)
	}
	doc["body"].(map[string]any)["effective_time_frame"] = map[string]any{"date_time": "2020-01-01T00:00:00Z"}
	if err := omhvalidate.ValidateDataPoint(doc); err != nil {
		t.Fatal(err)
	}
	doc["header"].(map[string]any)["schema_id"].(map[string]any)["name"] = "respiratory-rate"
	if err := omhvalidate.ValidateDataPoint(doc); !errors.Is(err, omhvalidate.ErrUnknownSchema) {
		t.Fatalf("unknown schema: %v", err)
	}
}

func TestTimeFrameExclusive(t *testing.T) {
	both := map[string]any{
		"heart_rate": map[string]any{"value": 60.0, "unit": "beats/min"},
		"effective_time_frame": map[string]any{
			"date_time":     "2020-01-01T00:00:00Z",
			"time_interval": map[string]any{"start_date_time": "2020-01-01T00:00:00Z", "end_date_time": "2020-01-01T00:01:00Z"},
		},
	}
	if err := omhvalidate.Validate("heart-rate", "2.0", both); err == nil {
		t.Fatal("time frame with both forms accepted")
	}
	if err := omhvalidate.Validate("heart-rate", "9.9", both); !errors.Is(err, omhvalidate.ErrUnknownSchema) {
		t.Fatalf("err = %v", err)
	}
}
