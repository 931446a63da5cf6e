// Package attention accepts what AR platforms actually give an app —
// user-initiated interactions and attention aggregated on the device — and
// turns it into consent-safe events. Raw gaze never enters: there is no
// field for it, and Decode refuses any payload that carries it.
//
// # What each platform gives an app
//
//	visionOS     the tap (look and pinch) on the focused element; never where the user looks
//	             (hover effects run outside the app). No eye data, with or without permission.
//	WebXR        select/squeeze input events; targetRayMode "gaze" is head gaze, and
//	             "transient-pointer" (Safari on Vision Pro) exposes a ray only at pinch start.
//	             No eye data.
//	ARCore       face mesh and region poses; no eye or gaze pose. No eye data.
//	ARKit        on iPhone/iPad with face tracking, ARFaceAnchor.lookAtPoint and eye transforms:
//	             usable only under the app's explicit consent (Apple's Face Data terms), never
//	             for advertising. Permission name here: "face_tracking".
//	Meta Quest   eye tracking on Quest Pro only, behind com.oculus.permission.EYE_TRACKING,
//	             granted at runtime and switchable by the user.
//	Android XR   android.permission.EYE_TRACKING_FINE (gaze for interaction; COARSE is for avatars).
//	HoloLens 2   the gazeInput capability, GazeInputAccessStatus Allowed.
//	OpenXR       XR_EXT_eye_gaze_interaction, inactive until the runtime's permission is granted.
//
// Platform.EyePermission returns the permission per platform. A summary on
// BasisEye must name it with state "granted" (or "allowed"); visionOS,
// WebXR and ARCore summaries can only be BasisView (head gaze or in view).
//
// # Payloads
//
// One JSON object per message. Interactions:
//
//	{"type":"select"|"squeeze"|"tap"|"ar_view"|"try_on_start"|"try_on_complete",
//	 "platform":"webxr"|"visionos"|"arkit"|"arcore"|"android_xr"|"quest"|"hololens"|"openxr",
//	 "time":"<RFC 3339>", "session":"<app session id>",
//	 "product":{"id":"…","sku":"…"} (or "product":"<id>"), "target":"<shelf id>",
//	 "input":{"handedness":"right","targetRayMode":"transient-pointer","profiles":["generic-hand"]},
//	 "duration_ms":102550}
//
// The input object mirrors WebXR's XRInputSource without its spaces.
// Attention summaries:
//
//	{"type":"attention_summary","platform":"quest","basis":"eye"|"view",
//	 "permission":{"name":"com.oculus.permission.EYE_TRACKING","state":"granted"},
//	 "session":"…","start":"<RFC 3339>","bucket_ms":10000,
//	 "buckets":[{"targets":[{"kind":"product"|"shelf","id":"…","dwell_ms":6400}]}, …]}
//
// Buckets are at least MinBucket (1 s) long, at most MaxBuckets per
// summary, and no bucket holds more dwell than its length. Refused as raw
// gaze: sample types (gaze_sample, fixation, eye_pose, ...), any key naming
// gaze or eye data at any depth (gaze*, eye*, pupil*, fixation*, saccade*,
// blink*, lookAtPoint, samples, pose, transform, targetRaySpace,
// gripSpace, ray), and shorter buckets.
//
// # Events, purpose and expiry
//
// Message.Event emits "AR Product Viewed", "Virtual Try-On Started",
// "Virtual Try-On Completed", "AR Item Selected" and "Attention Summary",
// all connected.CategoryBiometric. The consent router never delivers that
// category to a marketing or advertising destination (such a destination
// cannot even list it), needs the subject's consent.PurposeAttention for
// it, and drops records older than its biometric retention
// (consent.WithBiometricRetention, default 24 h). Expiry is enforced twice:
// Event refuses a message older than EventOptions.Retention at the time it
// is given (*ExpiredError), and the router refuses one older than its own
// retention when it routes (or would release it from a hold). Each event
// also carries expires_at, the documented TTL for whoever stores it:
// delete it then. No emotion, intention or identity is inferred here, and
// nothing here should be used to infer them.
//
// Decode is safe for concurrent use and keeps no state; session ids leave
// only as keyed pseudonyms (EventOptions.Pseudonymizer) unless RawIDs.
package attention
