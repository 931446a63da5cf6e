package vehicle_test

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// BenchmarkBaselineEncodingJSON decodes the same compact delivery with
// encoding/json into a struct of the same fields: a yardstick for
// DecodeSmartcar measured on the same machine at the same time (the
// machine is shared, so absolute figures move with its load).
func BenchmarkBaselineEncodingJSON(b *testing.B) {
	data, err := os.ReadFile("testdata/smartcar/vehicle_state_location.json")
	if err != nil {
		b.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, data); err != nil {
		b.Fatal(err)
	}
	data = compact.Bytes()
	type signal struct {
		Code, Name, Group string
		Status            struct{ Value string }
		Meta              struct{ OemUpdatedAt, FetchedAt, RetrievedAt int64 }
		Body              struct {
			Unit                         string
			Value                        any
			Latitude, Longitude, Heading float64
			Direction, LocationType      string
		}
	}
	type delivery struct {
		EventID, EventType, VehicleID string
		Data                          struct {
			User    struct{ ID string }
			Vehicle struct {
				ID, Make, Model string
				Year            int
			}
			Triggers []struct{ Code, Name, Group string }
			Signals  []signal
		}
		Meta struct {
			Version, DeliveryID, WebhookID, WebhookName, Mode string
			DeliveredAt                                       int64
			SignalCount                                       int
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for b.Loop() {
		var d delivery
		if err := json.Unmarshal(data, &d); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}
