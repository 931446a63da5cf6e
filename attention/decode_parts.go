package attention

import (
	"errors"
	"strconv"
	"time"
)

// The parts of a message Decode reads into the wire form: the product, the
// user input, the permission, and the attention buckets with their targets.

func (d *decoder) product(w *wire) {
	if d.s.Peek() == '"' {
		w.product = d.str("product", maxIDLen)
		return
	}
	it := d.s.Object()
	d.scanErr("product")
	for it.Next() {
		switch k := it.Key(); string(k) {
		case "id":
			w.product = d.str("product.id", maxIDLen)
		case "sku":
			w.sku = d.str("product.sku", maxIDLen)
		default:
			if forbidden(k) {
				d.gaze("product."+string(k), d.s.Pos(), "raw gaze or eye data")
				return
			}
			d.skip("product")
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("product")
}

func (d *decoder) input(w *wire) {
	it := d.s.Object()
	d.scanErr("input")
	for it.Next() {
		switch k := it.Key(); string(k) {
		case "handedness":
			w.hand = d.str("input.handedness", 8)
		case "targetRayMode":
			w.rayMode = d.str("input.targetRayMode", 32)
		case "profiles":
			pit := d.s.Array()
			for pit.Next() {
				p := d.str("input.profiles", maxIDLen)
				if w.profile == "" {
					w.profile = p
				}
				if d.err != nil {
					return
				}
			}
			d.scanErr("input.profiles")
		default:
			if forbidden(k) {
				d.gaze("input."+string(k), d.s.Pos(), "raw gaze or eye data")
				return
			}
			d.skip("input")
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("input")
}

func (d *decoder) permission(w *wire) {
	it := d.s.Object()
	d.scanErr("permission")
	for it.Next() {
		switch string(it.Key()) {
		case "name":
			w.permName = d.str("permission.name", maxIDLen)
		case "state":
			w.permState = d.str("permission.state", 32)
		default:
			d.skip("permission")
		}
		if d.err != nil {
			return
		}
	}
	d.scanErr("permission")
}

func (d *decoder) buckets(w *wire) {
	it := d.s.Array()
	d.scanErr("buckets")
	for it.Next() {
		if w.buckets == MaxBuckets {
			d.fail("buckets", d.s.Pos(), ErrTooLarge)
			return
		}
		bi := w.buckets
		w.buckets++
		bit := d.s.Object()
		d.scanErrAt(bi, -1, "")
		for bit.Next() {
			k := bit.Key()
			if forbidden(k) {
				d.gaze(bucketField(bi, -1, string(k)), d.s.Pos(), "raw gaze or eye data")
				return
			}
			if string(k) != "targets" {
				d.skip(bucketField(bi, -1, ""))
				continue
			}
			tit := d.s.Array()
			n := 0
			for tit.Next() {
				if n == MaxTargets {
					d.fail(bucketField(bi, n, ""), d.s.Pos(), ErrTooLarge)
					return
				}
				d.target(w, bi, n)
				n++
				if d.err != nil {
					return
				}
			}
			d.scanErrAt(bi, -1, "targets")
			if d.err != nil {
				return
			}
		}
		d.scanErrAt(bi, -1, "")
		if d.err != nil {
			return
		}
	}
	d.scanErr("buckets")
}

// scanErrAt is scanErr for a field inside the buckets, named only on error.
func (d *decoder) scanErrAt(b, t int, key string) bool {
	if !d.s.Failed() {
		return false
	}
	return d.scanErr(bucketField(b, t, key))
}

// bucketField names buckets[b] or buckets[b].targets[t], with a key.
func bucketField(b, t int, key string) string {
	s := "buckets[" + strconv.Itoa(b) + "]"
	if t >= 0 {
		s += ".targets[" + strconv.Itoa(t) + "]"
	}
	if key != "" {
		s += "." + key
	}
	return s
}

func (d *decoder) target(w *wire, bi, ti int) {
	start := d.s.Pos()
	dw := Dwell{Bucket: bi}
	var ms float64
	has := false
	it := d.s.Object()
	if d.scanErrAt(bi, ti, "") {
		return
	}
	for it.Next() {
		k := it.Key()
		switch string(k) {
		case "kind":
			dw.Kind = d.str("kind", 16)
		case "id":
			dw.ID = d.str("id", maxIDLen)
		case "dwell_ms":
			ms, has = d.num("dwell_ms"), true
		default:
			if forbidden(k) {
				d.gaze(bucketField(bi, ti, string(k)), d.s.Pos(), "raw gaze or eye data")
				return
			}
			d.skip(bucketField(bi, ti, ""))
		}
		if d.err != nil {
			if de, ok := d.err.(*DecodeError); ok && !errors.Is(de.Err, ErrSyntax) && !errors.Is(de.Err, ErrTruncated) {
				de.Field = bucketField(bi, ti, de.Field)
			}
			return
		}
	}
	if d.scanErrAt(bi, ti, "") {
		return
	}
	switch {
	case dw.Kind != "product" && dw.Kind != "shelf":
		d.fail(bucketField(bi, ti, "kind"), start, ErrFieldType)
	case dw.ID == "":
		d.fail(bucketField(bi, ti, "id"), start, ErrMissingField)
	case !has:
		d.fail(bucketField(bi, ti, "dwell_ms"), start, ErrMissingField)
	case ms > float64(MaxBucket/time.Millisecond):
		d.fail(bucketField(bi, ti, "dwell_ms"), start, ErrFieldType)
	default:
		dw.Dwell = time.Duration(ms * float64(time.Millisecond))
		if w.dwells == nil {
			w.dwells = make([]Dwell, 0, 8)
		}
		w.dwells = append(w.dwells, dw)
	}
}
