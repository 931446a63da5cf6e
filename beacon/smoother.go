package beacon

import (
	"math"
	"time"
)

// Kalman is a one-dimensional Kalman filter for RSSI in floating point,
// aware of the real time between samples: the state is a random walk whose
// variance grows by ProcessNoise per second, so a sample after a long gap
// moves the estimate more than one after a short gap. Samples further than
// OutlierSigma standard deviations of the innovation are rejected; after
// MaxRejects consecutive rejections the filter accepts that the level has
// really changed and restarts from the new sample. Zero fields take the
// documented defaults. A Kalman is a value: copy it to keep a state; not
// safe for concurrent use.
type Kalman struct {
	ProcessNoise     float64 // dB² per second; default 2
	MeasurementNoise float64 // dB² (RSSI variance); default 16 (σ = 4 dB)
	OutlierSigma     float64 // gate in standard deviations; default 3
	MaxRejects       int     // consecutive rejections before restarting; default 3

	state smoothState
}

// smoothState is the per-signal part, kept apart so that a Tracker stores
// only it per link and shares the configuration.
type smoothState struct {
	x, p    float64
	t       int64 // unix nanoseconds of the last accepted sample
	n       uint32
	rejects uint8
}

type kalmanParams struct {
	q, r, gate2 float64
	maxRejects  uint8
}

func (k *Kalman) params() kalmanParams {
	p := kalmanParams{q: k.ProcessNoise, r: k.MeasurementNoise, maxRejects: 3}
	if p.q <= 0 {
		p.q = 2
	}
	if p.r <= 0 {
		p.r = 16
	}
	g := k.OutlierSigma
	if g <= 0 {
		g = 3
	}
	p.gate2 = g * g
	if k.MaxRejects > 0 {
		p.maxRejects = uint8(min(k.MaxRejects, 255))
	}
	return p
}

// Update feeds the sample z (dBm) taken at t and returns the new estimate
// and whether z was accepted. Samples whose time is before the previous
// sample's (clock skew between receivers) are used with a zero time step.
// NaN samples are rejected.
func (k *Kalman) Update(t time.Time, z float64) (estimate float64, accepted bool) {
	p := k.params()
	ok := k.state.update(&p, t.UnixNano(), z)
	return k.state.x, ok
}

// Value returns the estimate and false before the first sample.
func (k *Kalman) Value() (float64, bool) { return k.state.x, k.state.n > 0 }

// StdDev returns the standard deviation of the estimate in dB.
func (k *Kalman) StdDev() float64 { return math.Sqrt(k.state.p) }

// Reset forgets the state, keeping the configuration.
func (k *Kalman) Reset() { k.state = smoothState{} }

func (s *smoothState) update(p *kalmanParams, t int64, z float64) bool {
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return false
	}
	if s.n == 0 {
		*s = smoothState{x: z, p: p.r, t: t, n: 1}
		return true
	}
	dt := float64(t-s.t) / 1e9
	if dt < 0 {
		dt = 0
	}
	pp := s.p + p.q*dt
	y := z - s.x
	S := pp + p.r
	if y*y > p.gate2*S {
		s.rejects++
		if s.rejects > p.maxRejects {
			*s = smoothState{x: z, p: p.r, t: max(t, s.t), n: s.n + 1}
			return true
		}
		return false
	}
	k := pp / S
	s.x += k * y
	s.p = (1 - k) * pp
	s.t = max(t, s.t)
	s.n++
	s.rejects = 0
	return true
}

// EWMA is an exponentially weighted moving average whose weight depends on
// the time since the previous sample: alpha = 1 - exp(-Δt/Tau), so
// irregular sampling does not change the time constant. It keeps float
// state (android-beacon-library's ARMA filter truncates to int and gets
// stuck). Samples further than OutlierDB from the average are rejected;
// after MaxRejects consecutive rejections it restarts from the new sample.
// Zero fields take the defaults Tau 3 s, OutlierDB 15, MaxRejects 3.
type EWMA struct {
	Tau        time.Duration
	OutlierDB  float64
	MaxRejects int

	x       float64
	t       int64
	n       uint32
	rejects int
}

// Update feeds the sample z taken at t and returns the new average and
// whether z was accepted.
func (e *EWMA) Update(t time.Time, z float64) (average float64, accepted bool) {
	if math.IsNaN(z) || math.IsInf(z, 0) {
		return e.x, false
	}
	now := t.UnixNano()
	if e.n == 0 {
		e.x, e.t, e.n = z, now, 1
		return z, true
	}
	tau, gate, maxRej := e.Tau, e.OutlierDB, e.MaxRejects
	if tau <= 0 {
		tau = 3 * time.Second
	}
	if gate <= 0 {
		gate = 15
	}
	if maxRej <= 0 {
		maxRej = 3
	}
	if math.Abs(z-e.x) > gate {
		e.rejects++
		if e.rejects <= maxRej {
			return e.x, false
		}
		e.x, e.t, e.rejects = z, max(now, e.t), 0
		e.n++
		return z, true
	}
	dt := float64(max(now-e.t, 0))
	alpha := 1 - math.Exp(-dt/float64(tau))
	e.x += alpha * (z - e.x)
	e.t = max(now, e.t)
	e.n++
	e.rejects = 0
	return e.x, true
}

// Value returns the average and false before the first sample.
func (e *EWMA) Value() (float64, bool) { return e.x, e.n > 0 }
