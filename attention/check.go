package attention

import "time"

// check validates what the payload said and builds the message.
func (d *decoder) check(w *wire, m *Message) {
	missing := func(f string) { d.fail(f, -1, ErrMissingField) }
	invalid := func(f string) { d.fail(f, -1, ErrFieldType) }
	switch w.typ {
	case "":
		missing("type")
		return
	case "gaze", "gaze_sample", "gaze_samples", "eye_gaze", "eye_tracking", "eye_pose", "fixation", "look_at", "pose":
		d.gaze("type", w.offType, "a sample type")
		return
	}
	p := platformOf(w.platform)
	switch {
	case w.platform == "":
		missing("platform")
		return
	case p == 0:
		invalid("platform")
		return
	}
	if w.typ == "attention_summary" {
		d.summary(w, p, m)
		return
	}
	in := Interaction{Platform: p, Time: w.at, Session: w.session, Product: w.product, SKU: w.sku, Target: w.target}
	switch w.typ {
	case "ar_view":
		in.Action = ActionProductViewed
	case "try_on_start":
		in.Action = ActionTryOnStarted
	case "try_on_complete":
		in.Action = ActionTryOnCompleted
	case "select", "squeeze", "tap":
		in.Action, in.Gesture = ActionSelected, w.typ
	default:
		d.fail("type", w.offType, ErrUnknownType)
		return
	}
	switch {
	case w.at.IsZero():
		missing("time")
		return
	case in.Action != ActionSelected && w.product == "":
		missing("product")
		return
	case in.Action == ActionSelected && w.product == "" && w.target == "":
		missing("product")
		return
	case in.Action == ActionTryOnCompleted && !w.hasDuration:
		missing("duration_ms")
		return
	case w.hasDuration && w.durationMS > float64(24*time.Hour/time.Millisecond):
		invalid("duration_ms")
		return
	}
	switch w.hand {
	case "", "none", "left", "right":
	default:
		invalid("input.handedness")
		return
	}
	switch w.rayMode {
	case "", "gaze", "tracked-pointer", "screen", "transient-pointer":
	default:
		invalid("input.targetRayMode")
		return
	}
	in.Input = Input{Handedness: w.hand, TargetRayMode: w.rayMode, Profile: w.profile}
	if w.hasDuration {
		in.Duration = time.Duration(w.durationMS * float64(time.Millisecond))
	}
	*m = Message{Interaction: in}
}

func (d *decoder) summary(w *wire, p Platform, m *Message) {
	missing := func(f string) { d.fail(f, -1, ErrMissingField) }
	s := Summary{Platform: p, Session: w.session, Start: w.start, Buckets: w.buckets, Dwells: w.dwells}
	switch w.basis {
	case "view":
		s.Basis = BasisView
	case "eye":
		s.Basis = BasisEye
	case "":
		missing("basis")
		return
	default:
		d.fail("basis", -1, ErrFieldType)
		return
	}
	switch {
	case w.start.IsZero():
		missing("start")
		return
	case !w.hasBucket:
		missing("bucket_ms")
		return
	case w.bucketMS < float64(MinBucket/time.Millisecond):
		d.gaze("bucket_ms", -1, "buckets shorter than "+MinBucket.String()+" are a sample stream")
		return
	case w.bucketMS > float64(MaxBucket/time.Millisecond):
		d.fail("bucket_ms", -1, ErrFieldType)
		return
	case w.buckets == 0:
		missing("buckets")
		return
	}
	s.BucketLen = time.Duration(w.bucketMS * float64(time.Millisecond))
	// One gaze, one target at a time: no target, and no bucket, holds
	// more dwell than the bucket's length.
	var sum time.Duration
	for i, dw := range s.Dwells {
		if i == 0 || dw.Bucket != s.Dwells[i-1].Bucket {
			sum = 0
		}
		sum += dw.Dwell
		if sum > s.BucketLen {
			d.fail(bucketField(dw.Bucket, -1, "targets"), -1, ErrFieldType)
			return
		}
	}
	if s.Basis == BasisEye {
		perm, ok := p.EyePermission()
		if !ok || w.permName != perm || (w.permState != "granted" && w.permState != "allowed") {
			if d.err == nil {
				d.err = &PermissionError{Platform: p, Permission: perm, State: w.permState}
			}
			return
		}
		s.Permission = perm
	}
	*m = Message{IsSummary: true, Summary: s}
}
