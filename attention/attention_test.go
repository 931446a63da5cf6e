package attention_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/attention"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var key = []byte("attention-test-pseudonym-key-0123")

// now is after every sample, within a day.
var now = time.Date(2026, 3, 2, 11, 0, 0, 0, time.UTC)

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSpace(b)
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs from the golden file:\nwant %s\ngot  %s", name, want, got)
	}
}

func opts(t testing.TB) attention.EventOptions {
	p, err := connected.NewPseudonymizer(key)
	if err != nil {
		t.Fatal(err)
	}
	return attention.EventOptions{UserID: "u42", Pseudonymizer: p}
}

// Every accepted sample decodes exactly (golden) and becomes a biometric
// event (golden Segment JSON).
func TestGolden(t *testing.T) {
	files, _ := filepath.Glob("testdata/accepted/*.json")
	if len(files) < 8 {
		t.Fatalf("only %d samples", len(files))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			var m attention.Message
			if err := attention.Decode(readFile(t, f), &m); err != nil {
				t.Fatal(err)
			}
			dec, err := json.MarshalIndent(m, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			e, err := m.Event(now, opts(t))
			if err != nil {
				t.Fatal(err)
			}
			if e.Category != connected.CategoryBiometric {
				t.Errorf("category %q", e.Category)
			}
			seg, err := connected.AppendSegment(nil, &e)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(seg, []byte(`"xr-`)) || bytes.Contains(seg, []byte(`"ios-`)) || bytes.Contains(seg, []byte(`"qp-`)) {
				t.Errorf("a session id left in the clear: %s", seg)
			}
			golden(t, name+".json", append(append(dec, '\n'), append(seg, '\n')...))
		})
	}
}

