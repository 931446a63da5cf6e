package identity_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

// benchFacts returns link facts shaped as a fleet hub sees them: two to
// four identifiers, a profile id, now and then a blocked placeholder.
func benchFacts(b *testing.B) []identity.LinkFact {
	types := []identity.Type{identity.TypeAnonymousID, identity.TypeEmail, identity.TypeUserID, identity.TypeDeviceID}
	facts := make([]identity.LinkFact, 64)
	for i := range facts {
		lf := identity.LinkFact{
			EventID:   fmt.Sprintf("0197a3c4-%04x-7000-8000-%012x", i, i*7919),
			Time:      time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * 1234567 * time.Millisecond),
			ProfileID: fmt.Sprintf("p_%016x", uint64(i)*0x9e3779b97f4a7c15),
		}
		for j := range 2 + i%3 {
			k, err := identity.ParseKey(fmt.Sprintf("%016x%016x", uint64(i+1)*0x9e3779b97f4a7c15, uint64(j+1)*0xc2b2ae3d27d4eb4f))
			if err != nil {
				b.Fatal(err)
			}
			lf.IDs = append(lf.IDs, identity.Ref{Type: types[j], Key: k})
		}
		if i%8 == 0 {
			lf.Blocked = []identity.Ref{{Type: identity.TypeUserID, Key: lf.IDs[0].Key}}
		}
		facts[i] = lf
	}
	return facts
}

// reportCPU reports cpu-ns/op, the process CPU time per operation since
// cpu0, besides the wall-clock ns/op, which a busy machine inflates.
func reportCPU(b *testing.B, cpu0 float64) {
	if cpu := cpuSeconds() - cpu0; cpu > 0 {
		b.ReportMetric(cpu*1e9/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkDecodeLinkFact decodes link facts as a gateway encodes them
// (what the fleet hub does for every link message).
func BenchmarkDecodeLinkFact(b *testing.B) {
	var payloads [][]byte
	for _, lf := range benchFacts(b) {
		rec, err := identity.EncodeLinkFact(lf, "store-0042", nil)
		if err != nil {
			b.Fatal(err)
		}
		payloads = append(payloads, rec.Payload)
	}
	b.ReportAllocs()
	n := 0
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := identity.DecodeLinkFact(payloads[n%len(payloads)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	reportCPU(b, cpu0)
}

// BenchmarkEncodeLinkFact encodes link facts: as the fleet hub does for
// every link message it forwards (no partition-key secret), and as the
// middleware does for every fact (with one); "append" is AppendLinkFact,
// the bytes alone (fleet.Encode).
func BenchmarkEncodeLinkFact(b *testing.B) {
	facts := benchFacts(b)
	for _, v := range []struct {
		name   string
		secret []byte
	}{{"hub", nil}, {"gateway", []byte("pk-secret")}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			cpu0 := cpuSeconds()
			for b.Loop() {
				if _, err := identity.EncodeLinkFact(facts[n%len(facts)], "store-0042", v.secret); err != nil {
					b.Fatal(err)
				}
				n++
			}
			reportCPU(b, cpu0)
		})
	}
	// What the fleet hub now does: the payload alone, into a reused buffer.
	b.Run("append", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		n := 0
		cpu0 := cpuSeconds()
		for b.Loop() {
			var err error
			if buf, _, err = identity.AppendLinkFact(buf[:0], facts[n%len(facts)], "store-0042"); err != nil {
				b.Fatal(err)
			}
			n++
		}
		reportCPU(b, cpu0)
	})
}

// TestLinkFactAllocs enforces DecodeLinkFact's allocation budget on a
// fact as gateways encode it: the event id, the profile id and the
// identifiers, nothing else.
func TestLinkFactAllocs(t *testing.T) {
	if testing.CoverMode() != "" || raceEnabled {
		t.Skip("coverage and race instrumentation allocate by themselves; run without -race/-cover to check the budget")
	}
	k, _ := identity.ParseKey("00112233445566778899aabbccddeeff")
	rec, err := identity.EncodeLinkFact(identity.LinkFact{EventID: "0197a3c4-0000-7000-8000-000000000001", Time: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC),
		IDs: []identity.Ref{{Type: identity.TypeEmail, Key: k}, {Type: identity.TypeUserID, Key: k}, {Type: "custom_t", Key: k}}, ProfileID: "p_1"}, "gw-1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(200, func() {
		if _, err := identity.DecodeLinkFact(rec.Payload); err != nil {
			t.Fatal(err)
		}
	}); a > 4 {
		t.Errorf("DecodeLinkFact: %v allocations, budget 4 (event id, profile id, identifiers, a custom type)", a)
	}
}
