package wearable

import (
	"math"
	"time"
)

// rrUnitMinBeats is how many RR intervals the unit check needs. The
// plausible ranges are in plausibility.go.
const rrUnitMinBeats = 30

// HeartRateSummary summarizes the valid heart-rate samples of a workout.
type HeartRateSummary struct {
	// Samples is the number of valid heart-rate samples.
	Samples int
	// Average is the mean of the valid samples; Max the largest.
	Average, Max BPM
	// Zones[i] is the time spent in zone i (0 = below the first bound),
	// credited between consecutive valid samples no more than 5 s apart.
	Zones []time.Duration
	// RRCount is the number of valid RR intervals.
	RRCount int
	// RMSSD is the root mean square of successive RR differences, over runs
	// of valid intervals; 0 with fewer than two successive intervals.
	RMSSD Milliseconds
}

type hrState struct {
	samples  int
	sum      float64
	max      BPM
	zoneTime []time.Duration
	lastT    time.Time
	lastZone int
	haveLast bool

	rrCount int
	prevRR  float64
	havePrv bool
	sumSq   float64
	nDiff   int

	// RR unit check: raw RR mean vs reported heart rate.
	rawSum, bpmSum float64
	rawN, bpmN     int
}

func (h *hrState) summary() HeartRateSummary {
	s := HeartRateSummary{Samples: h.samples, Max: h.max, RRCount: h.rrCount}
	s.Zones = append([]time.Duration(nil), h.zoneTime...)
	if h.samples > 0 {
		s.Average = BPM(h.sum / float64(h.samples))
	}
	if h.nDiff > 0 {
		s.RMSSD = Milliseconds(math.Sqrt(h.sumSq / float64(h.nDiff)))
	}
	return s
}

func (h *hrState) reset() {
	z := h.zoneTime
	clear(z)
	*h = hrState{zoneTime: z}
}

// zone returns the index of the zone bpm falls in.
func zone(bounds []BPM, bpm BPM) int {
	i := 0
	for i < len(bounds) && bpm >= bounds[i] {
		i++
	}
	return i
}

// heartRate turns a Heart Rate Measurement into heart-rate, RR and energy
// measurements and updates the summary.
func (s *Session) heartRate(now time.Time, m *HeartRateMeasurement, u *Update) {
	hm := s.measurement(KindHeartRate, now)
	hm.HeartRate = BPM(m.BPM)
	if m.Contact == ContactNotDetected {
		hm.Flags |= FlagContactNotDetected
	}
	if m.BPM == 255 && !m.Wide && s.cfg.quirks.OffBodyAt255 {
		hm.Flags |= FlagOffBody
	}
	hm.Flags |= Plausibility(&hm) // 0 bpm: off-body; 255: implausible
	h := &s.hr
	if hm.Valid() {
		h.samples++
		h.sum += float64(hm.HeartRate)
		h.max = max(h.max, hm.HeartRate)
		z := zone(s.cfg.zones, hm.HeartRate)
		if h.haveLast {
			if d := now.Sub(h.lastT); d > 0 && d <= s.cfg.maxSampleGap {
				h.zoneTime[h.lastZone] += d
			}
		}
		h.lastT, h.lastZone, h.haveLast = now, z, true
	} else {
		h.haveLast, h.havePrv = false, false
	}
	u.Measurements = append(u.Measurements, hm)

	if rr := m.RRIntervals(); len(rr) > 0 {
		s.rrIntervals(now, rr, hm, u)
	}
	if m.HasEnergyExpended {
		s.energyExpended(now, m.EnergyExpended, u)
	}
}