// Raw gaze is refused, whatever else the payload holds, with a *GazeError
// naming the field; eye-based summaries need the platform to allow eye data
// and the permission granted.
func TestRefused(t *testing.T) {
	want := map[string]struct {
		err   error
		field string
	}{
		"gaze_samples":           {attention.ErrRawGaze, "samples"},
		"arkit_look_at_point":    {attention.ErrRawGaze, "face.lookAtPoint"},
		"openxr_gaze_type":       {attention.ErrRawGaze, "pose"},
		"webxr_target_ray_space": {attention.ErrRawGaze, "input.targetRaySpace"},
		"short_buckets":          {attention.ErrRawGaze, "bucket_ms"},
		"visionos_eye_summary":   {attention.ErrPermission, ""},
		"quest_eye_denied":       {attention.ErrPermission, ""},
	}
	files, _ := filepath.Glob("testdata/refused/*.json")
	if len(files) != len(want) {
		t.Fatalf("%d refused samples, want %d", len(files), len(want))
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			w := want[name]
			m := attention.Message{Interaction: attention.Interaction{Product: "untouched"}}
			err := attention.Decode(readFile(t, f), &m)
			if !errors.Is(err, w.err) {
				t.Fatalf("error %v, want %v", err, w.err)
			}
			var ge *attention.GazeError
			if w.err == attention.ErrRawGaze && (!errors.As(err, &ge) || ge.Field != w.field) {
				t.Errorf("error %#v, want a *GazeError for %q", err, w.field)
			}
			var pe *attention.PermissionError
			if w.err == attention.ErrPermission && !errors.As(err, &pe) {
				t.Errorf("error %#v, want a *PermissionError", err)
			}
			if m.Interaction.Product != "untouched" {
				t.Errorf("output modified on error")
			}
		})
	}
	// The same summary as the refused visionOS one, on view basis, is fine:
	// head gaze needs no eye data.
	b := bytes.Replace(readFile(t, "testdata/refused/visionos_eye_summary.json"), []byte(`"basis":"eye"`), []byte(`"basis":"view"`), 1)
	var m attention.Message
	if err := attention.Decode(b, &m); err != nil || m.Summary.Basis != attention.BasisView || m.Summary.Permission != "" {
		t.Errorf("view basis on visionOS: %v %+v", err, m.Summary)
	}
	for _, p := range []attention.Platform{attention.PlatformVisionOS, attention.PlatformWebXR, attention.PlatformARCore} {
		if perm, ok := p.EyePermission(); ok || perm != "" {
			t.Errorf("%v gives eye data under %q", p, perm)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
		field    string
	}{
		{"empty", ``, attention.ErrTruncated, ""},
		{"not json", `select`, attention.ErrSyntax, ""},
		{"no type", `{"platform":"webxr","time":"2026-03-02T10:15:04Z","product":"p"}`, attention.ErrMissingField, "type"},
		{"unknown type", `{"type":"hover","platform":"webxr","time":"2026-03-02T10:15:04Z","product":"p"}`, attention.ErrUnknownType, "type"},
		{"unknown platform", `{"type":"select","platform":"magicleap","time":"2026-03-02T10:15:04Z","product":"p"}`, attention.ErrFieldType, "platform"},
		{"no time", `{"type":"select","platform":"webxr","product":"p"}`, attention.ErrMissingField, "time"},
		{"bad time", `{"type":"select","platform":"webxr","time":"10:15","product":"p"}`, attention.ErrFieldType, "time"},
		{"no product", `{"type":"ar_view","platform":"arkit","time":"2026-03-02T10:15:04Z"}`, attention.ErrMissingField, "product"},
		{"try-on without duration", `{"type":"try_on_complete","platform":"arkit","time":"2026-03-02T10:15:04Z","product":"p"}`, attention.ErrMissingField, "duration_ms"},
		{"negative duration", `{"type":"try_on_complete","platform":"arkit","time":"2026-03-02T10:15:04Z","product":"p","duration_ms":-1}`, attention.ErrFieldType, "duration_ms"},
		{"bad ray mode", `{"type":"select","platform":"webxr","time":"2026-03-02T10:15:04Z","product":"p","input":{"targetRayMode":"laser"}}`, attention.ErrFieldType, "input.targetRayMode"},
		{"dwell over bucket", `{"type":"attention_summary","platform":"webxr","basis":"view","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[{"targets":[{"kind":"product","id":"a","dwell_ms":800},{"kind":"product","id":"b","dwell_ms":300}]}]}`, attention.ErrFieldType, "buckets[0].targets"},
		{"bad kind", `{"type":"attention_summary","platform":"webxr","basis":"view","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[{"targets":[{"kind":"person","id":"a","dwell_ms":800}]}]}`, attention.ErrFieldType, "buckets[0].targets[0].kind"},
		{"dwell as string", `{"type":"attention_summary","platform":"webxr","basis":"view","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[{"targets":[{"kind":"product","id":"a","dwell_ms":"800"}]}]}`, attention.ErrFieldType, "buckets[0].targets[0].dwell_ms"},
		{"no buckets", `{"type":"attention_summary","platform":"webxr","basis":"view","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[]}`, attention.ErrMissingField, "buckets"},
		{"no basis", `{"type":"attention_summary","platform":"webxr","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[{"targets":[]}]}`, attention.ErrMissingField, "basis"},
		{"too many buckets", `{"type":"attention_summary","platform":"webxr","basis":"view","start":"2026-03-02T10:14:00Z","bucket_ms":1000,"buckets":[` + strings.Repeat(`{"targets":[]},`, attention.MaxBuckets) + `{"targets":[]}]}`, attention.ErrTooLarge, "buckets"},
		{"truncated", `{"type":"select","platform":"webxr","time":"2026-03-02T10:15:04Z","product":"p"`, attention.ErrTruncated, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := attention.Decode([]byte(tc.in), new(attention.Message))
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			var de *attention.DecodeError
			if !errors.As(err, &de) || de.Field != tc.field {
				t.Fatalf("error %#v, want a *DecodeError for %q", err, tc.field)
			}
		})
	}
}

// Emit-time expiry: a message older than the retention is refused; every
// event carries its expires_at.
func TestRetentionAtEmit(t *testing.T) {
	var m attention.Message
	if err := attention.Decode(readFile(t, "testdata/accepted/quest_pro_summary_eye.json"), &m); err != nil {
		t.Fatal(err)
	}
	end := m.Time() // 10:30:30
	o := opts(t)
	o.Retention = time.Hour
	e, err := m.Event(end.Add(time.Hour), o)
	if err != nil {
		t.Fatal(err)
	}
	if e.Properties["expires_at"] != end.Add(time.Hour) {
		t.Errorf("expires_at %v", e.Properties["expires_at"])
	}
	_, err = m.Event(end.Add(time.Hour+time.Millisecond), o)
	var xe *attention.ExpiredError
	if !errors.Is(err, attention.ErrExpired) || !errors.As(err, &xe) || xe.Retention != time.Hour {
		t.Fatalf("expired: %v", err)
	}
	if _, err := m.Event(end.Add(23*time.Hour), opts(t)); err != nil {
		t.Errorf("default retention is a day: %v", err)
	}
	if _, err := m.Event(end.Add(25*time.Hour), opts(t)); !errors.Is(err, attention.ErrExpired) {
		t.Errorf("default retention is a day: %v", err)
	}
	o.Pseudonymizer = nil
	if _, err := m.Event(end, o); !errors.Is(err, attention.ErrNoHashKey) {
		t.Errorf("session id without a pseudonymizer: %v", err)
	}
}

