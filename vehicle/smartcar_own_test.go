package vehicle_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// TestDecodeSmartcarOwnsStrings: the event DecodeSmartcar returns shares
// no memory with its input, unlike a SmartcarDecoder's: overwriting the
// input afterwards changes nothing in the event.
func TestDecodeSmartcarOwnsStrings(t *testing.T) {
	files, _ := filepath.Glob("testdata/smartcar/*.json")
	inputs := []string{
		`{"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v1","make":"M","model":"X","vin":"V"},"user":{"id":"u"},"triggers":[{"type":"SIGNAL_UPDATED","signal":{"code":"c","name":"n","group":"g"}}],"signals":[{"code":"x","name":"n","group":"g","status":{"value":"ERROR","error":{"code":"ec","type":"et"}},"body":{"unit":"u","value":"t","direction":"N","locationType":"CURRENT"}}]},"meta":{"version":"4","deliveryId":"d","webhookId":"w","webhookName":"n","mode":"TEST"}}`,
		`{"eventId":"e\u00e9","eventType":"VEHICLE_ERROR","data":{"errors":[{"type":"t","code":"c","state":"ERROR","description":"d","suggestedUserMessage":"s","docURL":"h","resolution":{"type":"r"},"signals":[{"code":"a"},{"code":"b\n"}]}]}}`,
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, string(b))
	}
	for _, in := range inputs {
		b := []byte(in)
		e, err := vehicle.DecodeSmartcar(b)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		before, _ := json.Marshal(e)
		for i := range b {
			b[i] = '#'
		}
		if after, _ := json.Marshal(e); string(after) != string(before) {
			t.Fatalf("the event changed with its input:\n%s\n%s", before, after)
		}
	}
}
