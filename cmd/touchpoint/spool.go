package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
)

const spoolReadOnly = `
It reads the directory with spool.Inspect: no lock, no writes; what it reports
is what spool.Open would send, count as lost and repair. A spool that a
running gateway has open may be changing while it is read: the end of its
last segment may then show as a torn write.`

var spoolStat = &command{
	name: "spool stat", args: "<dir>", nargs: [2]int{1, 1},
	summary: "summary of a spool directory: pending records, bytes, age, losses",
	details: "Counts the records waiting in the spool by type and category, with the\noldest and newest event time, and the salvage report.\n" + spoolReadOnly,
	define:  func(*flag.FlagSet) func(*call, []string) error { return runSpoolStat },
}

var spoolLs = &command{
	name: "spool ls", args: "<dir>", nargs: [2]int{1, 1},
	summary: "list a spool's segment files",
	details: "One line per segment after the acknowledged position: name, size on disk,\nformat version of its records (3 from this release on; earlier releases cannot\nread version 3: drain a spool before a downgrade), first record sequence\nnumber, readable records and state (ok, damaged, tombstone, missing).\n" + spoolReadOnly,
	define:  func(*flag.FlagSet) func(*call, []string) error { return runSpoolLs },
}

var spoolCat = &command{
	name: "spool cat", args: "<dir>", nargs: [2]int{1, 1},
	summary: "print the records waiting in a spool",
	details: `Prints every readable record not yet acknowledged, in the order the spool
would send them: sequence number, time, type, category, event name, message
id, and the identifiers as pseudonyms (--reveal: in the clear, with the
payload). With --json, one JSON object per line. With --payload (which needs
--reveal), only the Segment JSON of each record, one per line: the input of
"touchpoint plan validate".

Records lost to damage are not printed: the salvage report on standard error
says how many and where; the exit code stays 0 when every readable record
was printed.
` + spoolReadOnly,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		payload := fs.Bool("payload", false, "print only each record's Segment JSON payload (needs --reveal)")
		return func(c *call, args []string) error { return runSpoolCat(c, args, *payload) }
	},
}

var spoolVerify = &command{
	name: "spool verify", args: "<dir>", nargs: [2]int{1, 1},
	summary: "check every frame and segment of a spool; exit 1 on damage",
	details: `Checks the checksum of every frame after the acknowledged position, the
sequence numbers across segments (a missing or emptied segment shows as a
gap), the segment headers, and that every record's payload decodes as a
Segment message. Prints the salvage report: records lost and where, repairs
spool.Open would make. Exits 1 when records are lost or a payload does not
decode, 0 when the spool is sound.
` + spoolReadOnly,
	define: func(*flag.FlagSet) func(*call, []string) error { return runSpoolVerify },
}

// salvageView is the salvage report: what cannot be recovered, and the
// repairs that recovery makes.
type salvageView struct {
	Lost      int        `json:"lost"`
	Estimated bool       `json:"estimated,omitempty"` // lost is a lower bound
	Losses    []lossView `json:"losses"`
	Repairs   []string   `json:"repairs,omitempty"`
	SetAside  []string   `json:"setAside,omitempty"` // *.corrupt files from earlier recoveries
}

type lossView struct {
	Where     string `json:"where"`
	Records   int    `json:"records"`
	Estimated bool   `json:"estimated,omitempty"`
}

func salvageOf(losses []spool.Loss, notes, corrupt []string) salvageView {
	s := salvageView{Losses: []lossView{}, Repairs: notes, SetAside: corrupt}
	for _, l := range losses {
		s.Lost += l.Records
		s.Estimated = s.Estimated || l.Estimated
		where := l.Where
		if where == "" {
			where = "unknown place"
		}
		s.Losses = append(s.Losses, lossView{Where: where, Records: l.Records, Estimated: l.Estimated})
	}
	return s
}

func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + one + "s"
}

func (s salvageView) headline() string {
	if s.Lost == 0 {
		return "nothing lost"
	}
	if s.Estimated {
		return "at least " + plural(s.Lost, "record") + " lost"
	}
	return plural(s.Lost, "record") + " lost"
}

