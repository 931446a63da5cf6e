package applehealth

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// Stats counts what a Reader has seen so far.
type Stats struct {
	// Locale and ExportDate come from the document header.
	Locale     string
	ExportDate time.Time
	// Records is the number of top-level Record elements.
	Records int
	// Types summarizes top-level records per HealthKit type.
	Types map[string]TypeStats
	// Correlations, Workouts and ActivitySummaries count those elements.
	Correlations      int
	Workouts          int
	ActivitySummaries int
	// Measurements is how many measurements Next returned.
	Measurements int
	// Flagged is how many of them the plausibility rules
	// (wearable.Plausibility) flagged so that they are not Valid: a value
	// out of range (a heart rate of 300 bpm, a weight of -70 kg, an SpO2 of
	// 104 %), a time frame that ends before it starts, 0 bpm.
	Flagged int
	// Invalid is how many elements Next reported as *RecordError.
	Invalid int
	// Unsupported counts records and correlations of types that have no
	// normalized kind (respiratory rate, food, ...).
	Unsupported int
	// CorrelationMembers counts top-level blood-pressure systolic and
	// diastolic records: they are emitted through their Correlation.
	CorrelationMembers int
}

// TypeStats summarizes the top-level records of one type.
type TypeStats struct {
	Count int
	// Unit is the unit of the first record; MixedUnits is set when later
	// records use another, in which case Sum mixes units.
	Unit       string
	MixedUnits bool
	// Sum adds the parseable values, in Unit.
	Sum float64
}

// Reader streams measurements out of an export.xml. Create it with
// NewReader and call Next until io.EOF. It is not safe for concurrent use.
type Reader struct {
	dec   *xml.Decoder
	dates dateParser
	stats Stats
	root  rootState
	err   error // final error, returned from then on
	key   []byte
}

// rootState is where the reader stands relative to the HealthData element.
type rootState uint8

const (
	rootBefore rootState = iota // prolog: no element yet
	rootOpen                    // inside HealthData
	rootClosed                  // after </HealthData>: only comments and white space may follow
)

// NewReader returns a Reader over r. It buffers r itself; pass the file
// directly.
func NewReader(r io.Reader) *Reader {
	dec := xml.NewDecoder(r)
	dec.Strict = true // undeclared entities are errors; none are resolved
	return &Reader{dec: dec, stats: Stats{Types: make(map[string]TypeStats)}}
}

// Stats returns a snapshot of the counts so far.
func (r *Reader) Stats() Stats {
	s := r.stats
	s.Types = maps.Clone(r.stats.Types)
	return s
}

// Next returns the next measurement. At the end of the document it returns
// io.EOF. A *RecordError describes one element that could not be converted;
// calling Next again continues after it. A *MalformedError (XML syntax,
// undeclared entity, a root element other than HealthData, a HealthData
// inside HealthData, an element or text after </HealthData>, I/O) is final;
// the measurements returned before it stand.
//
// Every measurement has been through wearable.Plausibility, the rules a BLE
// Session applies: an implausible value or time frame is returned as
// imported, with FlagImplausible (or FlagOffBody for 0 bpm) set, so that
// Measurement.Valid is false; Stats.Flagged counts them.
func (r *Reader) Next() (wearable.Measurement, error) {
	for r.err == nil {
		tok, err := r.dec.Token()
		if err != nil {
			r.fail(err)
			break
		}
		var se xml.StartElement
		switch t := tok.(type) {
		case xml.StartElement:
			se = t
		case xml.EndElement:
			// element consumes every other element to its end tag, and the
			// strict decoder matches tags: this is </HealthData>.
			r.root = rootClosed
			continue
		case xml.CharData:
			if r.root != rootOpen && len(bytes.TrimSpace(t)) > 0 {
				r.malformed("text outside the HealthData element")
			}
			continue
		default:
			continue // comments, processing instructions, the DOCTYPE
		}
		switch {
		case r.root == rootBefore && se.Name.Local != "HealthData":
			r.malformed(fmt.Sprintf("root element <%s>, want <HealthData>", se.Name.Local))
			continue
		case r.root == rootClosed:
			r.malformed(fmt.Sprintf("second root element <%s> after </HealthData>", se.Name.Local))
			continue
		case r.root == rootOpen && se.Name.Local == "HealthData":
			r.malformed("<HealthData> inside <HealthData>")
			continue
		}
		m, ok, err := r.element(se)
		var re *RecordError
		switch {
		case errors.As(err, &re):
			r.stats.Invalid++
			return wearable.Measurement{}, err
		case err != nil:
			r.err = err
		case ok:
			m.Flags |= wearable.Plausibility(&m)
			r.stats.Measurements++
			if !m.Valid() {
				r.stats.Flagged++
			}
			return m, nil
		}
	}
	return wearable.Measurement{}, r.err
}

// malformed makes a structural error final.
func (r *Reader) malformed(why string) {
	r.err = &MalformedError{Offset: r.dec.InputOffset(), Err: errors.New(why)}
}

