package beacon

import (
	"fmt"
	"time"
)

// Snapshot is the presence state of a Tracker: who is inside (or entering)
// which zone since when. Save it (it marshals to JSON) and Restore it into
// a new Tracker with the same zones after a gateway restart, so that
// subjects already inside are not entered again. Per-link smoothing state
// is not kept: it restarts from the first sample after the restore.
type Snapshot struct {
	Now    time.Time   `json:"now"`
	States []ZoneState `json:"states"`
}

// ZoneState is one subject's state in one zone.
type ZoneState struct {
	Subject   string    `json:"subject,omitempty"` // "" for transmitter subjects
	Device    bool      `json:"device,omitempty"`  // Subject is a device identifier (Sighting.SubjectIsDevice)
	Beacon    BeaconID  `json:"beacon"`            // the subject (Subject "") or the beacon of the strongest link
	Gateway   string    `json:"gateway,omitempty"` // observer of the strongest link
	Zone      string    `json:"zone"`
	Inside    bool      `json:"inside"` // false: entering, hold not yet passed
	Since     time.Time `json:"since"`  // first qualifying sample
	EnteredAt time.Time `json:"entered_at,omitzero"`
	LastSeen  time.Time `json:"last_seen"`
	NextDwell time.Time `json:"next_dwell,omitzero"`
	RSSI      float64   `json:"rssi"`     // smoothed level at the last in-band sample, dBm
	TxPower   float64   `json:"tx_power"` // 1 m power used for distance, dBm
}

func toTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

func fromTime(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Snapshot returns the current state. It allocates; call it on shutdown
// or periodically, not per sighting.
func (t *Tracker) Snapshot() Snapshot {
	s := Snapshot{Now: t.Now()}
	for si := range t.subjects {
		sub := &t.subjects[si]
		for _, st := range sub.zs {
			zs := ZoneState{
				Subject: sub.name, Device: sub.device, Beacon: st.bestID, Gateway: st.bestGateway, Zone: t.zones[st.zone].name,
				Inside: st.inside, Since: toTime(st.since), EnteredAt: toTime(st.entered), LastSeen: toTime(st.lastSeen),
				NextDwell: toTime(st.nextDwell), RSSI: st.level, TxPower: st.tx,
			}
			if sub.name == "" {
				zs.Beacon = sub.id
			}
			s.States = append(s.States, zs)
		}
	}
	return s
}

// Restore loads a snapshot into t, which should be new (states for the
// same subject and zone are replaced). Zones are matched by name; a state
// for an unknown zone gets an error matching ErrConfig and nothing is
// restored. No events are emitted: exits and dwells that fell due while
// the Tracker was down fire on the next Observe or Advance, at their exact
// times. A time outside MinTime..MaxTime gets an error matching both
// ErrConfig and ErrInvalidTime.
func (t *Tracker) Restore(s Snapshot) error {
	for _, st := range s.States {
		if _, ok := t.zoneIdx[st.Zone]; !ok {
			return fmt.Errorf("%w: snapshot zone %q not configured", ErrConfig, st.Zone)
		}
		if st.LastSeen.IsZero() || st.Since.IsZero() || (st.Inside && st.EnteredAt.IsZero()) {
			return fmt.Errorf("%w: snapshot state for zone %q lacks times", ErrConfig, st.Zone)
		}
		for _, tm := range []time.Time{st.LastSeen, st.Since, st.EnteredAt, st.NextDwell} {
			if err := checkTime("Restore", tm); err != nil && !tm.IsZero() {
				return fmt.Errorf("%w: snapshot state for zone %q: %w", ErrConfig, st.Zone, err)
			}
		}
	}
	if err := checkTime("Restore", s.Now); err != nil && !s.Now.IsZero() {
		return fmt.Errorf("%w: snapshot: %w", ErrConfig, err)
	}
	if ns := fromTime(s.Now); ns != 0 && (!t.started || ns > t.now) {
		t.now, t.started = ns, true
	}
	for _, st := range s.States {
		zi := t.zoneIdx[st.Zone]
		sg := Sighting{Subject: st.Subject, SubjectIsDevice: st.Device, Beacon: st.Beacon, Gateway: st.Gateway}
		si := t.subjectFor(&sg)
		sub := &t.subjects[si]
		z := zstate{
			zone: zi, inside: st.Inside, since: fromTime(st.Since), entered: fromTime(st.EnteredAt),
			lastSeen: fromTime(st.LastSeen), nextDwell: fromTime(st.NextDwell), level: st.RSSI, tx: st.TxPower,
			sigma: t.kp.r, bestGateway: st.Gateway, bestID: st.Beacon, model: t.cfg.model,
		}
		if m, ok := t.calibModels[st.Gateway]; ok {
			z.model = m
		}
		if k := sub.find(zi); k >= 0 {
			sub.zs[k] = z
		} else {
			sub.zs = append(sub.zs, z)
		}
		var next int64
		_, next = t.fire(nil, si, -1<<63, t.cfg.maxSkew) // nothing is decidable before time begins
		t.schedule(si, next)
	}
	return nil
}