// write writes the salvage report as text.
func (s salvageView) write(w io.Writer, prefix string) {
	fmt.Fprintf(w, "%ssalvage: %s\n", prefix, s.headline())
	for _, l := range s.Losses {
		n := plural(l.Records, "record")
		if l.Estimated {
			n = "at least " + n
		}
		fmt.Fprintf(w, "%s  %s: %s\n", prefix, l.Where, n)
	}
	for _, r := range s.Repairs {
		fmt.Fprintf(w, "%s  repair: %s\n", prefix, r)
	}
	for _, f := range s.SetAside {
		fmt.Fprintf(w, "%s  set aside earlier: %s\n", prefix, f)
	}
}

func inspect(dir string) (*spool.Inventory, error) {
	if err := isSpoolDir(dir); err != nil {
		return nil, err
	}
	in, err := spool.Inspect(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: no such directory", dir)
	}
	if errors.Is(err, spool.ErrVersion) {
		return nil, fmt.Errorf("%s holds data of a newer format than this touchpoint reads: %w", dir, err)
	}
	return in, err
}

// isSpoolDir refuses a directory holding none of the files a spool has
// (segments, ack, lock), so that a mistyped path is not reported as an
// empty, sound spool.
func isSpoolDir(dir string) error {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such directory", dir)
	}
	if err != nil {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if n == "lock" || n == "ack" || strings.HasSuffix(n, ".seg") || strings.HasSuffix(n, ".seg.corrupt") {
			return nil
		}
	}
	return fmt.Errorf("%s is not a spool directory (no segment, ack or lock file)", dir)
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

type statView struct {
	Dir        string         `json:"dir"`
	Segments   int            `json:"segments"`
	Tombstones int            `json:"tombstones"`
	Bytes      int64          `json:"bytes"`
	Pending    int            `json:"pending"`
	Payload    int            `json:"payloadBytes"`
	Oldest     string         `json:"oldest,omitempty"`
	Newest     string         `json:"newest,omitempty"`
	ByType     map[string]int `json:"byType"`
	ByCategory map[string]int `json:"byCategory"`
	Salvage    salvageView    `json:"salvage"`
}