// fail records the final error for a token error.
func (r *Reader) fail(err error) {
	switch {
	case errors.Is(err, io.EOF) && r.root != rootBefore:
		r.err = io.EOF
	case errors.Is(err, io.EOF):
		r.err = &MalformedError{Offset: r.dec.InputOffset(), Err: errors.New("no HealthData element")}
	default:
		r.err = &MalformedError{Offset: r.dec.InputOffset(), Err: err}
	}
}

// element handles one start element and consumes it to its end tag.
func (r *Reader) element(se xml.StartElement) (wearable.Measurement, bool, error) {
	switch se.Name.Local {
	case "HealthData":
		r.root = rootOpen
		r.stats.Locale = attr(se, "locale")
		return wearable.Measurement{}, false, nil // its children follow
	case "ExportDate":
		if t, err := r.dates.parse(attr(se, "value")); err == nil {
			r.stats.ExportDate = t
		}
	case "Record":
		m, ok, rerr := r.record(se)
		if err := r.skip(); err != nil {
			return m, false, err
		}
		return m, ok, rerr
	case "Correlation":
		return r.correlation(se)
	case "Workout":
		return r.workout(se)
	case "ActivitySummary":
		r.stats.ActivitySummaries++
	}
	// "Me" (date of birth, sex, blood type) and anything unknown are skipped:
	// they are not measurements.
	return wearable.Measurement{}, false, r.skip()
}

// skip consumes the rest of the current element.
func (r *Reader) skip() error {
	if err := r.dec.Skip(); err != nil {
		return &MalformedError{Offset: r.dec.InputOffset(), Err: err}
	}
	return nil
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func (r *Reader) recordErr(element, typ, attribute string, err error) *RecordError {
	line, _ := r.dec.InputPos()
	return &RecordError{Offset: r.dec.InputOffset(), Line: line, Element: element, Type: typ, Attribute: attribute, Err: err}
}

// dedupe returns a content-derived key over the given attribute values.
func (r *Reader) dedupe(parts ...string) string {
	r.key = r.key[:0]
	for _, p := range parts {
		r.key = append(r.key, p...)
		r.key = append(r.key, 0)
	}
	sum := sha256.Sum256(r.key)
	return "apple_health:" + hex.EncodeToString(sum[:16])
}

// base builds a measurement with the provenance attributes of se.
func (r *Reader) base(se xml.StartElement, k wearable.Kind, element, typ string) (wearable.Measurement, error) {
	start, err := r.dates.parse(attr(se, "startDate"))
	if err != nil {
		return wearable.Measurement{}, r.recordErr(element, typ, "startDate", err)
	}
	end, err := r.dates.parse(attr(se, "endDate"))
	if err != nil {
		return wearable.Measurement{}, r.recordErr(element, typ, "endDate", err)
	}
	return wearable.Measurement{
		Kind:   k,
		Start:  start,
		End:    end,
		Source: wearable.Source{Kind: wearable.SourceAppleHealth, Name: attr(se, "sourceName"), Version: attr(se, "sourceVersion")},
		Device: parseDevice(attr(se, "device")),
	}, nil
}

// record converts a top-level Record.
func (r *Reader) record(se xml.StartElement) (wearable.Measurement, bool, error) {
	typ, unit, value := attr(se, "type"), attr(se, "unit"), attr(se, "value")
	r.stats.Records++
	ts := r.stats.Types[typ]
	ts.Count++
	if ts.Count == 1 {
		ts.Unit = unit
	} else if unit != ts.Unit {
		ts.MixedUnits = true
	}
	v, verr := number(value)
	if verr == nil {
		ts.Sum += v
	}
	r.stats.Types[typ] = ts

	if typ == hkSystolic || typ == hkDiastolic {
		r.stats.CorrelationMembers++
		return wearable.Measurement{}, false, nil
	}
	kind, activity := kindOf(typ)
	if kind == 0 {
		r.stats.Unsupported++
		return wearable.Measurement{}, false, nil
	}
	m, err := r.base(se, kind, "Record", typ)
	if err != nil {
		return m, false, err
	}
	if verr != nil {
		return wearable.Measurement{}, false, r.recordErr("Record", typ, "value", verr)
	}
	m.Activity = activity
	if a, err := setValue(&m, v, unit); err != nil {
		return wearable.Measurement{}, false, r.recordErr("Record", typ, a, err)
	}
	m.DedupeKey = r.dedupe("Record", typ, m.Source.Name, attr(se, "startDate"), attr(se, "endDate"), value, unit)
	return m, true, nil
}

// correlation converts a blood-pressure Correlation from its child records
// and consumes the element.
func (r *Reader) correlation(se xml.StartElement) (wearable.Measurement, bool, error) {
	typ := attr(se, "type")
	r.stats.Correlations++
	if typ != hkBloodPressure {
		r.stats.Unsupported++
		return wearable.Measurement{}, false, r.skip()
	}
	var sys, dia string
	var sysUnit, diaUnit string
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return wearable.Measurement{}, false, &MalformedError{Offset: r.dec.InputOffset(), Err: err}
		}
		if _, end := tok.(xml.EndElement); end {
			break
		}
		child, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if child.Name.Local == "Record" {
			switch attr(child, "type") {
			case hkSystolic:
				sys, sysUnit = attr(child, "value"), attr(child, "unit")
			case hkDiastolic:
				dia, diaUnit = attr(child, "value"), attr(child, "unit")
			}
		}
		if err := r.skip(); err != nil {
			return wearable.Measurement{}, false, err
		}
	}
	m, err := r.base(se, wearable.KindBloodPressure, "Correlation", typ)
	if err != nil {
		return m, false, err
	}
	s, err1 := number(sys)
	d, err2 := number(dia)
	if err1 != nil || err2 != nil {
		return wearable.Measurement{}, false, r.recordErr("Correlation", typ, "Record", ErrBadValue)
	}
	sm, err1 := mmHg(s, sysUnit)
	dm, err2 := mmHg(d, diaUnit)
	if err1 != nil || err2 != nil {
		return wearable.Measurement{}, false, r.recordErr("Correlation", typ, "unit", ErrUnknownUnit)
	}
	m.BloodPressure = wearable.BloodPressure{Systolic: sm, Diastolic: dm}
	if sysUnit != "mmHg" {
		m.Original = wearable.Quantity{Value: s, Unit: sysUnit}
	}
	m.DedupeKey = r.dedupe("Correlation", typ, m.Source.Name, attr(se, "startDate"), attr(se, "endDate"), sys, dia, sysUnit)
	return m, true, nil
}

