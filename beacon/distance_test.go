package beacon_test

import (
	"math"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCurveFittedMatchesAndroidBeaconLibrary(t *testing.T) {
	models := beacon.CurveModels()
	nexus5, moto, classic := models[0].CurveFitted, models[2].CurveFitted, models[4].CurveFitted
	cases := []struct {
		m        beacon.CurveFitted
		tx, rssi float64
		want     float64
		tol      float64
	}{
		{nexus5, -59, -59, 0.97085, 1e-5},
		{moto, -49, -58, 2.661125466, 1e-6},
		{classic, -55, -55, 1.01076, 1e-5},
		{classic, -55, -80, 16.28, 0.01},
		{nexus5, -59, -50, math.Pow(50.0/59, 10), 1e-9}, // closer than 1 m: ratio^10
	}
	for _, c := range cases {
		d, ok := c.m.Distance(c.rssi, c.tx)
		if !ok || !near(d, c.want, c.tol) {
			t.Errorf("%+v (%v, %v) = %v %v, want %v", c.m, c.tx, c.rssi, d, ok, c.want)
		}
	}
	// RSSI 0 (Android's "cannot determine") and 127 are unknown, never a number.
	for _, r := range []float64{0, 127, math.NaN()} {
		if _, ok := nexus5.Distance(r, -59); ok {
			t.Errorf("rssi %v gave a distance", r)
		}
	}
}

func TestPathLoss(t *testing.T) {
	for _, c := range []struct{ n, rssi, want float64 }{
		{2, -59, 1}, {2, -80, 11.22}, {2, -90, 35.48}, {2.5, -80, 6.92}, {2.5, -70, 2.75}, {0, -70, 3.55},
	} {
		m := beacon.PathLoss{Exponent: c.n}
		d, ok := m.Distance(c.rssi, -59)
		if !ok || !near(d, c.want, 0.01) {
			t.Errorf("n=%v rssi=%v: %v, want %v", c.n, c.rssi, d, c.want)
		}
		if l := m.Level(d, -59); !near(l, c.rssi, 1e-9) {
			t.Errorf("Level inverse: %v want %v", l, c.rssi)
		}
	}
	// Eddystone: tx0m -25 -> p1m -66 (Frame.TxPower1m), as the node scanner's 10^(((tx-rssi)-41)/20).
	d, _ := beacon.PathLoss{}.Distance(-70, -25-beacon.EddystoneCorrection)
	if want := math.Pow(10, ((-25.0+70)-41)/20); !near(d, want, 1e-9) {
		t.Fatalf("eddystone distance %v want %v", d, want)
	}
}

func TestEstimateDistanceRange(t *testing.T) {
	e := beacon.EstimateDistance(beacon.PathLoss{Exponent: 2}, -79, 4, -59)
	if !e.OK || !near(e.Meters, 10, 1e-9) || !(e.Min < e.Meters && e.Meters < e.Max) || !near(e.Min, math.Pow(10, 16.0/20), 1e-9) {
		t.Fatalf("%+v", e)
	}
	if e := beacon.EstimateDistance(beacon.PathLoss{}, 127, 4, -59); e.OK {
		t.Fatalf("unknown RSSI gave %+v", e)
	}
}

func TestProximityDeadBand(t *testing.T) {
	c := beacon.ProximityClassifier{}
	steps := []struct {
		d    float64
		ok   bool
		want beacon.Proximity
	}{
		{5, true, beacon.ProximityFar},
		{3.5, true, beacon.ProximityFar}, // not yet <= 3
		{2.9, true, beacon.ProximityNear},
		{3.9, true, beacon.ProximityNear}, // dead-band up to 4
		{3.1, true, beacon.ProximityNear},
		{4.1, true, beacon.ProximityFar},
		{0.4, true, beacon.ProximityImmediate},
		{1.4, true, beacon.ProximityImmediate}, // dead-band up to 1.5
		{1.6, true, beacon.ProximityNear},
		{1, false, beacon.ProximityUnknown},
	}
	prev := beacon.ProximityUnknown
	for i, s := range steps {
		got := c.Classify(prev, s.d, s.ok)
		if got != s.want {
			t.Fatalf("step %d: %v after %v = %v, want %v", i, s.d, prev, got, s.want)
		}
		prev = got
	}
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func TestSmoothersDoNotStick(t *testing.T) {
	// android-beacon-library's int ARMA: -60 then eight -70 stays at -61.
	var k beacon.Kalman
	var e beacon.EWMA
	k.Update(t0, -60)
	e.Update(t0, -60)
	for i := 1; i <= 8; i++ {
		k.Update(t0.Add(time.Duration(i)*time.Second), -70)
		e.Update(t0.Add(time.Duration(i)*time.Second), -70)
	}
	kv, _ := k.Value()
	ev, _ := e.Value()
	if kv > -68 || ev > -69 {
		t.Fatalf("kalman %v ewma %v did not follow the weaker signal", kv, ev)
	}
	// Symmetric: moving toward stronger signal takes as long.
	var k2 beacon.Kalman
	k2.Update(t0, -70)
	for i := 1; i <= 8; i++ {
		k2.Update(t0.Add(time.Duration(i)*time.Second), -60)
	}
	if v, _ := k2.Value(); !near(-70-v, kv+60, 1e-9) {
		t.Fatalf("asymmetric: %v vs %v", v, kv)
	}
}

func TestSmoothersUseElapsedTime(t *testing.T) {
	e := beacon.EWMA{Tau: 2 * time.Second}
	e.Update(t0, -70)
	fast, _ := e.Update(t0.Add(100*time.Millisecond), -60)
	var e2 = beacon.EWMA{Tau: 2 * time.Second}
	e2.Update(t0, -70)
	slow, _ := e2.Update(t0.Add(10*time.Second), -60)
	if !near(fast, -70+10*(1-math.Exp(-0.05)), 1e-9) || !near(slow, -70+10*(1-math.Exp(-5)), 1e-9) {
		t.Fatalf("fast %v slow %v", fast, slow)
	}
	var k1, k2 beacon.Kalman
	k1.Update(t0, -70)
	k2.Update(t0, -70)
	a, _ := k1.Update(t0.Add(100*time.Millisecond), -62)
	b, _ := k2.Update(t0.Add(20*time.Second), -62)
	if !(b > a) {
		t.Fatalf("a sample after a long gap must move the estimate more: %v vs %v", b, a)
	}
}

func TestSmoothersRejectOutliers(t *testing.T) {
	var k beacon.Kalman
	var e beacon.EWMA
	for i := range 10 {
		k.Update(t0.Add(time.Duration(i)*time.Second), -75)
		e.Update(t0.Add(time.Duration(i)*time.Second), -75)
	}
	if _, ok := k.Update(t0.Add(10*time.Second), -40); ok {
		t.Fatal("kalman accepted a 35 dB spike")
	}
	if _, ok := e.Update(t0.Add(10*time.Second), -40); ok {
		t.Fatal("ewma accepted a 35 dB spike")
	}
	if v, _ := k.Value(); v != -75 {
		t.Fatalf("spike moved the estimate to %v", v)
	}
	// A real, sustained change is followed after MaxRejects rejections.
	var acc bool
	for i := 11; i <= 14; i++ {
		_, acc = k.Update(t0.Add(time.Duration(i)*time.Second), -40)
	}
	if v, _ := k.Value(); !acc || v != -40 {
		t.Fatalf("sustained change not followed: %v %v", v, acc)
	}
	if _, ok := k.Update(t0.Add(15*time.Second), math.NaN()); ok {
		t.Fatal("NaN accepted")
	}
}
