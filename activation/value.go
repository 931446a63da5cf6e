package activation

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// kind of a Value.
const (
	kAbsent uint8 = iota
	kString
	kNumber
	kBool
)

// Value is one scalar read from an event: a string, a number or a bool.
// The zero Value is absent.
type Value struct {
	S string
	F float64
	K uint8
}

// Any returns v as a Go value: string, float64, bool or nil.
func (v Value) Any() any {
	switch v.K {
	case kString:
		return v.S
	case kNumber:
		return v.F
	case kBool:
		return v.F != 0
	}
	return nil
}

// String formats v for explanations and unique lists.
func (v Value) String() string {
	switch v.K {
	case kString:
		return v.S
	case kNumber:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case kBool:
		return strconv.FormatBool(v.F != 0)
	}
	return ""
}

func valueOf(x any) Value {
	switch t := x.(type) {
	case string:
		return Value{S: t, K: kString}
	case bool:
		if t {
			return Value{F: 1, K: kBool}
		}
		return Value{K: kBool}
	case float64:
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return Value{}
		}
		return Value{F: t, K: kNumber}
	case float32:
		return valueOf(float64(t))
	case int:
		return Value{F: float64(t), K: kNumber}
	case int8:
		return Value{F: float64(t), K: kNumber}
	case int16:
		return Value{F: float64(t), K: kNumber}
	case int32:
		return Value{F: float64(t), K: kNumber}
	case int64:
		return Value{F: float64(t), K: kNumber}
	case uint:
		return Value{F: float64(t), K: kNumber}
	case uint8:
		return Value{F: float64(t), K: kNumber}
	case uint16:
		return Value{F: float64(t), K: kNumber}
	case uint32:
		return Value{F: float64(t), K: kNumber}
	case uint64:
		return Value{F: float64(t), K: kNumber}
	case json.Number:
		f, err := t.Float64()
		if err != nil {
			return Value{}
		}
		return valueOf(f)
	}
	return Value{}
}

// pathSpec is a path (see defs.Predicate) split once, at compile time.
type pathSpec struct {
	fixed uint8 // one of the fixed paths below; 0: properties/traits
	root  uint8 // 1 properties, 2 traits, 0: none (never present)
	segs  []string
}

const (
	pEvent uint8 = iota + 1
	pCategory
	pChannel
	pZone
	pPlace
	pDevice
)

func specOf(path string) pathSpec {
	switch path {
	case "event":
		return pathSpec{fixed: pEvent}
	case "category":
		return pathSpec{fixed: pCategory}
	case "context.channel":
		return pathSpec{fixed: pChannel}
	case "context.location.zone":
		return pathSpec{fixed: pZone}
	case "context.location.place_id":
		return pathSpec{fixed: pPlace}
	case "context.device.type":
		return pathSpec{fixed: pDevice}
	}
	if r, ok := strings.CutPrefix(path, "properties."); ok {
		return pathSpec{root: 1, segs: strings.Split(r, ".")}
	}
	if r, ok := strings.CutPrefix(path, "traits."); ok {
		return pathSpec{root: 2, segs: strings.Split(r, ".")}
	}
	return pathSpec{}
}

// extractSpec reads a compiled path from e without allocating.
func extractSpec(e *connected.Event, sp *pathSpec) Value {
	switch sp.fixed {
	case pEvent:
		if e.Event != "" {
			return Value{S: e.Event, K: kString}
		}
		return Value{S: e.Name, K: kString}
	case pCategory:
		return Value{S: string(e.Category.OrDefault()), K: kString}
	case pChannel:
		return str(string(e.Context.Channel))
	case pZone:
		return str(e.Context.Location.Zone)
	case pPlace:
		return str(e.Context.Location.PlaceID)
	case pDevice:
		return str(e.Context.Device.Type)
	}
	var m map[string]any
	switch sp.root {
	case 1:
		m = e.Properties
	case 2:
		m = e.Traits
	default:
		return Value{}
	}
	for i, k := range sp.segs {
		if m == nil {
			return Value{}
		}
		x, ok := m[k]
		if !ok {
			return Value{}
		}
		if i == len(sp.segs)-1 {
			return valueOf(x)
		}
		switch t := x.(type) {
		case map[string]any:
			m = t
		case connected.Properties:
			m = t
		case connected.Traits:
			m = t
		default:
			return Value{}
		}
	}
	return Value{}
}

func str(s string) Value {
	if s == "" {
		return Value{}
	}
	return Value{S: s, K: kString}
}

// operators
const (
	opEq uint8 = iota + 1
	opNe
	opLt
	opLte
	opGt
	opGte
	opContains
	opPrefix
	opSuffix
	opExists
	opNotExists
	opIn
)

var opNames = map[string]uint8{"eq": opEq, "ne": opNe, "lt": opLt, "lte": opLte, "gt": opGt, "gte": opGte,
	"contains": opContains, "prefix": opPrefix, "suffix": opSuffix, "exists": opExists, "not_exists": opNotExists, "in": opIn}

func equal(a, b Value) bool {
	return a.K == b.K && a.K != kAbsent && (a.K == kString && a.S == b.S || a.K != kString && a.F == b.F)
}

// compare applies op to v and want (list for in).
func compare(op uint8, v, want Value, list []Value) bool {
	switch op {
	case opExists:
		return v.K != kAbsent
	case opNotExists:
		return v.K == kAbsent
	case opEq:
		return equal(v, want)
	case opNe:
		return v.K != kAbsent && !equal(v, want)
	case opIn:
		for _, w := range list {
			if equal(v, w) {
				return true
			}
		}
		return false
	case opLt, opLte, opGt, opGte:
		if v.K != kNumber {
			return false
		}
		return cmpNum(op, v.F, want.F)
	case opContains:
		return v.K == kString && strings.Contains(v.S, want.S)
	case opPrefix:
		return v.K == kString && strings.HasPrefix(v.S, want.S)
	case opSuffix:
		return v.K == kString && strings.HasSuffix(v.S, want.S)
	}
	return false
}

func cmpNum(op uint8, a, b float64) bool {
	switch op {
	case opEq:
		return a == b
	case opNe:
		return a != b
	case opLt:
		return a < b
	case opLte:
		return a <= b
	case opGt:
		return a > b
	case opGte:
		return a >= b
	}
	return false
}
