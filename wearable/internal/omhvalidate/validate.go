package omhvalidate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// ErrUnknownSchema is returned for a schema this package does not cover.
var ErrUnknownSchema = errors.New("omhvalidate: unknown schema")

// Error says where a document breaks its schema.
type Error struct {
	Path   string // JSON path, e.g. "body.heart_rate.unit"
	Reason string
}

// Error describes the failure; it is stable enough to log, not to parse.
func (e *Error) Error() string { return fmt.Sprintf("omhvalidate: %s: %s", e.Path, e.Reason) }

func fail(path, format string, args ...any) error {
	return &Error{Path: path, Reason: fmt.Sprintf(format, args...)}
}

// Validate checks doc against the named Open mHealth schema version.
func Validate(name, version string, doc any) error {
	v, ok := schemas[name+"-"+version]
	if !ok {
		return fmt.Errorf("%w: %s-%s", ErrUnknownSchema, name, version)
	}
	return v("", doc)
}

// ValidateDataPoint checks a data point: its header, and its body against
// the schema the header names.
func ValidateDataPoint(doc any) error {
	if err := dataPoint("", doc); err != nil {
		return err
	}
	obj := doc.(map[string]any)
	id := obj["header"].(map[string]any)["schema_id"].(map[string]any)
	if id["namespace"] != "omh" {
		return fail("header.schema_id.namespace", "namespace %v not covered", id["namespace"])
	}
	v, ok := schemas[id["name"].(string)+"-"+id["version"].(string)]
	if !ok {
		return fmt.Errorf("%w: %v-%v", ErrUnknownSchema, id["name"], id["version"])
	}
	return v("body", obj["body"])
}

type validator func(path string, v any) error

// Covered schemas, keyed "name-version".
var schemas = map[string]validator{
	"data-point-1.0":        dataPoint,
	"header-1.0":            header,
	"header-1.1":            header,
	"header-1.2":            header,
	"heart-rate-2.0":        heartRate,
	"rr-interval-1.0":       rrInterval,
	"calories-burned-2.0":   caloriesBurned,
	"speed-1.0":             speed,
	"step-count-3.0":        stepCount,
	"physical-activity-1.2": physicalActivity,
	"body-temperature-4.0":  bodyTemperature,
	"blood-pressure-4.0":    bloodPressure,
	"body-weight-3.0":       bodyWeight,
	"oxygen-saturation-2.0": oxygenSaturation,
}

