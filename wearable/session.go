package wearable

import (
	"math"
	"strconv"
	"time"
)

// Session derives measurements and occurrences from one device's stream of
// GATT notifications. It is a synchronous state machine: every method takes
// the time from its caller (the receipt time of the notification), so a
// recorded stream replays exactly. A Session is not safe for concurrent
// use; give each device its own and feed it from one goroutine.
//
// What it keeps per device: wrap-safe wheel and crank counters (16-bit event
// times modulo 65,536, 32-bit wheel and 16-bit crank counts) with the
// configured wheel circumference, cumulative energy and distance, the
// heart-rate summary (average, maximum, time in zones, RMSSD), the battery
// threshold state, and the connection and workout state.
type Session struct {
	cfg config
	dev Device

	connected   bool
	connectedAt time.Time

	wk      workoutState
	hr      hrState
	energy  cumulative // HR energy expended, kJ
	wheel   revCounter // CSC wheel
	crank   revCounter // CSC or CP crank
	cpWheel revCounter // CP wheel (1/2048 s)
	rscDist cumulative // RSC total distance, 1/10 m
	bat     batteryState
}

// Update is what one notification produced. Both slices are new on every
// call and owned by the caller.
type Update struct {
	Measurements []Measurement
	Occurrences  []Occurrence
}

// NewSession returns a Session for the device. d.ID is required: it scopes
// dedupe keys. d.Type is inferred from the first characteristic when empty.
func NewSession(d Device, opts ...Option) (*Session, error) {
	if d.ID == "" {
		return nil, invalid("empty device ID")
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if err := o.apply(&cfg); err != nil {
			return nil, err
		}
	}
	s := &Session{cfg: cfg, dev: d}
	s.hr.zoneTime = make([]time.Duration, len(cfg.zones)+1)
	s.bat.armed = true
	return s, nil
}

// Device returns the device as the session knows it: with the type inferred
// and the body sensor location read, once they are.
func (s *Session) Device() Device { return s.dev }

// Connected reports whether the device is connected.
func (s *Session) Connected() bool { return s.connected }

// Connect records that the device connected at now and returns the Device
// Connected occurrence. It returns false if the device is already connected.
// Calling it is optional: the first notification implies it. A now refused
// by CheckTime (the zero time, or past 2262) returns a *TimeError and
// changes nothing.
func (s *Session) Connect(now time.Time) (Occurrence, bool, error) {
	if err := checkTime("Connect", now); err != nil {
		return Occurrence{}, false, err
	}
	o, ok := s.connect(now)
	return o, ok, nil
}

func (s *Session) connect(now time.Time) (Occurrence, bool) {
	if s.connected {
		return Occurrence{}, false
	}
	s.connected, s.connectedAt = true, now
	return s.occurrence(OccurrenceDeviceConnected, now), true
}

// Disconnect records that the device disconnected at now. It returns the
// Workout Completed occurrence first, when a workout of at least the minimum
// duration was under way, then Device Disconnected. It returns nothing if the
// device was not connected. A now refused by CheckTime returns a *TimeError
// and changes nothing.
func (s *Session) Disconnect(now time.Time) ([]Occurrence, error) {
	if err := checkTime("Disconnect", now); err != nil {
		return nil, err
	}
	if !s.connected {
		return nil, nil
	}
	var out []Occurrence
	if o, ok := s.endWorkout(now, s.cfg.minWorkout); ok {
		out = append(out, o)
	}
	d := s.occurrence(OccurrenceDeviceDisconnected, now)
	// 0 (unknown) when the clock stepped back since Connect, or when the
	// span does not fit in a Duration (Sub saturates).
	if c := now.Sub(s.connectedAt); c > 0 && c < math.MaxInt64 {
		d.ConnectedFor = c
	}
	s.connected = false
	s.resetCounters()
	return append(out, d), nil
}

// EndWorkout ends the current workout at now (whatever its duration) and
// returns the Workout Completed occurrence, or false when no activity data
// arrived since the last one. A now refused by CheckTime returns a
// *TimeError and changes nothing.
func (s *Session) EndWorkout(now time.Time) (Occurrence, bool, error) {
	if err := checkTime("EndWorkout", now); err != nil {
		return Occurrence{}, false, err
	}
	o, ok := s.endWorkout(now, 0)
	return o, ok, nil
}

// HeartRateSummary returns the heart-rate summary of the current workout.
func (s *Session) HeartRateSummary() HeartRateSummary { return s.hr.summary() }