func runSpoolStat(c *call, args []string) error {
	in, err := inspect(args[0])
	if err != nil {
		return err
	}
	v := statView{Dir: args[0], ByType: map[string]int{}, ByCategory: map[string]int{},
		Salvage: salvageOf(in.Losses, in.Notes, in.Corrupt)}
	for _, s := range in.Segments {
		v.Segments++
		v.Bytes += s.Size
		if s.Tombstone {
			v.Tombstones++
		}
	}
	var oldest, newest time.Time
	err = in.Walk(func(e spool.Entry) error {
		r := e.Record
		v.Pending++
		v.Payload += len(r.Payload)
		v.ByType[string(r.Type)]++
		v.ByCategory[string(r.Category)]++
		if !r.Time.IsZero() && (oldest.IsZero() || r.Time.Before(oldest)) {
			oldest = r.Time
		}
		if r.Time.After(newest) {
			newest = r.Time
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.Oldest, v.Newest = fmtTime(oldest), fmtTime(newest)
	if c.json {
		return writeJSON(c.stdout, v)
	}
	rows := [][]string{
		{"spool", v.Dir},
		{"segments", fmt.Sprintf("%d (%d tombstones), %d bytes on disk", v.Segments, v.Tombstones, v.Bytes)},
		{"pending", fmt.Sprintf("%s, %d payload bytes", plural(v.Pending, "record"), v.Payload)},
	}
	if v.Pending > 0 {
		rows = append(rows, []string{"oldest", v.Oldest}, []string{"newest", v.Newest},
			[]string{"by type", counts(v.ByType)}, []string{"by category", counts(v.ByCategory)})
	}
	rows = append(rows, []string{"lost", v.Salvage.headline()})
	if err := table(c.stdout, rows); err != nil {
		return err
	}
	if len(v.Salvage.Losses)+len(v.Salvage.Repairs)+len(v.Salvage.SetAside) > 0 {
		v.Salvage.write(c.stdout, "")
	}
	return nil
}

// counts renders a map of counts as "a 3, b 1", largest first.
func counts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

type segmentView struct {
	Name     string `json:"name"`
	Size     int64  `json:"size"`
	Version  int    `json:"version"`
	FirstSeq uint64 `json:"firstSeq"`
	Records  int    `json:"records"`
	State    string `json:"state"` // ok, damaged, tombstone, missing
	Lost     int    `json:"lost,omitempty"`
}

func segmentsOf(in *spool.Inventory) []segmentView {
	out := make([]segmentView, 0, len(in.Segments))
	for _, s := range in.Segments {
		v := segmentView{Name: s.Name, Size: s.Size, Version: s.Version, FirstSeq: s.FirstSeq, Records: s.Records, State: "ok"}
		for _, l := range in.Losses {
			if strings.HasPrefix(l.Where, s.Name) || strings.Contains(l.Where, "segment "+s.Name) {
				v.Lost += l.Records
			}
		}
		switch {
		case s.Missing:
			v.State = "missing"
		case s.Tombstone:
			v.State = "tombstone"
		case v.Lost > 0:
			v.State = "damaged"
		}
		out = append(out, v)
	}
	return out
}

func runSpoolLs(c *call, args []string) error {
	in, err := inspect(args[0])
	if err != nil {
		return err
	}
	segs := segmentsOf(in)
	if c.json {
		return writeJSON(c.stdout, segs)
	}
	rows := [][]string{{"SEGMENT", "SIZE", "VERSION", "FIRST", "RECORDS", "STATE"}}
	for _, s := range segs {
		state := s.State
		if s.Lost > 0 {
			state += fmt.Sprintf(" (%s lost)", plural(s.Lost, "record"))
		}
		rows = append(rows, []string{s.Name, strconv.FormatInt(s.Size, 10), strconv.Itoa(s.Version),
			strconv.FormatUint(s.FirstSeq, 10), strconv.Itoa(s.Records), state})
	}
	if err := table(c.stdout, rows); err != nil {
		return err
	}
	if len(in.Losses) > 0 {
		salvageOf(in.Losses, in.Notes, in.Corrupt).write(c.stdout, "")
	}
	return nil
}

// recordView is one record as cat shows it.
type recordView struct {
	Seq          uint64          `json:"seq"`
	Segment      string          `json:"segment"`
	Offset       int64           `json:"offset"`
	MessageID    string          `json:"messageId"`
	Type         string          `json:"type"`
	Time         string          `json:"time"`
	Category     string          `json:"category"`
	Event        string          `json:"event,omitempty"`
	Channel      string          `json:"channel,omitempty"`
	UserID       string          `json:"userId,omitempty"`
	AnonymousID  string          `json:"anonymousId,omitempty"`
	ProfileID    string          `json:"profileId,omitempty"`
	DeviceID     string          `json:"deviceId,omitempty"`
	PartitionKey string          `json:"partitionKey,omitempty"`
	Keys         []string        `json:"keys,omitempty"` // property and trait names
	Bytes        int             `json:"bytes"`
	Payload      json.RawMessage `json:"payload,omitempty"` // only with --reveal
	Problem      string          `json:"problem,omitempty"` // the payload does not decode
}

func (c *call) recordOf(e spool.Entry) recordView {
	r := e.Record
	v := recordView{Seq: e.Seq, Segment: e.Segment, Offset: e.Offset, MessageID: r.ID, Type: string(r.Type),
		Time: fmtTime(r.Time), Category: string(r.Category), ProfileID: c.names.id(r.ProfileID),
		PartitionKey: r.PartitionKey, Bytes: len(r.Payload)}
	ev, err := connected.DecodeSegment(r.Payload)
	if err != nil {
		v.Problem = "payload does not decode: " + err.Error()
	} else {
		v.Event = ev.Event
		if v.Event == "" {
			v.Event = ev.Name
		}
		v.Channel = string(ev.Context.Channel)
		v.UserID, v.AnonymousID = c.names.id(ev.UserID), c.names.id(ev.AnonymousID)
		v.DeviceID = c.names.id(ev.Context.Device.ID)
		for k := range ev.Properties {
			v.Keys = append(v.Keys, k)
		}
		for k := range ev.Traits {
			v.Keys = append(v.Keys, "traits."+k)
		}
		slices.Sort(v.Keys)
	}
	if c.names.reveal && json.Valid(r.Payload) {
		v.Payload = r.Payload
	}
	return v
}

func (v recordView) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\t%s\t%s\t%s", v.Seq, v.Time, v.Type, v.Category)
	if v.Event != "" {
		fmt.Fprintf(&b, "\t%q", v.Event)
	}
	fmt.Fprintf(&b, "\tid=%s", v.MessageID)
	for _, kv := range [][2]string{{"user", v.UserID}, {"anon", v.AnonymousID}, {"profile", v.ProfileID}, {"device", v.DeviceID}, {"channel", v.Channel}} {
		if kv[1] != "" {
			fmt.Fprintf(&b, "\t%s=%s", kv[0], kv[1])
		}
	}
	if len(v.Keys) > 0 {
		fmt.Fprintf(&b, "\tkeys=%s", strings.Join(v.Keys, ","))
	}
	if v.Problem != "" {
		fmt.Fprintf(&b, "\tPROBLEM: %s", v.Problem)
	}
	if v.Payload != nil {
		fmt.Fprintf(&b, "\n\t%s", v.Payload)
	}
	return b.String()
}

func runSpoolCat(c *call, args []string, payload bool) error {
	if payload && !c.names.reveal {
		return usagef("--payload prints identifiers in the clear: add --reveal")
	}
	in, err := inspect(args[0])
	if err != nil {
		return err
	}
	err = in.Walk(func(e spool.Entry) error {
		switch {
		case payload:
			_, err := fmt.Fprintf(c.stdout, "%s\n", e.Record.Payload)
			return err
		case c.json:
			return writeJSONLine(c.stdout, c.recordOf(e))
		default:
			_, err := fmt.Fprintln(c.stdout, c.recordOf(e).text())
			return err
		}
	})
	if err != nil {
		return err
	}
	if s := salvageOf(in.Losses, in.Notes, in.Corrupt); s.Lost > 0 || len(s.Repairs) > 0 {
		s.write(c.stderr, "")
	}
	return nil
}

type verifyView struct {
	Dir      string        `json:"dir"`
	OK       bool          `json:"ok"`
	Segments int           `json:"segments"`
	Readable int           `json:"readable"`
	Problems []problemView `json:"problems"` // records whose payload does not decode
	Salvage  salvageView   `json:"salvage"`
}

type problemView struct {
	Seq       uint64 `json:"seq"`
	Segment   string `json:"segment"`
	Offset    int64  `json:"offset"`
	MessageID string `json:"messageId"`
	Problem   string `json:"problem"`
}

func runSpoolVerify(c *call, args []string) error {
	in, err := inspect(args[0])
	if err != nil {
		return err
	}
	v := verifyView{Dir: args[0], Segments: len(in.Segments), Problems: []problemView{},
		Salvage: salvageOf(in.Losses, in.Notes, in.Corrupt)}
	err = in.Walk(func(e spool.Entry) error {
		v.Readable++
		if _, err := connected.DecodeSegment(e.Record.Payload); err != nil {
			v.Problems = append(v.Problems, problemView{Seq: e.Seq, Segment: e.Segment, Offset: e.Offset,
				MessageID: e.Record.ID, Problem: "payload does not decode: " + err.Error()})
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.OK = v.Salvage.Lost == 0 && len(v.Problems) == 0
	if c.json {
		if err := writeJSON(c.stdout, v); err != nil {
			return err
		}
	} else {
		state := "ok"
		if !v.OK {
			state = "DAMAGED"
		}
		fmt.Fprintf(c.stdout, "%s: %s, %s readable, %s\n", state, plural(v.Segments, "segment"), plural(v.Readable, "record"), v.Salvage.headline())
		if len(v.Salvage.Losses)+len(v.Salvage.Repairs)+len(v.Salvage.SetAside) > 0 {
			v.Salvage.write(c.stdout, "")
		}
		for _, p := range v.Problems {
			fmt.Fprintf(c.stdout, "  record %d (%s offset %d, id %s): %s\n", p.Seq, p.Segment, p.Offset, p.MessageID, p.Problem)
		}
	}
	if !v.OK {
		msg := v.Salvage.headline()
		if len(v.Problems) > 0 {
			msg += fmt.Sprintf(", %s with an undecodable payload", plural(len(v.Problems), "record"))
		}
		return &failedError{msg}
	}
	return nil
}
