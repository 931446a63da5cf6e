package attention

import "time"

// Platform is the AR platform a message comes from.
type Platform uint8

// The platforms, and what each gives an app (see the package doc).
const (
	PlatformWebXR     Platform = iota + 1 // WebXR Device API in a browser: "webxr"
	PlatformVisionOS                      // Apple Vision Pro: "visionos"
	PlatformARKit                         // ARKit on iPhone and iPad: "arkit"
	PlatformARCore                        // ARCore on Android phones: "arcore"
	PlatformAndroidXR                     // Android XR headsets: "android_xr"
	PlatformQuest                         // Meta Quest (eye tracking on Quest Pro): "quest"
	PlatformHoloLens                      // Windows Mixed Reality / HoloLens 2: "hololens"
	PlatformOpenXR                        // another OpenXR runtime: "openxr"
)

var platformNames = [...]string{"", "webxr", "visionos", "arkit", "arcore", "android_xr", "quest", "hololens", "openxr"}

// String returns the platform's wire name.
func (p Platform) String() string {
	if int(p) < len(platformNames) && p != 0 {
		return platformNames[p]
	}
	return "unknown"
}

func platformOf(s string) Platform {
	for i, n := range platformNames {
		if i > 0 && n == s {
			return Platform(i)
		}
	}
	return 0
}

// EyePermission returns the permission under which platform p gives an app
// eye-tracking data, and whether it gives any at all: visionOS, WebXR and
// ARCore never do (visionOS hands apps the tap, not the gaze; WebXR's
// transient-pointer exposes a ray only at the start of a pinch; ARCore's
// face API has no eye pose).
func (p Platform) EyePermission() (permission string, ok bool) {
	switch p {
	case PlatformQuest:
		return "com.oculus.permission.EYE_TRACKING", true
	case PlatformAndroidXR:
		return "android.permission.EYE_TRACKING_FINE", true
	case PlatformHoloLens:
		return "gazeInput", true
	case PlatformARKit:
		return "face_tracking", true // the app's own explicit consent (Apple DPLA, Face Data)
	case PlatformOpenXR:
		return "XR_EXT_eye_gaze_interaction", true
	}
	return "", false
}

// Action is a user-initiated interaction.
type Action uint8

// The interactions accepted.
const (
	// ActionProductViewed: the user placed or opened a product in AR (AR
	// Quick Look, Scene Viewer, an app's AR view). Wire type "ar_view".
	ActionProductViewed Action = iota + 1
	// ActionTryOnStarted: the user started a virtual try-on. "try_on_start".
	ActionTryOnStarted
	// ActionTryOnCompleted: the user finished a virtual try-on.
	// "try_on_complete", with duration_ms.
	ActionTryOnCompleted
	// ActionSelected: the user selected an item: a WebXR "select" (or
	// "squeeze") input event, or its native equivalent — a visionOS tap
	// (look and pinch), a controller trigger, an AirTap ("select", "squeeze",
	// "tap").
	ActionSelected
)

// String returns the action's wire type.
func (a Action) String() string {
	switch a {
	case ActionProductViewed:
		return "ar_view"
	case ActionTryOnStarted:
		return "try_on_start"
	case ActionTryOnCompleted:
		return "try_on_complete"
	case ActionSelected:
		return "select"
	}
	return "unknown"
}

// Input describes the input source of a selection, as WebXR's
// XRInputSource does, without its spaces or poses.
type Input struct {
	Handedness    string // "none", "left", "right"
	TargetRayMode string // "gaze" (head gaze), "tracked-pointer", "screen", "transient-pointer"
	Profile       string // the first of XRInputSource.profiles ("generic-hand", "oculus-touch-v3")
}

// Interaction is one user-initiated AR interaction.
type Interaction struct {
	Action   Action
	Platform Platform
	Time     time.Time // when it happened (UTC)
	Session  string    // the app's AR session id (leaves only as a pseudonym)
	Product  string    // product id
	SKU      string    // optional
	Target   string    // optional: what was selected when not a product ("shelf-12")
	Gesture  string    // the wire type of a selection: "select", "squeeze" or "tap"
	Input    Input     // selections: the input source, when given
	Duration time.Duration
}

// Basis says what a dwell figure measures.
type Basis uint8

// The bases of attention summaries.
const (
	// BasisView: time the target was in view or under the head-gaze
	// reticle. Needs no eye data.
	BasisView Basis = iota + 1
	// BasisEye: time the user's eyes rested on the target, aggregated on
	// the device from eye tracking under the platform's permission.
	BasisEye
)

// String returns "view" or "eye".
func (b Basis) String() string {
	switch b {
	case BasisView:
		return "view"
	case BasisEye:
		return "eye"
	}
	return "unknown"
}

// Dwell is the time spent on one target in one bucket.
type Dwell struct {
	Bucket int           // index of the bucket: it starts at Summary.Start + Bucket*Summary.BucketLen
	Kind   string        // "product" or "shelf"
	ID     string        // product or shelf id
	Dwell  time.Duration // at most BucketLen
}

// Summary is attention aggregated on the device: dwell per product or shelf
// in fixed time buckets. There is no field for samples: none are accepted.
type Summary struct {
	Platform   Platform
	Basis      Basis
	Permission string // the eye tracking permission, for BasisEye
	Session    string
	Start      time.Time     // start of the first bucket (UTC)
	BucketLen  time.Duration // at least MinBucket
	Buckets    int           // number of buckets
	Dwells     []Dwell       // in bucket order
}

// End returns the end of the summary's last bucket: the summary's time.
func (s *Summary) End() time.Time { return s.Start.Add(time.Duration(s.Buckets) * s.BucketLen) }

// Limits of a summary.
const (
	// MinBucket is the shortest bucket accepted: one second. Shorter
	// buckets approach a sample stream and are refused as raw gaze.
	MinBucket = time.Second
	// MaxBucket is the longest bucket: one hour.
	MaxBucket = time.Hour
	// MaxBuckets is the most buckets in one summary.
	MaxBuckets = 360
	// MaxTargets is the most targets in one bucket.
	MaxTargets = 64
)

// Message is one decoded payload: an Interaction or a Summary.
type Message struct {
	IsSummary   bool
	Interaction Interaction // when !IsSummary
	Summary     Summary     // when IsSummary
}

// Time returns the message's time: the interaction's, or the summary's end.
func (m *Message) Time() time.Time {
	if m.IsSummary {
		return m.Summary.End()
	}
	return m.Interaction.Time
}
