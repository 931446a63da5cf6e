package attention_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-sdk/touchpoint/attention"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// A WebXR select from Safari on Vision Pro becomes a biometric event whose
// session id leaves as a pseudonym.
func Example() {
	payload := []byte(`{"type":"select","platform":"webxr","time":"2026-03-02T10:15:04.120Z","session":"xr-7f3a9c",` +
		`"product":{"id":"sku-1207","sku":"BOOT-1207-42"},` +
		`"input":{"handedness":"right","targetRayMode":"transient-pointer","profiles":["generic-hand"]}}`)
	var m attention.Message
	if err := attention.Decode(payload, &m); err != nil {
		fmt.Println(err)
		return
	}
	p, _ := connected.NewPseudonymizer([]byte("a secret key of 32 bytes or so.."))
	now := time.Date(2026, 3, 2, 10, 15, 5, 0, time.UTC)
	e, err := m.Event(now, attention.EventOptions{UserID: "u42", Pseudonymizer: p})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(e.Event, e.Category, e.Properties["product_id"], e.Properties["input_mode"])
	fmt.Println(e.Properties["expires_at"])
	// Output:
	// AR Item Selected biometric sku-1207 transient-pointer
	// 2026-03-03 10:15:04.12 +0000 UTC
}

// Raw gaze is refused, and eye-based dwell needs the platform's permission.
func ExampleDecode() {
	var m attention.Message
	err := attention.Decode([]byte(`{"type":"try_on_complete","platform":"arkit","time":"2026-03-02T10:21:47Z",`+
		`"product":"sku-5510","duration_ms":102550,"face":{"lookAtPoint":[0.01,-0.03,0.41]}}`), &m)
	fmt.Println(errors.Is(err, attention.ErrRawGaze), err)

	err = attention.Decode([]byte(`{"type":"attention_summary","platform":"visionos","basis":"eye","start":"2026-03-02T10:30:00Z",`+
		`"bucket_ms":10000,"buckets":[{"targets":[{"kind":"product","id":"sku-1207","dwell_ms":6400}]}]}`), &m)
	fmt.Println(errors.Is(err, attention.ErrPermission), err)

	err = attention.Decode([]byte(`{"type":"attention_summary","platform":"quest","basis":"eye",`+
		`"permission":{"name":"com.oculus.permission.EYE_TRACKING","state":"granted"},"start":"2026-03-02T10:30:00Z",`+
		`"bucket_ms":10000,"buckets":[{"targets":[{"kind":"product","id":"sku-1207","dwell_ms":6400}]}]}`), &m)
	fmt.Println(err, m.Summary.Basis, m.Summary.Dwells[0].ID, m.Summary.Dwells[0].Dwell)
	// Output:
	// true attention: face.lookAtPoint: offset 139: raw gaze or eye data: attention: raw gaze data refused
	// true attention: visionos gives apps no eye data: attention: eye tracking not permitted on this platform
	// <nil> eye sku-1207 6.4s
}

func ExamplePlatform_EyePermission() {
	for _, p := range []attention.Platform{attention.PlatformVisionOS, attention.PlatformQuest, attention.PlatformAndroidXR, attention.PlatformWebXR} {
		perm, ok := p.EyePermission()
		fmt.Printf("%s %v %q\n", p, ok, perm)
	}
	// Output:
	// visionos false ""
	// quest true "com.oculus.permission.EYE_TRACKING"
	// android_xr true "android.permission.EYE_TRACKING_FINE"
	// webxr false ""
}

// Data older than the retention is refused when the event is built.
func ExampleMessage_Event() {
	var m attention.Message
	_ = attention.Decode([]byte(`{"type":"ar_view","platform":"arkit","time":"2026-03-02T10:18:00Z","product":"sku-0033"}`), &m)
	o := attention.EventOptions{AnonymousID: "a-1", Retention: time.Hour}
	_, err := m.Event(time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), o)
	fmt.Println(errors.Is(err, attention.ErrExpired))
	e, _ := m.Event(time.Date(2026, 3, 2, 10, 30, 0, 0, time.UTC), o)
	fmt.Println(e.Event, e.Properties["expires_at"])
	// Output:
	// true
	// AR Product Viewed 2026-03-02 11:18:00 +0000 UTC
}
