package wearable

import "time"

// workoutState is the bout of activity under way.
type workoutState struct {
	active           bool
	start, last      time.Time
	cycling          bool
	running, walking bool
	distance         Metres
	energyKJ         float64
}

// activity returns the configured or inferred activity name.
func (s *Session) activity() string {
	switch {
	case s.cfg.activity != "":
		return s.cfg.activity
	case s.wk.cycling:
		return "cycling"
	case s.wk.running:
		return "running"
	case s.wk.walking:
		return "walking"
	}
	return "other"
}

// endWorkout completes the workout if it lasted at least min, and resets
// the workout and heart-rate summary either way.
func (s *Session) endWorkout(now time.Time, min time.Duration) (Occurrence, bool) {
	if !s.wk.active {
		return Occurrence{}, false
	}
	defer func() {
		s.wk = workoutState{}
		s.hr.reset()
	}()
	dur := s.wk.last.Sub(s.wk.start)
	if dur < min || dur <= 0 {
		return Occurrence{}, false
	}
	hr := s.hr.summary()
	m := s.measurement(KindWorkout, s.wk.start)
	m.End = s.wk.last
	m.Workout = Workout{
		Activity:         s.activity(),
		Duration:         dur,
		Distance:         s.wk.distance,
		Energy:           Kilocalories(roundTo(s.wk.energyKJ/kJPerKcal, 3)),
		AverageHeartRate: hr.Average,
		MaxHeartRate:     hr.Max,
	}
	m.Flags |= Plausibility(&m)
	o := s.occurrence(OccurrenceWorkoutCompleted, now)
	o.Workout = m
	return o, true
}
