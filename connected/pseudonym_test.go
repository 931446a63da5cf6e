package connected_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

var testPseudonymKey = []byte("0123456789abcdef-pseudonym-key")

// The construction is the documented one, computed here independently.
func TestPseudonymConstruction(t *testing.T) {
	for _, id := range []string{"irk:1a2b3c4d5e6f708192a3b4c5d6e7f809", "address:C1:D2:E3:F4:A5:B6", "", strings.Repeat("x", 1000)} {
		m := hmac.New(sha256.New, testPseudonymKey)
		m.Write([]byte("touchpoint/pseudonym/v1\x00" + id))
		want := "ps1_" + hex.EncodeToString(m.Sum(nil)[:16])
		got, err := connected.Pseudonym(testPseudonymKey, id)
		if err != nil || got != want {
			t.Fatalf("Pseudonym(%.20q) = %q, %v; want %q", id, got, err, want)
		}
		if len(got) != connected.PseudonymLen || !strings.HasPrefix(got, connected.PseudonymPrefix) {
			t.Fatalf("form of %q", got)
		}
	}
}

// A golden value pins the form across releases: stored pseudonyms must keep
// matching.
func TestPseudonymGolden(t *testing.T) {
	got, err := connected.Pseudonym([]byte("touchpoint-test-key-16+"), "address:C1:D2:E3:F4:A5:B6")
	const want = "ps1_9eef968d1329fef3e52f5473d0748885"
	if err != nil || got != want {
		t.Fatalf("got %s, %v; want %s", got, err, want)
	}
}

func TestPseudonymKeyErrors(t *testing.T) {
	for _, key := range [][]byte{nil, {}, []byte("short"), []byte("fifteen bytes!!")} {
		p, err := connected.NewPseudonymizer(key)
		var ke *connected.PseudonymKeyError
		if p != nil || !errors.Is(err, connected.ErrPseudonymKey) || !errors.As(err, &ke) || ke.Len != len(key) {
			t.Errorf("key of %d bytes: %v, %v", len(key), p, err)
		}
		if s, err := connected.Pseudonym(key, "x"); s != "" || !errors.Is(err, connected.ErrPseudonymKey) {
			t.Errorf("Pseudonym with %d-byte key = %q, %v", len(key), s, err)
		}
	}
	if _, err := connected.NewPseudonymizer([]byte("sixteen bytes!!!")); err != nil {
		t.Errorf("16-byte key refused: %v", err)
	}
}

func TestPseudonymProperties(t *testing.T) {
	p, err := connected.NewPseudonymizer(testPseudonymKey)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := connected.NewPseudonymizer([]byte("another key of 16+ bytes"))
	a, b := p.Pseudonym("irk:aa"), p.Pseudonym("irk:ab")
	if a != p.Pseudonym("irk:aa") || a == b || a == other.Pseudonym("irk:aa") {
		t.Fatalf("not deterministic, or not keyed: %s %s", a, b)
	}
	if strings.Contains(a, "aa") && strings.Contains(a, "irk") {
		t.Fatalf("identifier visible in %s", a)
	}
	// Distinct from the partition key under the same secret.
	if pk := connected.PartitionKey(testPseudonymKey, "irk:aa"); strings.HasSuffix(a, pk) {
		t.Fatal("pseudonym equals the partition key")
	}
	// The caller's key may change afterwards: the Pseudonymizer kept a copy.
	key := append([]byte(nil), testPseudonymKey...)
	q, _ := connected.NewPseudonymizer(key)
	key[0] ^= 0xFF
	if q.Pseudonym("irk:aa") != a {
		t.Fatal("Pseudonymizer aliases the caller's key")
	}
	if got := string(p.AppendPseudonym([]byte("x="), "irk:aa")); got != "x="+a {
		t.Fatalf("AppendPseudonym = %s", got)
	}
}

func TestPseudonymizerConcurrent(t *testing.T) {
	p, _ := connected.NewPseudonymizer(testPseudonymKey)
	want := map[string]string{}
	ids := []string{"a", "b", "c", "d", "e"}
	for _, id := range ids {
		want[id], _ = connected.Pseudonym(testPseudonymKey, id)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				id := ids[(g+i)%len(ids)]
				if got := p.Pseudonym(id); got != want[id] {
					t.Errorf("%s: %s != %s", id, got, want[id])
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkPseudonym(b *testing.B) {
	p, _ := connected.NewPseudonymizer(testPseudonymKey)
	buf := make([]byte, 0, connected.PseudonymLen)
	ids := []string{"irk:1a2b3c4d5e6f708192a3b4c5d6e7f809", "address:C1:D2:E3:F4:A5:B6"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		buf = p.AppendPseudonym(buf[:0], ids[i&1])
		i++
	}
}
