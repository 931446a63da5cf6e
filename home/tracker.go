package home

import (
	"strings"
	"time"
)

// Kind is what an Occurrence reports.
type Kind uint8

// The occurrence kinds, one per event name of the vocabulary (see Event).
const (
	KindDeviceStateChanged      Kind = iota + 1 // "Device State Changed"
	KindPresenceChanged                         // "Presence Changed"
	KindMediaSessionStarted                     // "Media Session Started"
	KindMediaSessionEnded                       // "Media Session Ended"
	KindSetPointChanged                         // "Climate Set Point Changed"
	KindApplianceCycleStarted                   // "Appliance Cycle Started"
	KindApplianceCycleCompleted                 // "Appliance Cycle Completed"
)

// String returns the kind's event name.
func (k Kind) String() string {
	switch k {
	case KindDeviceStateChanged:
		return EventDeviceStateChanged
	case KindPresenceChanged:
		return EventPresenceChanged
	case KindMediaSessionStarted:
		return EventMediaSessionStarted
	case KindMediaSessionEnded:
		return EventMediaSessionEnded
	case KindSetPointChanged:
		return EventSetPointChanged
	case KindApplianceCycleStarted:
		return EventApplianceCycleStarted
	case KindApplianceCycleCompleted:
		return EventApplianceCycleCompleted
	}
	return "Kind(?)"
}

// Occurrence is one household happening found by a Tracker. Event turns it
// into a connected.Event.
type Occurrence struct {
	Kind      Kind
	Source    Source
	Household string // Config.Household
	Device    string // the device id at its source (entity id, friendly name)
	// DeviceKind is the kind of device: media_player, climate, person,
	// presence_sensor, contact_sensor, lock, appliance, light, switch,
	// fan, cover, ... (the Home Assistant domain for other devices).
	DeviceKind string
	Time       time.Time // when it happened (UTC)
	// From and To are the states before and after (Device State
	// Changed), or the coarse presence ("home"/"away" for people,
	// "occupied"/"clear" for sensors) for Presence Changed.
	From, To      string
	UserInitiated bool

	ContentType string // Media Session Started/Ended: a coarse content type (see Event)
	App         string // Media Session Started/Ended: the playing app, when known

	Setpoint, PrevSetpoint float64 // Climate Set Point Changed
	HasPrevSetpoint        bool
	TemperatureUnit        string // "C" or "F"
	HVACMode               string // Climate Set Point Changed: the mode at the time

	Appliance string        // Appliance Cycle *: Appliance.Name
	Duration  time.Duration // Media Session Ended, Appliance Cycle Completed
	Energy    float64       // Appliance Cycle Completed: kWh used, when HasEnergy
	HasEnergy bool
}

// Appliance configures the cycle detection of one appliance: a washing
// machine, dryer or dishwasher behind a metering plug (power readings) or
// reporting its programme state (a Home Assistant sensor with states such as
// "run" and "finished").
//
// From power: the cycle starts when power reaches StartWatts and is
// confirmed (Appliance Cycle Started, at the start) once a reading at least
// Confirm later is still at or above EndWatts; a drop below EndWatts before
// that is a spike and starts nothing. The cycle ends when power stays below
// EndWatts for EndAfter (pauses within a programme are shorter): Appliance
// Cycle Completed, at the time power dropped, with the cycle's duration and
// the energy used when the device reports an energy counter. From states:
// a value in RunningStates starts a cycle, a value in FinishedStates after
// it completes it, and any other value aborts it.
type Appliance struct {
	Name       string        // label in events ("washer"); required
	StartWatts float64       // default 10
	EndWatts   float64       // default 5; must not exceed StartWatts
	Confirm    time.Duration // default 2 minutes
	EndAfter   time.Duration // default 5 minutes

	RunningStates  []string // default run, running, washing, drying, rinsing, spinning, in_progress
	FinishedStates []string // default finished, complete, completed, end, done
}

// Ignore says why a Tracker ignored a state change.
type Ignore uint8

// The reasons a state change is ignored.
const (
	// IgnoreStale: older than the latest change already seen for the device.
	IgnoreStale Ignore = iota + 1
	// IgnoreUnsupported: a device kind the Tracker does not follow (a plain
	// sensor, an automation, ...) and not a configured appliance.
	IgnoreUnsupported
	// IgnoreSpike: an appliance's power rose and fell before Confirm.
	IgnoreSpike
	// IgnoreAborted: an appliance left its running states without finishing.
	IgnoreAborted

	numIgnore
)

// String returns the reason's snake_case name.
func (r Ignore) String() string {
	switch r {
	case IgnoreStale:
		return "stale"
	case IgnoreUnsupported:
		return "unsupported"
	case IgnoreSpike:
		return "spike"
	case IgnoreAborted:
		return "aborted"
	}
	return "ignore(?)"
}

// Ignored is passed to Config.OnIgnored.
type Ignored struct {
	Device string
	Time   time.Time
	Reason Ignore
}

// Config configures a Tracker.
type Config struct {
	// Household is the household's stable identifier: the Home Assistant
	// instance's uuid, the customer account the home is linked to, an id
	// of your own. Required. Every device id is scoped by it, and it
	// leaves only as a keyed pseudonym (see Occurrence.Event).
	Household string
	// Appliances are the devices whose cycles are followed, by device id
	// (entity id or friendly name). Other power readings are ignored.
	Appliances map[string]Appliance
	// TemperatureUnit is the unit of Home Assistant climate set-points: "C"
	// (default) or "F", as the instance is configured. Zigbee2MQTT reports
	// °C.
	TemperatureUnit string
	// OnIgnored, when set, is called synchronously with every ignored state
	// change and its reason (they are also counted, see Stats).
	OnIgnored func(Ignored)
}

