package attention

import (
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// This file is the one place where attention messages become
// connected.Events. Every event is connected.CategoryBiometric: AR
// sessions run on camera, face, hand and (with permission) eye tracking,
// and the platforms' rules (Apple's Face Data terms and App Review
// 5.1.2(vi), the OpenXR eye gaze extension's advice) keep such data away
// from advertising. The consent router never delivers CategoryBiometric to
// a marketing or advertising destination, requires the subject's
// consent.PurposeAttention, and drops records older than its biometric
// retention.

// The event vocabulary of this package: track event names.
const (
	// EventARProductViewed: a product was placed or opened in AR.
	EventARProductViewed = "AR Product Viewed"
	// EventTryOnStarted: a virtual try-on started.
	EventTryOnStarted = "Virtual Try-On Started"
	// EventTryOnCompleted: a virtual try-on finished; duration_s.
	EventTryOnCompleted = "Virtual Try-On Completed"
	// EventARItemSelected: the user selected an item (WebXR select or
	// squeeze, a visionOS tap, a controller trigger).
	EventARItemSelected = "AR Item Selected"
	// EventAttentionSummary: dwell per product or shelf, aggregated on the
	// device in time buckets.
	EventAttentionSummary = "Attention Summary"
)

// DefaultRetention is how long attention data may be used after its time,
// by default: 24 hours, the consent router's default biometric retention.
const DefaultRetention = 24 * time.Hour

// EventOptions controls the conversion of messages to events.
type EventOptions struct {
	// UserID and AnonymousID identify the person using the app; one is
	// required by connected.Client validation.
	UserID, AnonymousID string
	// Pseudonymizer turns AR session ids into keyed pseudonyms. Required
	// when a message carries a session id, unless RawIDs.
	Pseudonymizer *connected.Pseudonymizer
	// RawIDs sends session ids in the clear.
	RawIDs bool
	// Retention is how long after its time the data may be used: Event
	// refuses older messages, and stamps expires_at (time + Retention) on
	// every event as the TTL for whoever stores it. 0 means
	// DefaultRetention; keep it no longer than the consent router's
	// biometric retention (consent.WithBiometricRetention), which drops
	// older records anyway.
	Retention time.Duration
	// Channel is context.channel; default connected.ChannelMobile.
	Channel connected.Channel
}

var messageIDSpace = uuid.MustParse("0d9a4c5e-3b71-5f2a-9e64-7c1b8f2d6a93")

// Event converts the message into a track event of connected.CategoryBiometric
// with originalTimestamp the message's time (a summary's end) and
// snake_case properties: platform, expires_at, session_id (pseudonym, when
// a session id was given), and
//
//	AR Product Viewed          product_id, sku
//	Virtual Try-On Started     product_id, sku
//	Virtual Try-On Completed   product_id, sku, duration_s
//	AR Item Selected           product_id or target_id, gesture, input_mode, handedness, input_profile
//	Attention Summary          basis, permission (eye), window_start, bucket_s, bucket_count,
//	                           total_dwell_s, targets [{bucket, bucket_start, kind, id, dwell_s}]
//
// now is the time of the conversion (time from input: pass the event clock
// of a replayed stream). A message older than the retention at now gets an
// *ExpiredError (ErrExpired); a session id without a Pseudonymizer (and
// without RawIDs) ErrNoHashKey; an invalid option a *ConfigError. The
// messageId derives from the message, so a replay gives the same id.
func (m *Message) Event(now time.Time, o EventOptions) (connected.Event, error) {
	ret := o.Retention
	switch {
	case ret < 0:
		return connected.Event{}, &ConfigError{Field: "Retention", Reason: "is negative"}
	case ret == 0:
		ret = DefaultRetention
	}
	at := m.Time()
	if now.IsZero() || at.IsZero() {
		return connected.Event{}, &ConfigError{Field: "now", Reason: "zero time"}
	}
	if at.Add(ret).Before(now) {
		return connected.Event{}, &ExpiredError{Time: at, Now: now, Retention: ret}
	}
	session := ""
	if s := m.session(); s != "" {
		switch {
		case o.RawIDs:
			session = s
		case o.Pseudonymizer == nil:
			return connected.Event{}, ErrNoHashKey
		default:
			session = o.Pseudonymizer.Pseudonym("ar-session:" + s)
		}
	}
	ch := o.Channel
	if ch == "" {
		ch = connected.ChannelMobile
	}
	p := connected.Properties{"expires_at": at.Add(ret).UTC()}
	if session != "" {
		p["session_id"] = session
	}
	var name, key string
	if m.IsSummary {
		name = EventAttentionSummary
		key = m.summaryProps(p)
	} else {
		name = m.Interaction.Action.eventName()
		key = m.interactionProps(p)
	}
	key = name + "|" + session + "|" + strconv.FormatInt(at.UnixNano(), 10) + "|" + key
	return connected.Event{
		Type:              connected.TypeTrack,
		Event:             name,
		MessageID:         uuid.NewSHA1(messageIDSpace, []byte(key)).String(),
		UserID:            o.UserID,
		AnonymousID:       o.AnonymousID,
		OriginalTimestamp: at.UTC(),
		Properties:        p,
		Category:          connected.CategoryBiometric,
		Context:           connected.Context{Channel: ch},
	}, nil
}

func (m *Message) session() string {
	if m.IsSummary {
		return m.Summary.Session
	}
	return m.Interaction.Session
}

func (a Action) eventName() string {
	switch a {
	case ActionProductViewed:
		return EventARProductViewed
	case ActionTryOnStarted:
		return EventTryOnStarted
	case ActionTryOnCompleted:
		return EventTryOnCompleted
	}
	return EventARItemSelected
}

func (m *Message) interactionProps(p connected.Properties) string {
	in := &m.Interaction
	p["platform"] = in.Platform.String()
	if in.Product != "" {
		p["product_id"] = in.Product
	}
	if in.SKU != "" {
		p["sku"] = in.SKU
	}
	switch in.Action {
	case ActionTryOnCompleted:
		p["duration_s"] = in.Duration.Seconds()
	case ActionSelected:
		if in.Target != "" {
			p["target_id"] = in.Target
		}
		p["gesture"] = in.Gesture
		if in.Input.TargetRayMode != "" {
			p["input_mode"] = in.Input.TargetRayMode
		}
		if in.Input.Handedness != "" {
			p["handedness"] = in.Input.Handedness
		}
		if in.Input.Profile != "" {
			p["input_profile"] = in.Input.Profile
		}
	}
	return in.Product + "|" + in.Target + "|" + in.Gesture
}

func (m *Message) summaryProps(p connected.Properties) string {
	s := &m.Summary
	p["platform"] = s.Platform.String()
	p["basis"] = s.Basis.String()
	if s.Permission != "" {
		p["permission"] = s.Permission
	}
	p["window_start"] = s.Start.UTC()
	p["bucket_s"] = s.BucketLen.Seconds()
	p["bucket_count"] = s.Buckets
	targets := make([]map[string]any, len(s.Dwells))
	var total time.Duration
	for i, d := range s.Dwells {
		total += d.Dwell
		targets[i] = map[string]any{
			"bucket": d.Bucket, "bucket_start": s.Start.Add(time.Duration(d.Bucket) * s.BucketLen).UTC(),
			"kind": d.Kind, "id": d.ID, "dwell_s": d.Dwell.Seconds(),
		}
	}
	p["targets"] = targets
	p["total_dwell_s"] = total.Seconds()
	return s.Basis.String() + "|" + strconv.FormatInt(s.Start.UnixNano(), 10)
}