// rrIntervals emits one measurement per RR interval, oldest first, ending at
// now and going back in time, and feeds RMSSD and the unit check.
func (s *Session) rrIntervals(now time.Time, rr []RRInterval, hm Measurement, u *Update) {
	h := &s.hr
	quirk := s.cfg.quirks.RRInMilliseconds
	if !quirk && hm.Valid() {
		for _, r := range rr {
			h.rawSum += float64(r)
			h.rawN++
		}
		h.bpmSum += float64(hm.HeartRate)
		h.bpmN++
	}
	suspect := !quirk && h.rrUnitSuspect()

	ms := make([]float64, len(rr))
	var total time.Duration
	for i, r := range rr {
		if quirk {
			ms[i] = float64(r)
		} else {
			ms[i] = r.Milliseconds()
		}
		total += time.Duration(ms[i] * float64(time.Millisecond))
	}
	start := now.Add(-total)
	for i, v := range ms {
		end := start.Add(time.Duration(v * float64(time.Millisecond)))
		m := s.measurement(KindRRInterval, now)
		m.Start, m.End = start, end
		m.DedupeKey = dedupeKey(s.dev.ID, "rr_interval", now, i)
		m.RRInterval = Milliseconds(v)
		m.Flags = hm.Flags & (FlagContactNotDetected | FlagOffBody)
		if quirk {
			m.Flags |= FlagQuirkApplied
			m.Original = Quantity{Value: float64(rr[i]), Unit: "ms"}
		} else {
			m.Original = Quantity{Value: float64(rr[i]), Unit: "1/1024 s"}
		}
		if suspect {
			m.Flags |= FlagRRUnitSuspect
		}
		m.Flags |= Plausibility(&m)
		if m.Valid() {
			h.rrCount++
			if h.havePrv {
				d := v - h.prevRR
				h.sumSq += d * d
				h.nDiff++
			}
			h.prevRR, h.havePrv = v, true
		} else {
			h.havePrv = false
		}
		u.Measurements = append(u.Measurements, m)
		start = end
	}
}

// rrUnitSuspect reports whether, over enough beats, the raw RR values
// explain the reported heart rate better as milliseconds than as 1/1024 s.
// The two readings differ by 2.4 %, so it needs an average to tell.
func (h *hrState) rrUnitSuspect() bool {
	if h.rawN < rrUnitMinBeats || h.bpmN == 0 {
		return false
	}
	meanRaw := h.rawSum / float64(h.rawN)
	bpm := h.bpmSum / float64(h.bpmN)
	asSpec := 61440 / meanRaw // 60 s ÷ (raw/1024 s)
	asMS := 60000 / meanRaw
	errSpec := math.Abs(asSpec-bpm) / bpm
	errMS := math.Abs(asMS-bpm) / bpm
	return errSpec > 0.015 && errMS < errSpec/2
}

// energyExpended emits the energy expended since the session baseline, in
// kcal, when it changed.
func (s *Session) energyExpended(now time.Time, kJ uint16, u *Update) {
	total, delta, flags, first := s.energy.update(now, uint64(kJ))
	if first || (delta == 0 && flags == 0) {
		return
	}
	s.wk.energyKJ += float64(delta)
	m := s.measurement(KindEnergyExpended, now)
	m.Start = s.energy.start
	m.Energy = Kilocalories(roundTo(float64(total)/kJPerKcal, 3))
	m.Original = Quantity{Value: float64(total), Unit: "kJ"}
	m.Flags = flags
	if flags.Has(FlagGap) {
		// The receipt clock stepped back: like a revolution counter's
		// restart, this notification holds no reading.
		m.Flags |= FlagNoReading
		m.Energy, m.Original = 0, Quantity{}
	} else if kJ == math.MaxUint16 {
		m.Flags |= FlagSaturated
	}
	m.Flags |= Plausibility(&m)
	u.Measurements = append(u.Measurements, m)
}

// cumulative follows a device counter that only grows until the device
// resets it.
type cumulative struct {
	ok        bool
	start     time.Time
	lastT     time.Time // receipt time of the last value
	base      uint64
	last      uint64
	acc       uint64
	prevTotal uint64
}

// update returns the total since the baseline, the growth since the last
// update, FlagCounterReset if the counter went backwards, FlagGap if the
// receipt clock stepped back (now before the previous value's time), and
// whether this was the baseline. After FlagGap the baseline restarts at v,
// as a revolution counter's does: the total so far survives, the growth of
// this one step (which cannot be placed in time) is not counted, and start
// moves back to now if now is before it, so Start..End stays a time frame.
func (c *cumulative) update(now time.Time, v uint64) (total, delta uint64, flags Flags, first bool) {
	if !c.ok {
		*c = cumulative{ok: true, start: now, lastT: now, base: v, last: v}
		return 0, 0, 0, true
	}
	if now.Before(c.lastT) {
		c.acc, c.base, c.last, c.lastT = c.prevTotal, v, v, now
		if now.Before(c.start) {
			c.start = now
		}
		return c.prevTotal, 0, FlagGap, false
	}
	c.lastT = now
	if v < c.last {
		c.acc += c.last - c.base
		c.base = 0
		flags = FlagCounterReset
	}
	c.last = v
	total = c.acc + v - c.base
	delta = total - c.prevTotal
	c.prevTotal = total
	return total, delta, flags, false
}

func (c *cumulative) reset() { *c = cumulative{} }
