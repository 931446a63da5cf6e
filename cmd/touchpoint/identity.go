package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

var identityExplain = &command{
	name: "identity explain", args: "<type:value> [<type:value>]", nargs: [2]int{1, 2},
	summary: "why an identifier belongs to its profile, or why two are (not) one",
	details: `Opens an identity.FileStore directory (--store) with the graph's secret
(--secret-file, the bytes every gateway of the fleet uses) and the default
identifier rules, and explains:

  - one identifier: its profile, with every member identifier and the
    period it has held it, and its households;
  - two identifiers: whether they are one profile now, with the path of
    events and rules that links them, or the reasons why not (limit, device
    conflict, consent, supernode quarantine, scope, blocked value, erasure).

Identifiers are given as type:value (email:ana@example.com, user_id:u-1,
device_id:...). The store holds keyed hashes: the output shows stored
identifiers as type:key; profile and household ids, and values the store
keeps in plaintext, are shown as pseudonyms unless --reveal.

The store is locked while it is open: stop the gateway that uses it, or copy
the directory and point --store at the copy. Opening truncates a torn last
log entry, as every open of the store does.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		store := fs.String("store", "", "the identity.FileStore `directory` (required)")
		secret := fs.String("secret-file", "", "`file` holding the graph's secret, at least 16 bytes (required)")
		return func(c *call, args []string) error { return runIdentityExplain(c, *store, *secret, args) }
	},
}

func parseIdentifier(s string) (identity.Identifier, bool) {
	t, v, ok := strings.Cut(s, ":")
	return identity.Identifier{Type: identity.Type(t), Value: v}, ok && t != "" && v != ""
}

type memberView struct {
	Ref   string `json:"ref"`
	Since string `json:"since,omitempty"`
	Until string `json:"until,omitempty"`
}

type stepView struct {
	From      string `json:"from"`
	To        string `json:"to"`
	EventID   string `json:"eventId"`
	Time      string `json:"time"`
	Rule      string `json:"rule"`
	ConsentID string `json:"consentEventId,omitempty"`
}

type reasonView struct {
	Code      string   `json:"code"`
	Subject   string   `json:"subject"`
	EventIDs  []string `json:"eventIds,omitempty"`
	Detail    string   `json:"detail,omitempty"`
	ConsentID string   `json:"consentEventId,omitempty"`
}

type explainView struct {
	A          string       `json:"a"`
	B          string       `json:"b,omitempty"`
	Linked     *bool        `json:"linked,omitempty"`
	ProfileA   string       `json:"profileA,omitempty"`
	ProfileB   string       `json:"profileB,omitempty"`
	Path       []stepView   `json:"path,omitempty"`
	Reasons    []reasonView `json:"reasons,omitempty"`
	Profile    string       `json:"profile,omitempty"`
	Members    []memberView `json:"members,omitempty"`
	Households []string     `json:"households,omitempty"`
}

// refNamer shows stored identifiers: type:key, or type:value (a pseudonym
// unless --reveal) when the store keeps plaintext. With --reveal, the
// identifiers given on the command line are shown as given.
type refNamer struct {
	namer
	known map[identity.Ref]string
}

func (n refNamer) ref(r identity.Ref) string {
	if r.Type == "" {
		return ""
	}
	if s, ok := n.known[identity.Ref{Type: r.Type, Key: r.Key}]; ok && n.reveal {
		return s
	}
	if r.Value != "" {
		return string(r.Type) + ":" + n.id(r.Value)
	}
	return string(r.Type) + ":" + r.Key.String()
}

func runIdentityExplain(c *call, store, secretFile string, args []string) error {
	if store == "" || secretFile == "" {
		return usagef("--store and --secret-file are required")
	}
	ids := make([]identity.Identifier, len(args))
	for i, a := range args {
		id, ok := parseIdentifier(a)
		if !ok {
			return usagef("identifier %d: want type:value (email:ana@example.com)", i+1)
		}
		ids[i] = id
	}
	secret, err := os.ReadFile(secretFile)
	if err != nil {
		return usagef("--secret-file: %v", err)
	}
	secret = bytes.TrimRight(secret, "\r\n")
	if st, err := os.Stat(store); err != nil || !st.IsDir() {
		return fmt.Errorf("--store %s: no such directory", store)
	}
	fs, err := identity.OpenFileStore(store)
	if errors.Is(err, identity.ErrStoreLocked) {
		return fmt.Errorf("%s is open in another process (a running gateway?): stop it or copy the directory: %w", store, err)
	}
	if err != nil {
		return err
	}
	g, err := identity.New(secret, identity.WithStore(fs))
	if err != nil {
		_ = fs.Close()
		if errors.Is(err, identity.ErrSecretMismatch) {
			return fmt.Errorf("%w: check --secret-file", err)
		}
		return err
	}
	defer g.Shutdown(context.Background())
	n := refNamer{namer: c.names, known: map[identity.Ref]string{}}
	for i, id := range ids {
		ref, err := g.Key(id)
		if err != nil {
			return err
		}
		n.known[identity.Ref{Type: ref.Type, Key: ref.Key}] = args[i]
	}
	var v explainView
	if len(ids) == 1 {
		ref, err := g.Key(ids[0])
		if err != nil {
			return err
		}
		p, err := g.Profile(ids[0])
		if err != nil {
			return err
		}
		v = explainView{A: n.ref(ref), Profile: n.id(p.ID)}
		for _, m := range p.Members {
			v.Members = append(v.Members, memberView{Ref: n.ref(m.Ref), Since: fmtTime(m.Since), Until: fmtTime(m.Until)})
		}
		for _, h := range p.Households {
			v.Households = append(v.Households, n.id(h))
		}
	} else {
		e, err := g.Explain(ids[0], ids[1])
		if err != nil {
			return err
		}
		linked := e.Linked
		v = explainView{A: n.ref(e.A), B: n.ref(e.B), Linked: &linked, ProfileA: n.id(e.ProfileA), ProfileB: n.id(e.ProfileB)}
		for _, s := range e.Path {
			v.Path = append(v.Path, stepView{From: n.ref(s.From), To: n.ref(s.To), EventID: s.EventID, Time: fmtTime(s.Time),
				Rule: string(s.Rule), ConsentID: s.ConsentEventID})
		}
		for _, r := range e.Reasons {
			v.Reasons = append(v.Reasons, reasonView{Code: string(r.Code), Subject: n.ref(r.Subject), EventIDs: r.EventIDs,
				Detail: r.Detail, ConsentID: r.ConsentEventID})
		}
	}
	if c.json {
		return writeJSON(c.stdout, v)
	}
	return v.write(c)
}

func (v explainView) write(c *call) error {
	w := c.stdout
	if v.Linked == nil {
		rows := [][]string{{"identifier", v.A}, {"profile", v.Profile}}
		if len(v.Households) > 0 {
			rows = append(rows, []string{"households", strings.Join(v.Households, " ")})
		}
		if err := table(w, rows); err != nil {
			return err
		}
		fmt.Fprintf(w, "members (%d):\n", len(v.Members))
		for _, m := range v.Members {
			line := "  " + m.Ref
			if m.Since != "" {
				line += " since " + m.Since
			}
			if m.Until != "" {
				line += " until " + m.Until
			}
			fmt.Fprintln(w, line)
		}
		return nil
	}
	if *v.Linked {
		fmt.Fprintf(w, "LINKED: %s and %s are one profile (%s)\n", v.A, v.B, v.ProfileA)
		for i, s := range v.Path {
			line := fmt.Sprintf("  %d. %s -- %s: event %s at %s, rule %s", i+1, s.From, s.To, s.EventID, s.Time, s.Rule)
			if s.ConsentID != "" {
				line += ", consent " + s.ConsentID
			}
			fmt.Fprintln(w, line)
		}
		return nil
	}
	fmt.Fprintf(w, "NOT LINKED: %s (profile %s) and %s (profile %s)\n", v.A, orNone(v.ProfileA), v.B, orNone(v.ProfileB))
	for _, r := range v.Reasons {
		line := "  " + r.Code
		if r.Subject != "" {
			line += ": " + r.Subject
		}
		if len(r.EventIDs) > 0 {
			line += " [" + strings.Join(r.EventIDs, " ") + "]"
		}
		if r.Detail != "" {
			line += " " + r.Detail
		}
		if r.ConsentID != "" {
			line += ", consent " + r.ConsentID
		}
		fmt.Fprintln(w, line)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
