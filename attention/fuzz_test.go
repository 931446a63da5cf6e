package attention_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/attention"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// FuzzDecode: never a panic; an error is one of the package's typed
// errors and leaves the output alone; an accepted payload is JSON, carries
// no gaze key, is deterministic, has buckets of at least MinBucket and no
// bucket over-full, and converts to a biometric event.
func FuzzDecode(f *testing.F) {
	for _, dir := range []string{"accepted", "refused"} {
		files, _ := filepath.Glob("testdata/" + dir + "/*.json")
		for _, p := range files {
			f.Add(readFile(f, p))
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		m := attention.Message{Interaction: attention.Interaction{Product: "untouched"}}
		err := attention.Decode(in, &m)
		if err != nil {
			var de *attention.DecodeError
			var ge *attention.GazeError
			var pe *attention.PermissionError
			if !errors.As(err, &de) && !errors.As(err, &ge) && !errors.As(err, &pe) {
				t.Fatalf("untyped error %T %v", err, err)
			}
			if m.Interaction.Product != "untouched" {
				t.Fatalf("output modified on error")
			}
			return
		}
		if !json.Valid(in) {
			t.Fatalf("accepted invalid JSON %q", in)
		}
		low := bytes.ToLower(in)
		for _, k := range []string{`"gaze`, `"eye`, `"samples"`, `"lookatpoint"`, `"pose"`, `"targetrayspace"`} {
			if i := bytes.Index(low, []byte(k)); i >= 0 && bytes.HasPrefix(bytes.TrimLeft(low[i+len(k):], "abcdefghijklmnopqrstuvwxyz_-0123456789"), []byte(`":`)) {
				// a key, not a value like "basis":"eye"
				t.Fatalf("accepted a payload with key %s: %q", k, in)
			}
		}
		var again attention.Message
		if err := attention.Decode(in, &again); err != nil || !reflect.DeepEqual(m, again) {
			t.Fatalf("not deterministic: %v", err)
		}
		if m.IsSummary {
			s := m.Summary
			if s.BucketLen < attention.MinBucket || s.Buckets < 1 || s.Buckets > attention.MaxBuckets {
				t.Fatalf("summary %+v", s)
			}
			sums := map[int]time.Duration{}
			for _, d := range s.Dwells {
				sums[d.Bucket] += d.Dwell
				if d.Bucket >= s.Buckets || sums[d.Bucket] > s.BucketLen {
					t.Fatalf("bucket over-full: %+v", s)
				}
			}
			if s.Basis == attention.BasisEye {
				if perm, ok := s.Platform.EyePermission(); !ok || perm != s.Permission {
					t.Fatalf("eye summary without permission: %+v", s)
				}
			}
		}
		p, _ := connected.NewPseudonymizer(key)
		e, err := m.Event(m.Time(), attention.EventOptions{AnonymousID: "a", Pseudonymizer: p})
		if err != nil {
			t.Fatalf("Event: %v", err)
		}
		if e.Category != connected.CategoryBiometric {
			t.Fatalf("category %q", e.Category)
		}
	})
}
