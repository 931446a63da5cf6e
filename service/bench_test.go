package service_test

import (
	"testing"

	"github.com/touchpoint-sdk/touchpoint/service"
)

func BenchmarkOccurrenceEvent(b *testing.B) {
	o := samples()[5] // visit completed: asset and technician pseudonymised
	opts := service.Options{Pseudonymizer: pseudonymizer()}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := o.Event(opts); err != nil {
			b.Fatal(err)
		}
	}
}
