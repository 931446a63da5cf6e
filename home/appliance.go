package home

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Appliance defaults.
const (
	DefaultStartWatts = 10.0
	DefaultEndWatts   = 5.0
	DefaultConfirm    = 2 * time.Minute
	DefaultEndAfter   = 5 * time.Minute
)

var (
	defaultRunning  = []string{"run", "running", "washing", "drying", "rinsing", "spinning", "in_progress"}
	defaultFinished = []string{"finished", "complete", "completed", "end", "done"}
)

type applianceRule struct {
	Appliance
	running, finished map[string]bool
}

func newApplianceRule(id string, a Appliance) (*applianceRule, error) {
	bad := func(field, reason string) error {
		return &ConfigError{Field: "Appliances[" + strconv.Quote(id) + "]." + field, Reason: reason}
	}
	if id == "" {
		return nil, &ConfigError{Field: "Appliances", Reason: "has an empty device id"}
	}
	if strings.TrimSpace(a.Name) == "" {
		return nil, bad("Name", "is empty")
	}
	if a.StartWatts == 0 {
		a.StartWatts = DefaultStartWatts
	}
	if a.EndWatts == 0 {
		a.EndWatts = DefaultEndWatts
	}
	if a.Confirm == 0 {
		a.Confirm = DefaultConfirm
	}
	if a.EndAfter == 0 {
		a.EndAfter = DefaultEndAfter
	}
	switch {
	case a.StartWatts < 0 || a.EndWatts < 0 || a.StartWatts != a.StartWatts || a.EndWatts != a.EndWatts:
		return nil, bad("StartWatts", "and EndWatts must be positive numbers")
	case a.EndWatts > a.StartWatts:
		return nil, bad("EndWatts", "exceeds StartWatts")
	case a.Confirm < 0 || a.EndAfter < 0:
		return nil, bad("Confirm", "and EndAfter must not be negative")
	}
	r := &applianceRule{Appliance: a, running: map[string]bool{}, finished: map[string]bool{}}
	if len(a.RunningStates) == 0 {
		a.RunningStates = defaultRunning
	}
	if len(a.FinishedStates) == 0 {
		a.FinishedStates = defaultFinished
	}
	for _, s := range a.RunningStates {
		r.running[strings.ToLower(s)] = true
	}
	for _, s := range a.FinishedStates {
		if r.running[strings.ToLower(s)] {
			return nil, bad("FinishedStates", strconv.Quote(s)+" is also a running state")
		}
		r.finished[strings.ToLower(s)] = true
	}
	return r, nil
}

type phase uint8

const (
	phaseIdle     phase = iota
	phaseStarting       // power above StartWatts, not yet confirmed
	phaseRunning
	phaseEnding // power below EndWatts since lowSince
)

// cycle is one appliance's state machine.
type cycle struct {
	phase     phase
	start     time.Time
	lowSince  time.Time
	energy0   float64
	hasEnergy bool
	source    Source
}

// power returns the power reading of st in watts: Zigbee2MQTT's power, or
// a Home Assistant power sensor's state.
func power(st *State) (float64, bool) {
	if st.Has&HasPower != 0 {
		return st.Power, true
	}
	if st.Has&HasValue == 0 || !(st.DeviceClass == "power" || st.Unit == "W" || st.Unit == "kW") {
		return 0, false
	}
	w, err := strconv.ParseFloat(st.Value, 64)
	if err != nil || w != w {
		return 0, false
	}
	if st.Unit == "kW" {
		w *= 1000
	}
	return w, true
}

// appliance runs an appliance's state machine on one change.
func (t *Tracker) appliance(dst []Occurrence, d *device, r *applianceRule, c *StateChange, o Occurrence) []Occurrence {
	o.DeviceKind, o.Appliance = "appliance", r.Name
	cy := &d.cycle
	tm := o.Time
	st := &c.New
	if w, ok := power(st); ok {
		switch cy.phase {
		case phaseIdle:
			if w >= r.StartWatts {
				*cy = cycle{phase: phaseStarting, start: tm, source: c.Source, energy0: st.Energy, hasEnergy: st.Has&HasEnergy != 0}
			}
		case phaseStarting:
			switch {
			case w < r.EndWatts:
				cy.phase = phaseIdle
				t.ignore(c.Device, tm, IgnoreSpike)
			case tm.Sub(cy.start) >= r.Confirm:
				cy.phase = phaseRunning
				e := o
				e.Kind, e.Time = KindApplianceCycleStarted, cy.start
				dst = append(dst, e)
			}
		case phaseRunning:
			if w < r.EndWatts {
				cy.phase, cy.lowSince = phaseEnding, tm
			}
		case phaseEnding:
			switch {
			case w >= r.EndWatts:
				cy.phase = phaseRunning
			case tm.Sub(cy.lowSince) >= r.EndAfter:
				dst = append(dst, cy.completed(o, r, *st))
			}
		}
		return dst
	}
	if !known(st) {
		return dst
	}
	v := strings.ToLower(st.Value)
	switch {
	case r.running[v]:
		if cy.phase == phaseIdle {
			*cy = cycle{phase: phaseRunning, start: tm, source: c.Source}
			e := o
			e.Kind = KindApplianceCycleStarted
			dst = append(dst, e)
		}
	case r.finished[v] && cy.phase == phaseRunning:
		cy.lowSince = tm
		dst = append(dst, cy.completed(o, r, *st))
	case cy.phase != phaseIdle:
		cy.phase = phaseIdle
		t.ignore(c.Device, tm, IgnoreAborted)
	}
	return dst
}

// completed ends the cycle at lowSince and returns its occurrence; last is
// the latest reading (for the energy counter).
func (cy *cycle) completed(o Occurrence, r *applianceRule, last State) Occurrence {
	o.Kind, o.DeviceKind, o.Appliance = KindApplianceCycleCompleted, "appliance", r.Name
	o.Time, o.Duration = cy.lowSince, cy.lowSince.Sub(cy.start)
	if cy.hasEnergy && last.Has&HasEnergy != 0 && last.Energy >= cy.energy0 {
		o.Energy, o.HasEnergy = math.Round((last.Energy-cy.energy0)*1000)/1000, true // Wh precision
	}
	cy.phase = phaseIdle
	return o
}
