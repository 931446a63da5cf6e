package beacon

import "time"

// TelemetryJoiner attaches Eddystone-TLM frames, which carry no identity,
// to the UID or URL beacon advertising from the same device address, as
// the Eddystone spec's interleaving rules intend. A TLM is attached only if
// the identity frame and the TLM were heard within Window of each other,
// so a rotated or reused address does not attach stale telemetry to the
// wrong beacon. Encrypted TLM (FormatEddystoneETLM) is kept as well, for a
// resolver to decrypt. Not safe for concurrent use.
type TelemetryJoiner struct {
	// Window is the longest gap between an identity frame and a TLM from
	// the same address; 0 means 30 s.
	Window  time.Duration
	entries map[Address]*telemetryEntry
}

type telemetryEntry struct {
	id            BeaconID
	idAt, tlmAt   time.Time
	tlm           EddystoneTLM
	etlm          EncryptedTLM
	hasTLM, isEnc bool
}

// Telemetry is the latest telemetry of a beacon.
type Telemetry struct {
	Beacon    BeaconID
	Time      time.Time // when the TLM was heard
	TLM       EddystoneTLM
	Encrypted bool         // ETLM holds the frame instead of TLM
	ETLM      EncryptedTLM // when Encrypted
}

func (j *TelemetryJoiner) window() time.Duration {
	if j.Window > 0 {
		return j.Window
	}
	return 30 * time.Second
}

// Observe records a frame heard from addr at t. For a TLM it returns the
// telemetry joined to its beacon and true when the beacon's identity frame
// was heard within the window; for an identity frame it returns a pending
// TLM heard shortly before, if any.
func (j *TelemetryJoiner) Observe(addr Address, f *Frame, t time.Time) (Telemetry, bool) {
	if j.entries == nil {
		j.entries = map[Address]*telemetryEntry{}
	}
	e := j.entries[addr]
	if e == nil {
		e = &telemetryEntry{}
		j.entries[addr] = e
	}
	switch f.Format {
	case FormatEddystoneTLM, FormatEddystoneETLM:
		e.tlmAt, e.hasTLM, e.isEnc = t, true, f.Format == FormatEddystoneETLM
		e.tlm, e.etlm = f.TLM, f.ETLM
	default:
		id, ok := f.ID()
		if !ok {
			return Telemetry{}, false
		}
		if e.id != id && !e.idAt.IsZero() {
			e.hasTLM = false // the address now carries another identity: old telemetry is not its own
		}
		e.id, e.idAt = id, t
	}
	if !e.hasTLM || e.idAt.IsZero() || absDur(e.tlmAt.Sub(e.idAt)) > j.window() {
		return Telemetry{}, false
	}
	return Telemetry{Beacon: e.id, Time: e.tlmAt, TLM: e.tlm, Encrypted: e.isEnc, ETLM: e.etlm}, true
}

// Forget drops entries not heard since before, to bound memory.
func (j *TelemetryJoiner) Forget(before time.Time) {
	for a, e := range j.entries {
		if e.idAt.Before(before) && e.tlmAt.Before(before) {
			delete(j.entries, a)
		}
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