// Covered returns the covered schemas as "name-version", sorted.
func Covered() []string {
	var out []string
	for k := range schemas {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func object(path string, v any) (map[string]any, error) {
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fail(path, "not an object")
	}
	return o, nil
}

// fields describes an object: required keys and per-key validators (for
// keys that may be present).
type fields struct {
	required []string
	props    map[string]validator
}

func (f fields) check(path string, v any) error {
	o, err := object(path, v)
	if err != nil {
		return err
	}
	for _, k := range f.required {
		if _, ok := o[k]; !ok {
			return fail(join(path, k), "required")
		}
	}
	for k, pv := range f.props {
		if x, ok := o[k]; ok {
			if err := pv(join(path, k), x); err != nil {
				return err
			}
		}
	}
	return nil
}

func str(path string, v any) error {
	if _, ok := v.(string); !ok {
		return fail(path, "not a string")
	}
	return nil
}

func number(path string, v any) error {
	if _, ok := v.(float64); !ok {
		return fail(path, "not a number")
	}
	return nil
}

func enum(values ...string) validator {
	return func(path string, v any) error {
		s, ok := v.(string)
		if !ok {
			return fail(path, "not a string")
		}
		if !slices.Contains(values, s) {
			return fail(path, "%q not one of %q", s, values)
		}
		return nil
	}
}

// dateTime is the JSON-schema "date-time" format (RFC 3339).
func dateTime(path string, v any) error {
	s, ok := v.(string)
	if !ok {
		return fail(path, "not a string")
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		return fail(path, "not an RFC 3339 date-time: %q", s)
	}
	return nil
}

var fullDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

func date(path string, v any) error {
	s, ok := v.(string)
	if !ok || !fullDate.MatchString(s) {
		return fail(path, "not a full date")
	}
	return nil
}

// unitValue is unit-value-1.x restricted to the given unit enum.
func unitValue(units ...string) validator {
	return fields{
		required: []string{"value", "unit"},
		props:    map[string]validator{"value": number, "unit": enum(units...)},
	}.check
}

// oneOf passes when exactly one branch passes.
func oneOf(branches ...validator) validator {
	return func(path string, v any) error {
		n := 0
		var first error
		for _, b := range branches {
			if err := b(path, v); err == nil {
				n++
			} else if first == nil {
				first = err
			}
		}
		switch n {
		case 1:
			return nil
		case 0:
			return fail(path, "matches no alternative (%v)", first)
		}
		return fail(path, "matches %d alternatives, want exactly one", n)
	}
}

func allOf(vs ...validator) validator {
	return func(path string, v any) error {
		for _, x := range vs {
			if err := x(path, v); err != nil {
				return err
			}
		}
		return nil
	}
}

var durationUnitValue = unitValue("ps", "ns", "us", "ms", "sec", "min", "h", "d", "wk", "Mo", "yr")

func branch(required []string, props map[string]validator) validator {
	return fields{required: required, props: props}.check
}

// omhTimeInterval is time-interval-1.x: start+duration, end+duration,
// start+end, or date+part_of_day.
var omhTimeInterval = oneOf(
	branch([]string{"start_date_time", "duration"}, map[string]validator{"start_date_time": dateTime, "duration": durationUnitValue}),
	branch([]string{"end_date_time", "duration"}, map[string]validator{"end_date_time": dateTime, "duration": durationUnitValue}),
	branch([]string{"start_date_time", "end_date_time"}, map[string]validator{"start_date_time": dateTime, "end_date_time": dateTime}),
	branch([]string{"date", "part_of_day"}, map[string]validator{"date": date, "part_of_day": enum("morning", "afternoon", "evening", "night")}),
)

// ieeeTimeInterval is IEEE 1752.1 time-interval: no date+part_of_day form.
var ieeeTimeInterval = oneOf(
	branch([]string{"start_date_time", "duration"}, map[string]validator{"start_date_time": dateTime, "duration": durationUnitValue}),
	branch([]string{"end_date_time", "duration"}, map[string]validator{"end_date_time": dateTime, "duration": durationUnitValue}),
	branch([]string{"start_date_time", "end_date_time"}, map[string]validator{"start_date_time": dateTime, "end_date_time": dateTime}),
)

func timeFrame(interval validator) validator {
	return oneOf(
		branch([]string{"date_time"}, map[string]validator{"date_time": dateTime}),
		branch([]string{"time_interval"}, map[string]validator{"time_interval": interval}),
	)
}

var (
	omhTimeFrame  = timeFrame(omhTimeInterval)
	ieeeTimeFrame = timeFrame(ieeeTimeInterval)
)

// intervalOnly adds "required: [time_interval]" to a time frame.
func intervalOnly(tf validator) validator {
	return allOf(tf, branch([]string{"time_interval"}, nil))
}

var descriptiveStatistic = enum("average", "count", "maximum", "median", "minimum", "standard deviation",
	"sum", "variance", "20th percentile", "80th percentile", "lower quartile", "upper quartile",
	"quartile deviation", "1st quintile", "2nd quintile", "3rd quintile", "4th quintile")

var (
	toPhysicalActivity = enum("at rest", "active", "before exercise", "after exercise", "during exercise")
	toSleep            = enum("before sleeping", "during sleep", "on waking")
	bodyLocation       = enum("left ankle", "right ankle", "left hip", "right hip", "left thigh", "right thigh",
		"left thorax", "middle left thorax", "left upper arm", "right upper arm", "left wrist", "right wrist")
	bodyPosture = enum("sitting", "standing", "lying down", "reclining")
)
