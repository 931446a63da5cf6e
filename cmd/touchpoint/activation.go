package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
)

var activationCheck = &command{
	name: "activation check", args: "<definitions>", nargs: [2]int{1, 1},
	summary: "check an activation definition file (traits, audiences, journeys) before deploying it",
	details: `Reads the definition file ("-": standard input) as activation/defs.Decode does
(unknown fields are errors, so a typo cannot silently disable a condition),
then compiles it as activation.New would, so a file that passes is one an
Engine loads or hot-reloads (Engine.ReloadFile). A file that does not pass
is reported with the definition and the field that is wrong, and exit 1.

A file that passes is summarised: each trait with what it computes, each
audience and journey with its purpose, each journey with its trigger and
action, and the Go handlers the journeys name, which the program must
register (activation.WithHandler): activation.New and Engine.Reload
refuse definitions naming a handler that is not registered.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		return func(c *call, args []string) error { return runActivationCheck(c, args[0]) }
	},
}

type defView struct {
	Kind    string `json:"kind"`
	Key     string `json:"key"`
	Purpose string `json:"purpose,omitempty"`
	What    string `json:"what,omitempty"`
}

type defsReport struct {
	File      string    `json:"file"`
	Version   int       `json:"version,omitempty"`
	Traits    int       `json:"traits"`
	Audiences int       `json:"audiences"`
	Journeys  int       `json:"journeys"`
	Defs      []defView `json:"definitions"`
	Handlers  []string  `json:"handlers"`
	Error     *defErr   `json:"error,omitempty"`
}

type defErr struct {
	Kind   string `json:"kind,omitempty"`
	Key    string `json:"key,omitempty"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
}

func runActivationCheck(c *call, path string) error {
	rep := defsReport{File: path, Defs: []defView{}, Handlers: []string{}}
	data, err := c.readInput(path, defs.MaxFileBytes)
	if err != nil {
		return err
	}
	set, err := defs.Decode(data)
	if err == nil {
		// The program registers the handlers the journeys name; here each
		// is a stand-in, so New checks everything else.
		var opts []activation.Option
		for _, j := range set.Journeys {
			if h := j.Action.Handler; h != "" {
				opts = append(opts, activation.WithHandler(h, func(context.Context, activation.Output) error { return nil }))
			}
		}
		var e *activation.Engine
		if e, err = activation.New(set, opts...); err == nil {
			e.Shutdown(context.Background())
		}
	}
	if err != nil {
		var de *defs.Error
		if !errors.As(err, &de) {
			return fmt.Errorf("%s: %w", path, err)
		}
		rep.Error = &defErr{Kind: de.Kind, Key: de.Key, Field: de.Field, Reason: de.Reason}
		if c.json {
			if err := writeJSON(c.stdout, rep); err != nil {
				return err
			}
		} else {
			fmt.Fprintf(c.stdout, "%s: %v\n", path, err)
		}
		return &failedError{fmt.Sprintf("%s does not load", path)}
	}
	rep.summarise(set)
	if c.json {
		return writeJSON(c.stdout, rep)
	}
	return rep.write(c.stdout)
}

// summarise lists the definitions of set and the handlers they name.
func (rep *defsReport) summarise(set *defs.Set) {
	rep.Version, rep.Traits, rep.Audiences, rep.Journeys = set.Version, len(set.Traits), len(set.Audiences), len(set.Journeys)
	for _, t := range set.Traits {
		what := t.Kind
		if t.Property != "" {
			what += " of " + t.Property
		}
		what += fmt.Sprintf(" over %q", t.Event)
		if t.Within != 0 {
			what += " within " + t.Within.String()
		}
		rep.Defs = append(rep.Defs, defView{Kind: "trait", Key: t.Key, Purpose: t.Purpose, What: what})
	}
	for _, a := range set.Audiences {
		rep.Defs = append(rep.Defs, defView{Kind: "audience", Key: a.Key, Purpose: a.Purpose})
	}
	for _, j := range set.Journeys {
		var acts []string
		if j.Action.Emit != "" {
			acts = append(acts, fmt.Sprintf("emit %q", j.Action.Emit))
		}
		if j.Action.Handler != "" {
			acts = append(acts, "call handler "+j.Action.Handler)
			if !slices.Contains(rep.Handlers, j.Action.Handler) {
				rep.Handlers = append(rep.Handlers, j.Action.Handler)
			}
		}
		what := fmt.Sprintf("on %q: %s", j.Trigger.Event, strings.Join(acts, ", "))
		rep.Defs = append(rep.Defs, defView{Kind: "journey", Key: j.Key, Purpose: j.Purpose, What: what})
	}
	slices.Sort(rep.Handlers)
}

func (rep defsReport) write(w io.Writer) error {
	fmt.Fprintf(w, "%s: version %d: %s, %s, %s: loads\n", rep.File, rep.Version,
		plural(rep.Traits, "trait"), plural(rep.Audiences, "audience"), plural(rep.Journeys, "journey"))
	for _, d := range rep.Defs {
		line := fmt.Sprintf("  %-8s %s", d.Kind, d.Key)
		if d.What != "" {
			line += ": " + d.What
		}
		if d.Purpose != "" {
			line += " [" + d.Purpose + "]"
		}
		fmt.Fprintln(w, line)
	}
	if len(rep.Handlers) > 0 {
		fmt.Fprintf(w, "handlers to register (activation.WithHandler): %s\n", strings.Join(rep.Handlers, ", "))
	}
	return nil
}