// workout converts a Workout, reading totals from its attributes or, in
// newer exports, its WorkoutStatistics children, and consumes the element.
func (r *Reader) workout(se xml.StartElement) (wearable.Measurement, bool, error) {
	typ := attr(se, "workoutActivityType")
	r.stats.Workouts++
	w := wearable.Workout{Activity: activityName(typ)}
	stat := func(value, unit string, set func(float64, string) error) error {
		if value == "" {
			return nil
		}
		v, err := number(value)
		if err != nil {
			return err
		}
		return set(v, unit)
	}
	setDistance := func(v float64, u string) (err error) { w.Distance, err = metres(v, u); return }
	setEnergy := func(v float64, u string) (err error) { w.Energy, err = kilocalories(v, u); return }
	var convErr *RecordError
	for {
		tok, err := r.dec.Token()
		if err != nil {
			return wearable.Measurement{}, false, &MalformedError{Offset: r.dec.InputOffset(), Err: err}
		}
		if _, end := tok.(xml.EndElement); end {
			break
		}
		child, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if child.Name.Local == "WorkoutStatistics" && convErr == nil {
			unit := attr(child, "unit")
			var err error
			switch attr(child, "type") {
			case hkDistanceWalkRun, hkDistanceCycling, hkDistanceSwimming, hkDistanceWheel:
				err = stat(attr(child, "sum"), unit, setDistance)
			case hkActiveEnergy:
				err = stat(attr(child, "sum"), unit, setEnergy)
			case hkHeartRate:
				err = stat(attr(child, "average"), unit, func(v float64, _ string) error { w.AverageHeartRate = wearable.BPM(v); return nil })
				if err == nil {
					err = stat(attr(child, "maximum"), unit, func(v float64, _ string) error { w.MaxHeartRate = wearable.BPM(v); return nil })
				}
			}
			if err != nil {
				convErr = r.recordErr("Workout", typ, "WorkoutStatistics", err)
			}
		}
		if err := r.skip(); err != nil {
			return wearable.Measurement{}, false, err
		}
	}
	if convErr != nil {
		return wearable.Measurement{}, false, convErr
	}
	m, err := r.base(se, wearable.KindWorkout, "Workout", typ)
	if err != nil {
		return m, false, err
	}
	w.Duration = m.End.Sub(m.Start)
	if err := stat(attr(se, "duration"), attr(se, "durationUnit"), func(v float64, u string) (err error) {
		w.Duration, err = duration(v, u)
		return
	}); err != nil {
		return wearable.Measurement{}, false, r.recordErr("Workout", typ, "duration", err)
	}
	if err := stat(attr(se, "totalDistance"), attr(se, "totalDistanceUnit"), setDistance); err != nil {
		return wearable.Measurement{}, false, r.recordErr("Workout", typ, "totalDistance", err)
	}
	if err := stat(attr(se, "totalEnergyBurned"), attr(se, "totalEnergyBurnedUnit"), setEnergy); err != nil {
		return wearable.Measurement{}, false, r.recordErr("Workout", typ, "totalEnergyBurned", err)
	}
	m.Workout = w
	m.DedupeKey = r.dedupe("Workout", typ, m.Source.Name, attr(se, "startDate"), attr(se, "endDate"), attr(se, "duration"))
	return m, true, nil
}