// Attention data never reaches an advertising (or marketing) destination
// through the real consent Router, even with every consent granted; it
// reaches an attention destination, and not once it is older than the
// router's biometric retention.
func TestAttentionNeverReachesAdvertising(t *testing.T) {
	ctx := context.Background()
	ledger, err := consent.NewLedger()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []consent.Purpose{consent.PurposeAnalytics, consent.PurposeAdvertising, consent.PurposeMarketing,
		consent.PurposePersonalization, consent.PurposeAttention} {
		if _, err := ledger.Record(ctx, consent.Fact{Subject: "u42", Purpose: p, Granted: true, Effective: now.Add(-48 * time.Hour), Source: consent.SourceAppSetting}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := consent.NewRouter(ledger, key, []consent.Destination{{Name: "ads", Purpose: consent.PurposeAdvertising,
		Categories: []connected.Category{connected.CategoryBiometric}, Handler: connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })}}); !errors.Is(err, consent.ErrSensitiveToAdTech) {
		t.Fatalf("an advertising destination taking biometric data: %v", err)
	}
	got := map[string]int{}
	sink := func(name string) connected.Handler {
		return connected.HandlerFunc(func(context.Context, *connected.Record) error { got[name]++; return nil })
	}
	behavioural := []connected.Category{connected.CategoryBehavioral, connected.CategoryTransaction}
	clock := now
	router, err := consent.NewRouter(ledger, key, []consent.Destination{
		{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: behavioural, OnRefusal: consent.Strip, Handler: sink("ads")},
		{Name: "crm", Purpose: consent.PurposeMarketing, Categories: behavioural, OnRefusal: consent.Hold, Handler: sink("crm")},
		{Name: "reco", Purpose: consent.PurposePersonalization, Categories: behavioural, Handler: sink("reco")},
		{Name: "attention", Purpose: consent.PurposeAttention, Categories: []connected.Category{connected.CategoryBiometric}, Handler: sink("attention")},
	}, consent.WithClock(func() time.Time { return clock }), consent.WithBiometricRetention(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	client, err := connected.New(router, connected.WithClock(func() time.Time { return clock }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = client.Shutdown(c)
	})
	files, _ := filepath.Glob("testdata/accepted/*.json")
	send := func() {
		for _, f := range files {
			var m attention.Message
			if err := attention.Decode(readFile(t, f), &m); err != nil {
				t.Fatal(err)
			}
			e, err := m.Event(now, opts(t))
			if err != nil {
				t.Fatal(err)
			}
			if err := client.Track(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if err := client.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	send()
	if got["ads"] != 0 || got["crm"] != 0 || got["reco"] != 0 || got["attention"] != len(files) {
		t.Fatalf("delivered %v, want only attention (%d)", got, len(files))
	}
	st := router.Stats()
	if st[0].Dropped[consent.ReasonSensitiveToAdTech] != uint64(len(files)) || st[0].Stripped != 0 ||
		st[1].Dropped[consent.ReasonSensitiveToAdTech] != uint64(len(files)) || st[1].Holding != 0 {
		t.Errorf("ad-tech stats %+v %+v", st[0], st[1])
	}
	// Route-time expiry: three hours later the same data is refused
	// everywhere (the emit-time retention of a day would still let it out).
	clock = now.Add(3 * time.Hour)
	send()
	if got["attention"] != len(files) {
		t.Errorf("expired data delivered: %v", got)
	}
	if n := router.Stats()[3].Dropped[consent.ReasonExpired]; n != uint64(len(files)) {
		t.Errorf("attention destination dropped %d as expired, want %d", n, len(files))
	}
}