// Notify decodes one notification (or read) of characteristic c received at
// now and returns what it produced. A malformed value returns the decoder's
// *ParseError and changes nothing; an unknown characteristic returns a
// *ParseError wrapping ErrUnsupported; a now refused by CheckTime (the zero
// time, which is an unset field and not a receipt time, or an instant past
// 2262 or before 1678, whose nanoseconds overflow) returns a *TimeError
// wrapping ErrInvalidTime and changes nothing. Intermediate Cuff Pressure
// values are validated but produce no measurement (they are the cuff
// inflating, not a reading); Body Sensor Location updates Device.
func (s *Session) Notify(now time.Time, c Characteristic, value []byte) (Update, error) {
	if err := checkTime("Notify", now); err != nil {
		return Update{}, err
	}
	// Most notifications yield one to four measurements; size for that once.
	u := Update{Measurements: make([]Measurement, 0, 4)}
	switch c {
	case HeartRateMeasurementUUID:
		var m HeartRateMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceHeartRateSensor, true, &u)
		s.heartRate(now, &m, &u)
	case CSCMeasurementUUID:
		var m CSCMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceSpeedCadenceSensor, true, &u)
		s.wk.cycling = true
		s.csc(now, &m, &u)
	case CyclingPowerMeasurementUUID:
		var m CyclingPowerMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DevicePowerMeter, true, &u)
		s.wk.cycling = true
		s.cyclingPower(now, &m, &u)
	case RSCMeasurementUUID:
		var m RSCMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceRunningSensor, true, &u)
		s.rsc(now, &m, &u)
	case TemperatureMeasurementUUID:
		var m TemperatureMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceThermometer, false, &u)
		s.temperature(now, &m, &u)
	case BloodPressureMeasurementUUID:
		var m BloodPressureMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceBloodPressureMonitor, false, &u)
		s.bloodPressure(now, &m, &u)
	case IntermediateCuffPressureUUID:
		var m IntermediateCuffPressure
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceBloodPressureMonitor, false, &u)
	case WeightMeasurementUUID:
		var m WeightMeasurement
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DeviceScale, false, &u)
		s.weight(now, &m, &u)
	case PLXSpotCheckUUID:
		var m PLXSpotCheck
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DevicePulseOximeter, false, &u)
		s.plxSpot(now, &m, &u)
	case PLXContinuousUUID:
		var m PLXContinuous
		if err := m.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, DevicePulseOximeter, false, &u)
		s.plxContinuous(now, &m, &u)
	case BatteryLevelUUID:
		var l BatteryLevel
		if err := l.UnmarshalBinary(value); err != nil {
			return u, err
		}
		s.observe(now, "", false, &u)
		s.battery(now, l, &u)
	case BodySensorLocationUUID:
		var l BodySensorLocation
		if err := l.UnmarshalBinary(value); err != nil {
			return u, err
		}
		// Set before observe so that an implied Device Connected carries it.
		// Body Sensor Location belongs to the Heart Rate service.
		s.dev.Location, s.dev.HasLocation = l, true
		s.observe(now, DeviceHeartRateSensor, false, &u)
	default:
		return u, &ParseError{Characteristic: c, Offset: 0, Err: ErrUnsupported}
	}
	return u, nil
}

// observe infers the device type, implies Connect, and notes activity data
// for the workout.
func (s *Session) observe(now time.Time, t DeviceType, activity bool, u *Update) {
	if s.dev.Type == "" && t != "" {
		s.dev.Type = t
	}
	if o, ok := s.connect(now); ok {
		u.Occurrences = append(u.Occurrences, o)
	}
	if activity {
		if !s.wk.active {
			s.wk.active, s.wk.start, s.wk.last = true, now, now
		}
		// A clock that steps back does not shorten the workout.
		if now.After(s.wk.last) {
			s.wk.last = now
		}
	}
}

// occurrence builds an occurrence stamped with the device and a dedupe key.
func (s *Session) occurrence(k OccurrenceKind, now time.Time) Occurrence {
	return Occurrence{
		Kind: k, Time: now, Device: s.dev, Source: Source{Kind: SourceBLE},
		DedupeKey: dedupeKey(s.dev.ID, k.String(), now, -1),
	}
}

// measurement builds a BLE measurement of kind k at t.
func (s *Session) measurement(k Kind, t time.Time) Measurement {
	return Measurement{
		Kind: k, Start: t, End: t, Device: s.dev, Source: Source{Kind: SourceBLE},
		DedupeKey: dedupeKey(s.dev.ID, k.String(), t, -1),
	}
}

// dedupeKey is "ble:<device>:<what>:<unix nanoseconds>[:<index>]". The
// nanoseconds are exact for any t (appendUnixNano), never wrapped.
func dedupeKey(device, what string, t time.Time, index int) string {
	b := make([]byte, 0, 24+len(device)+len(what)+24)
	b = append(b, "ble:"...)
	b = append(b, device...)
	b = append(b, ':')
	b = append(b, what...)
	b = append(b, ':')
	b = appendUnixNano(b, t)
	if index >= 0 {
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(index), 10)
	}
	return string(b)
}

// resetCounters forgets the revolution baselines (a reconnect starts anew).
func (s *Session) resetCounters() {
	s.wheel, s.crank, s.cpWheel = revCounter{}, revCounter{}, revCounter{}
	s.energy.reset()
	s.rscDist.reset()
}
