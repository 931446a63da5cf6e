package gateway_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/beacon/gateway"
)

func BenchmarkParseOpenMQTTGateway(b *testing.B) {
	s := samples(b, "testdata/openmqttgateway.jsonl")[0]
	b.ReportAllocs()
	b.SetBytes(int64(len(s.Payload)))
	for b.Loop() {
		if _, err := gateway.ParseOpenMQTTGateway(s.Topic, s.Payload, received); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseESPresense(b *testing.B) {
	s := samples(b, "testdata/espresense.jsonl")[0]
	b.ReportAllocs()
	b.SetBytes(int64(len(s.Payload)))
	for b.Loop() {
		if _, err := gateway.ParseESPresense(s.Topic, s.Payload, received); err != nil {
			b.Fatal(err)
		}
	}
}
