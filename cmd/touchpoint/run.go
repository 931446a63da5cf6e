package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // bad input, or a validation that failed (damage, violations, undelivered records)
	exitUsage = 2 // unknown command, wrong arguments or flags
)

// command is one leaf command, "spool cat" say.
type command struct {
	name    string // the words after "touchpoint"
	args    string // positional arguments, for the usage line
	summary string // one line
	details string // the per-command help, after the usage line
	nargs   [2]int // fewest and most positional arguments
	// define registers the command's own flags and returns its runner.
	define func(fs *flag.FlagSet) func(c *call, args []string) error
}

// call is what a runner gets: the streams and the common flags.
type call struct {
	cmd    *command
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	json   bool
	names  namer
}

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// failedError says the command ran and found a failure it has reported on
// stdout (damage, violations, undelivered records): exit 1 with a summary.
type failedError struct{ msg string }

func (e *failedError) Error() string { return e.msg }

// commands lists every command, in the order help shows them.
var commands = []*command{
	spoolStat, spoolLs, spoolCat, spoolVerify, spoolReplay,
	tcfDecode,
	beaconParse,
	gatewayDecode,
	identityExplain,
	planValidate,
	webhookDecode,
	activationCheck,
}

// run is the CLI: it parses args, runs one command and returns the exit
// code. It reads stdin only when a command is given "-" for an input.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		overview(stderr)
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(args[1:], stdout, stderr)
	}
	cmd, rest := lookup(args)
	if cmd == nil {
		if g := groupOf(args[0]); g != nil {
			fmt.Fprintf(stderr, "touchpoint %s: unknown or missing subcommand%s\n\n", args[0], quoted(rest))
			groupHelp(stderr, args[0])
			return exitUsage
		}
		fmt.Fprintf(stderr, "touchpoint: unknown command %q\n\n", args[0])
		overview(stderr)
		return exitUsage
	}
	return runCommand(cmd, rest, stdin, stdout, stderr)
}

func quoted(rest []string) string {
	if len(rest) == 0 {
		return ""
	}
	return fmt.Sprintf(" %q", rest[0])
}

func runCommand(cmd *command, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("touchpoint "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := &call{cmd: cmd, stdin: stdin, stdout: stdout, stderr: stderr}
	fs.BoolVar(&c.json, "json", false, "write JSON instead of text")
	reveal := fs.Bool("reveal", false, "show identifiers of people and devices in the clear instead of pseudonyms")
	keyFile := fs.String("pseudonym-key", "", "`file` holding the key (at least 16 bytes) of the pseudonyms; default: a random key per run")
	runner := cmd.define(fs)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		commandHelp(stdout, cmd)
		return exitOK
	}
	if err == nil && (len(pos) < cmd.nargs[0] || (cmd.nargs[1] >= 0 && len(pos) > cmd.nargs[1])) {
		err = usagef("want %s, got %d argument(s)", argsText(cmd), len(pos))
	}
	if err == nil {
		c.names, err = newNamer(*keyFile, *reveal)
	}
	if err == nil {
		err = runner(c, pos)
	}
	var ue *usageError
	var fe *failedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue) || isFlagError(err):
		fmt.Fprintf(stderr, "touchpoint %s: %v\nusage: touchpoint %s [flags] %s (touchpoint help %s)\n", cmd.name, err, cmd.name, cmd.args, cmd.name)
		return exitUsage
	case errors.As(err, &fe):
		fmt.Fprintf(stderr, "touchpoint %s: %s\n", cmd.name, fe.msg)
		return exitFail
	default:
		fmt.Fprintf(stderr, "touchpoint %s: %v\n", cmd.name, err)
		return exitFail
	}
}

func argsText(cmd *command) string {
	if cmd.args == "" {
		return "no arguments"
	}
	return cmd.args
}

// flagError marks errors of the flag package (unknown flag, bad value).
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }

func isFlagError(err error) bool {
	var fe *flagError
	return errors.As(err, &fe)
}

// parseInterspersed parses flags wherever they are among the positional
// arguments; everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &flagError{err}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func lookup(args []string) (*command, []string) {
	for _, c := range commands {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slices.Equal(args[:len(words)], words) {
			return c, args[len(words):]
		}
	}
	return nil, args[1:]
}

func groupOf(word string) []*command {
	var out []*command
	for _, c := range commands {
		if strings.Fields(c.name)[0] == word {
			out = append(out, c)
		}
	}
	return out
}

// namer shows identifiers of people and devices: as keyed pseudonyms
// (connected.Pseudonymizer), or in the clear with --reveal.
type namer struct {
	p      *connected.Pseudonymizer
	reveal bool
}

func newNamer(keyFile string, reveal bool) (namer, error) {
	var key []byte
	if keyFile != "" {
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return namer{}, usagef("--pseudonym-key: %v", err)
		}
		key = bytes.TrimRight(b, "\r\n")
	} else {
		key = make([]byte, 32)
		_, _ = rand.Read(key) // never fails (crypto/rand)
	}
	p, err := connected.NewPseudonymizer(key)
	if err != nil {
		return namer{}, usagef("--pseudonym-key %s: %v", keyFile, err)
	}
	return namer{p: p, reveal: reveal}, nil
}

// id returns what the output shows for identifier v: "" for "", v in the
// clear with --reveal or when it already is a pseudonym, its pseudonym
// otherwise.
func (n namer) id(v string) string {
	if v == "" || n.reveal || isPseudonym(v) {
		return v
	}
	return n.p.Pseudonym(v)
}

func isPseudonym(v string) bool {
	if len(v) != connected.PseudonymLen || !strings.HasPrefix(v, connected.PseudonymPrefix) {
		return false
	}
	for _, c := range v[len(connected.PseudonymPrefix):] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSONLine writes v as one line of JSON (NDJSON).
func writeJSONLine(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes rows of tab-separated cells as aligned columns.
func table(w io.Writer, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// readInput returns the contents of a file argument, or of stdin for "-".
func (c *call) readInput(name string, limit int64) ([]byte, error) {
	var r io.Reader
	if name == "-" {
		r = c.stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, limit)
	}
	return b, nil
}
