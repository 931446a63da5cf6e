package activation

import (
	"fmt"
	"slices"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
)

// symbols interns event names and paths for the engine's whole life, so
// facts stored under one version of the definitions keep their meaning
// under the next (hot reload).
type symbols struct {
	names    map[string]uint16
	nameList []string
	paths    map[string]uint16
	pathList []string
	specs    []pathSpec        // by path number
	purposes []consent.Purpose // bit i = purposes[i]; the built-in ones first
}

// numBuiltin is the number of built-in purposes (bits 0-7, in the order
// of consent's built-in purposes).
const numBuiltin = 8

func newSymbols() *symbols {
	s := &symbols{names: map[string]uint16{}, paths: map[string]uint16{}}
	s.purposes = []consent.Purpose{consent.PurposeAnalytics, consent.PurposePersonalization, consent.PurposeMarketing,
		consent.PurposeAdvertising, consent.PurposeHealth, consent.PurposeLocation, consent.PurposeLinking,
		consent.PurposeAttention}
	return s
}

func (s *symbols) name(n string) uint16 {
	if i, ok := s.names[n]; ok {
		return i
	}
	i := uint16(len(s.nameList))
	s.names[n] = i
	s.nameList = append(s.nameList, n)
	return i
}

func (s *symbols) path(p string) uint16 {
	if i, ok := s.paths[p]; ok {
		return i
	}
	i := uint16(len(s.pathList))
	s.paths[p] = i
	s.pathList = append(s.pathList, p)
	s.specs = append(s.specs, specOf(p))
	return i
}

// purpose returns the bit of p, adding custom purposes (at most 32 in all).
func (s *symbols) purpose(p consent.Purpose) (Purposes, error) {
	if i := slices.Index(s.purposes, p); i >= 0 {
		return 1 << i, nil
	}
	if len(s.purposes) == 32 {
		return 0, fmt.Errorf("more than 32 consent purposes")
	}
	s.purposes = append(s.purposes, p)
	return 1 << (len(s.purposes) - 1), nil
}

type pred struct {
	path uint16
	op   uint8
	val  Value
	list []Value
}

// agg kinds
const (
	aCount uint8 = iota + 1
	aSum
	aMin
	aMax
	aAvg
	aFirst
	aLast
	aMostFrequent
	aUniqueList
	aUniqueCount
	aSinceLast
)

var aggNames = map[string]uint8{defs.KindCount: aCount, defs.KindSum: aSum, defs.KindMin: aMin, defs.KindMax: aMax,
	defs.KindAvg: aAvg, defs.KindFirst: aFirst, defs.KindLast: aLast, defs.KindMostFrequent: aMostFrequent,
	defs.KindUniqueList: aUniqueList, defs.KindUniqueCount: aUniqueCount, defs.KindSinceLast: aSinceLast}

// agg is an aggregate over a profile's facts of one event in a window.
type agg struct {
	events []uint16 // usually one; presence reads two
	preds  []pred
	prop   uint16
	hasP   bool
	kind   uint8
	within int64 // ms; 0: all retained
	limit  int
	desc   string
}

// cond node ops
const (
	cAll uint8 = iota + 1
	cAny
	cNot
	cAgg   // agg compared with cmp/val
	cTrait // trait compared
	cAud   // audience membership
)

type cond struct {
	op    uint8
	kids  []int32
	agg   int32
	cmp   uint8
	val   Value
	key   string // trait key
	trait int32  // computed trait index, -1: identify trait
	aud   int32
	desc  string
}

type trait struct {
	key     string
	agg     int32
	purpose Purposes
}

type audience struct {
	key     string
	purpose Purposes
	purpStr consent.Purpose
	root    int32
	idx     int
}

type filter struct {
	ev    uint16
	preds []pred
}

type correlate struct{ path, trigger uint16 }

type journey struct {
	key        string
	keyAny     any // key and dest as interface values, boxed once
	destAny    any
	whenReason string // ReasonConditions and the when's description
	idx        int
	purpose    Purposes
	purpStr    consent.Purpose
	trigger    filter
	when       int32 // cond, -1 none
	related    *filter
	relWithin  int64
	match      []correlate
	wait       int64
	unless     *filter
	emit       string
	props      []actionProp
	dest       string
	handler    string
	capMax     int
	capPer     int64
	quiet      *quiet
	reentry    string
	reAfter    int64
	instKey    string
	exits      []filter
	holdout    uint32 // per 10,000
}

type actionProp struct {
	key  string
	from uint8 // 0 literal, 1 trigger, 2 related
	path uint16
	lit  string
}

type quiet struct {
	start, end int // minutes after midnight
	loc        *time.Location
	deferred   bool
}

// evIndex says what one event name touches: the index that keeps an event
// from looking at definitions that do not reference it.
type evIndex struct {
	store     bool     // facts of it are kept
	retain    int64    // longest window (ms), 0: all
	paths     []uint16 // paths extracted into its facts
	audiences []int32  // audiences to re-evaluate, in dependency order
	triggers  []int32
	exits     []int32
	unless    []int32
	retry     []int32  // journeys whose related event this is
	feeds     Purposes // purposes of the definitions that read it (traits, audiences, journeys)
}

// program is a compiled Set.
// event returns the index of ev, nil when no definition references it.
func (p *program) event(ev uint16) *evIndex {
	if int(ev) < len(p.byEvent) {
		return p.byEvent[ev]
	}
	return nil
}

type program struct {
	aggs      []agg
	conds     []cond
	traits    []trait
	traitKeys map[string]int32
	audiences []audience
	audKeys   map[string]int32
	journeys  []journey
	jKeys     map[string]int32
	byEvent   []*evIndex // by event number
	identify  []int32    // audiences with identify-trait conditions
	order     []int32    // audiences in dependency order
}

func (p *program) index(ev uint16) *evIndex {
	for int(ev) >= len(p.byEvent) {
		p.byEvent = append(p.byEvent, nil)
	}
	x := p.byEvent[ev]
	if x == nil {
		x = &evIndex{}
		p.byEvent[ev] = x
	}
	return x
}

// usePaths extracts paths from ev without keeping its facts.
func (p *program) usePaths(ev uint16, paths ...uint16) {
	x := p.index(ev)
	for _, pa := range paths {
		if !slices.Contains(x.paths, pa) {
			x.paths = append(x.paths, pa)
		}
	}
}

// use keeps facts of ev for within (0: all retained) with paths.
func (p *program) use(ev uint16, within int64, paths ...uint16) {
	x := p.index(ev)
	if !x.store {
		x.store = true
		x.retain = within
	} else if x.retain != 0 && (within == 0 || within > x.retain) {
		x.retain = within
	}
	for _, pa := range paths {
		if !slices.Contains(x.paths, pa) {
			x.paths = append(x.paths, pa)
		}
	}
}