// Stats are a Tracker's counters.
type Stats struct {
	Observed    uint64            // state changes offered to Observe
	Occurrences uint64            // occurrences produced
	Ignored     map[Ignore]uint64 // ignored state changes (or appliance cycles) by reason
}

// Tracker turns decoded state changes of one household into occurrences:
// presence, media sessions, set-points, device states and appliance
// cycles. It is a synchronous state machine: time comes from the input
// (StateChange.Time, Advance's now), so a recorded stream replays exactly.
// It is not safe for concurrent use; use one per household (or guard it).
type Tracker struct {
	cfg        Config
	appliances map[string]*applianceRule
	devices    map[string]*device
	observed   uint64
	produced   uint64
	ignored    [numIgnore]uint64
}

type device struct {
	last State
	has  bool
	at   time.Time

	sessionStart time.Time // media: when the current session started
	inSession    bool
	content, app string

	cycle cycle
}

// NewTracker returns a Tracker for cfg, or a *ConfigError (ErrInvalidOption)
// for a missing household, an unknown temperature unit or an invalid
// appliance.
func NewTracker(cfg Config) (*Tracker, error) {
	if strings.TrimSpace(cfg.Household) == "" {
		return nil, &ConfigError{Field: "Household", Reason: "is empty"}
	}
	switch cfg.TemperatureUnit {
	case "":
		cfg.TemperatureUnit = "C"
	case "C", "F":
	default:
		return nil, &ConfigError{Field: "TemperatureUnit", Reason: "must be C or F"}
	}
	t := &Tracker{cfg: cfg, appliances: map[string]*applianceRule{}, devices: map[string]*device{}}
	for id, a := range cfg.Appliances {
		r, err := newApplianceRule(id, a)
		if err != nil {
			return nil, err
		}
		t.appliances[id] = r
	}
	return t, nil
}

// Stats returns a snapshot of the counters.
func (t *Tracker) Stats() Stats {
	s := Stats{Observed: t.observed, Occurrences: t.produced, Ignored: map[Ignore]uint64{}}
	for r := Ignore(1); r < numIgnore; r++ {
		if t.ignored[r] > 0 {
			s.Ignored[r] = t.ignored[r]
		}
	}
	return s
}

func (t *Tracker) ignore(dev string, at time.Time, r Ignore) {
	t.ignored[r]++
	if t.cfg.OnIgnored != nil {
		t.cfg.OnIgnored(Ignored{Device: dev, Time: at, Reason: r})
	}
}

// Observe follows one state change and appends the occurrences it causes to
// dst. The first change seen for a device (without an old state) only
// primes the tracker. Changes older than the device's latest are ignored
// (IgnoreStale), as are devices the tracker does not follow
// (IgnoreUnsupported). It returns a *TimeError for an invalid c.Time and a
// *DecodeError (ErrMissingField) for an empty c.Device; the tracker is then
// unchanged.
func (t *Tracker) Observe(dst []Occurrence, c *StateChange) ([]Occurrence, error) {
	if !validTime(c.Time) {
		return dst, &TimeError{Op: "Observe"}
	}
	if c.Device == "" {
		return dst, &DecodeError{Source: c.Source, Field: "device", Offset: -1, Err: ErrMissingField}
	}
	t.observed++
	n0 := len(dst)
	d := t.devices[c.Device]
	if d != nil && c.Time.Before(d.at) {
		t.ignore(c.Device, c.Time, IgnoreStale)
		return dst, nil
	}
	if c.Removed {
		delete(t.devices, c.Device)
		return dst, nil
	}
	if d == nil {
		d = &device{}
		t.devices[c.Device] = d
	}
	prev, hasPrev := d.last, d.has
	if c.HasOld {
		prev, hasPrev = c.Old, true
	}
	base := Occurrence{Source: c.Source, Household: t.cfg.Household, Device: c.Device, Time: c.Time.UTC(), UserInitiated: c.UserInitiated}
	if r := t.appliances[c.Device]; r != nil {
		dst = t.appliance(dst, d, r, c, base)
	} else if hasPrev {
		dst = t.classify(dst, d, &prev, c, base)
	} else if !t.follows(c) {
		t.ignore(c.Device, c.Time, IgnoreUnsupported)
	}
	d.last = c.New
	d.has, d.at = true, c.Time
	t.produced += uint64(len(dst) - n0)
	return dst, nil
}

// Advance completes appliance cycles whose power has stayed low for
// EndAfter at now, appending their occurrences to dst: call it from a timer
// when plugs report only on change. It returns a *TimeError for an invalid
// now.
func (t *Tracker) Advance(dst []Occurrence, now time.Time) ([]Occurrence, error) {
	if !validTime(now) {
		return dst, &TimeError{Op: "Advance"}
	}
	n0 := len(dst)
	for id, r := range t.appliances {
		d := t.devices[id]
		if d == nil || d.cycle.phase != phaseEnding || now.Sub(d.cycle.lowSince) < r.EndAfter {
			continue
		}
		base := Occurrence{Source: d.cycle.source, Household: t.cfg.Household, Device: id}
		dst = append(dst, d.cycle.completed(base, r, d.last))
	}
	sortByTime(dst[n0:])
	t.produced += uint64(len(dst) - n0)
	return dst, nil
}

func sortByTime(o []Occurrence) {
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && (o[j].Time.Before(o[j-1].Time) || o[j].Time.Equal(o[j-1].Time) && o[j].Device < o[j-1].Device); j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
}
