package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/plan"
)

var planValidate = &command{
	name: "plan validate", args: "<plan> <ndjson>", nargs: [2]int{2, 2},
	summary: "check newline-delimited Segment events against a tracking plan",
	details: `Loads the tracking plan from the JSON export of a Segment Protocols plan,
a RudderStack tracking plan, or Snowplow/Iglu self-describing JSON Schemas
(<plan> may then be a directory of *.json schemas, or several files joined
with commas). --format auto tells the export apart by its shape. The plan is
compiled as plan.Compile does; an export the plan package cannot read
faithfully is an error naming the event and the JSON path.

Then checks every line of <ndjson> ("-": standard input), one Segment message
per line (as "touchpoint spool cat --reveal --payload" prints them), with
plan.Plan.Validate, and prints each violation with its line, the event and
the JSON path. Violations never quote the offending value. Exits 1 when any
event violates the plan or a line does not decode, 0 when all keep it.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		format := fs.String("format", "auto", "plan export format: auto, segment, rudderstack or iglu")
		return func(c *call, args []string) error { return runPlanValidate(c, args[0], args[1], *format) }
	},
}

const maxPlanBytes = 64 << 20

// loadPlan reads and compiles the plan in path.
func loadPlan(c *call, path, format string) (*plan.Plan, string, error) {
	var files [][]byte
	var names []string
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		names, err = filepath.Glob(filepath.Join(path, "*.json"))
		if err != nil || len(names) == 0 {
			return nil, "", fmt.Errorf("%s: no *.json schemas in the directory", path)
		}
		if format == "auto" {
			format = "iglu"
		}
	} else {
		names = strings.Split(path, ",")
	}
	for _, n := range names {
		b, err := c.readInput(strings.TrimSpace(n), maxPlanBytes)
		if err != nil {
			return nil, "", err
		}
		files = append(files, b)
	}
	if format == "auto" {
		format = detectPlanFormat(files[0])
		if format == "" {
			return nil, "", fmt.Errorf("%s: not a Segment, RudderStack or Iglu plan export I can recognise: give --format", path)
		}
	}
	if format != "iglu" && len(files) != 1 {
		return nil, "", usagef("a %s plan is one file, got %d", format, len(files))
	}
	var spec plan.Spec
	var err error
	switch format {
	case "segment":
		spec, err = plan.FromSegment(files[0])
	case "rudderstack":
		spec, err = plan.FromRudderStack(files[0])
	case "iglu":
		spec, err = plan.FromIglu(files...)
	default:
		return nil, "", usagef("--format %q: want auto, segment, rudderstack or iglu", format)
	}
	if err != nil {
		return nil, "", err
	}
	p, err := plan.Compile(spec)
	return p, format, err
}

// detectPlanFormat tells the exports apart by their top-level keys.
func detectPlanFormat(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		return "segment" // the bare array of Public API rules
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil {
		return ""
	}
	if _, ok := top["self"]; ok {
		return "iglu"
	}
	if _, ok := top["data"]; ok {
		return "segment"
	}
	if ev, ok := top["events"]; ok && bytes.HasPrefix(bytes.TrimSpace(ev), []byte("[")) {
		var evs []map[string]json.RawMessage
		if json.Unmarshal(ev, &evs) == nil && len(evs) > 0 {
			if _, ok := evs[0]["eventType"]; ok {
				return "rudderstack"
			}
		}
		return "segment" // Config API shape with its keys at the top level
	}
	if r, ok := top["rules"]; ok {
		var rules map[string]json.RawMessage
		if json.Unmarshal(r, &rules) == nil {
			_, id := rules["identify"]
			_, gr := rules["group"]
			if id || gr {
				return "rudderstack" // legacy Tracking Plan API
			}
		}
		return "segment"
	}
	for _, k := range []string{"global", "identify_traits", "group_traits"} {
		if _, ok := top[k]; ok {
			return "segment"
		}
	}
	return ""
}

type violationView struct {
	Kind   string `json:"kind"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

type lineView struct {
	Line       int             `json:"line"`
	MessageID  string          `json:"messageId,omitempty"`
	Type       string          `json:"type,omitempty"`
	Event      string          `json:"event,omitempty"`
	Violations []violationView `json:"violations,omitempty"`
	Error      string          `json:"error,omitempty"` // the line does not decode
}

type planReport struct {
	Plan    string     `json:"plan"`
	Format  string     `json:"format"`
	Events  int        `json:"events"`
	Valid   int        `json:"valid"`
	Invalid []lineView `json:"invalid"`
}

func runPlanValidate(c *call, planPath, input, format string) error {
	if planPath == "-" && input == "-" {
		return usagef("the plan and the events cannot both be standard input")
	}
	p, format, err := loadPlan(c, planPath, format)
	if err != nil {
		return err
	}
	var r io.Reader = c.stdin
	if input != "-" {
		f, err := os.Open(input)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	rep := planReport{Plan: p.Name(), Format: format, Invalid: []lineView{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 32<<20)
	var buf []plan.Violation
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		rep.Events++
		lv := lineView{Line: line}
		ev, err := connected.DecodeSegment(b)
		if err != nil {
			lv.Error = err.Error()
			rep.Invalid = append(rep.Invalid, lv)
			continue
		}
		lv.MessageID, lv.Type, lv.Event = ev.MessageID, string(ev.Type), ev.Event
		if lv.Event == "" {
			lv.Event = ev.Name
		}
		buf, err = p.ValidateEvent(&ev, buf[:0])
		if err != nil {
			lv.Error = err.Error()
			rep.Invalid = append(rep.Invalid, lv)
			continue
		}
		if len(buf) == 0 {
			rep.Valid++
			continue
		}
		for _, v := range buf {
			lv.Violations = append(lv.Violations, violationView{Kind: v.Kind.String(), Field: v.Field, Reason: v.Reason})
		}
		rep.Invalid = append(rep.Invalid, lv)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s line %d: %w", input, line+1, err)
	}
	if c.json {
		err = writeJSON(c.stdout, rep)
	} else {
		err = rep.write(c.stdout)
	}
	if err != nil {
		return err
	}
	if len(rep.Invalid) > 0 {
		return &failedError{fmt.Sprintf("%d of %d events do not keep the plan", len(rep.Invalid), rep.Events)}
	}
	return nil
}

func (rep planReport) write(w io.Writer) error {
	for _, l := range rep.Invalid {
		what := l.Type
		if l.Event != "" {
			what = fmt.Sprintf("%s %q", l.Type, l.Event)
		}
		if l.Error != "" {
			if what != "" {
				fmt.Fprintf(w, "line %d: %s (messageId %s): %s\n", l.Line, what, l.MessageID, l.Error)
			} else {
				fmt.Fprintf(w, "line %d: %s\n", l.Line, l.Error)
			}
			continue
		}
		fmt.Fprintf(w, "line %d: %s (messageId %s):\n", l.Line, what, l.MessageID)
		for _, v := range l.Violations {
			fmt.Fprintf(w, "  %s: %s: %s\n", v.Kind, v.Field, v.Reason)
		}
	}
	name := "unnamed plan"
	if rep.Plan != "" {
		name = fmt.Sprintf("plan %q", rep.Plan)
	}
	_, err := fmt.Fprintf(w, "%s (%s): %d events, %d keep the plan, %d do not\n", name, rep.Format, rep.Events, rep.Valid, len(rep.Invalid))
	return err
}
