package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

const overviewText = `touchpoint: the operator's tool for Touchpoint gateways and pipelines.

Usage:

	touchpoint <command> [flags] [arguments]

Commands:
%s
Every command takes --json (JSON instead of text), --reveal (identifiers of
people and devices in the clear instead of keyed pseudonyms) and
--pseudonym-key FILE (the pseudonyms' key; default: a random key per run, so
pseudonyms match only within one run). Flags may come before or after the
arguments; "-" as a file argument reads standard input.

Exit codes: 0 success; 1 bad input, or a check that failed (a damaged spool,
plan violations, records not delivered); 2 usage (unknown command, wrong
arguments or flags).

Run "touchpoint help <command>" for a command's flags and details.
`

func overview(w io.Writer) {
	var b strings.Builder
	for _, c := range commands {
		fmt.Fprintf(&b, "\t%-44s %s\n", c.name+" "+c.args, c.summary)
	}
	fmt.Fprintf(w, overviewText, b.String())
}

func groupHelp(w io.Writer, group string) {
	fmt.Fprintf(w, "Commands of touchpoint %s:\n\n", group)
	for _, c := range groupOf(group) {
		fmt.Fprintf(w, "\t%-44s %s\n", c.name+" "+c.args, c.summary)
	}
	fmt.Fprintf(w, "\nRun \"touchpoint help %s <subcommand>\" for details.\n", group)
}

func commandHelp(w io.Writer, cmd *command) {
	fmt.Fprintf(w, "usage: touchpoint %s [flags] %s\n\n%s\n", cmd.name, cmd.args, cmd.summary)
	if cmd.details != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(cmd.details))
	}
	fs := flag.NewFlagSet(cmd.name, flag.ContinueOnError)
	fs.Bool("json", false, "write JSON instead of text")
	fs.Bool("reveal", false, "show identifiers of people and devices in the clear instead of pseudonyms")
	fs.String("pseudonym-key", "", "`file` holding the key (at least 16 bytes) of the pseudonyms; default: a random key per run")
	cmd.define(fs)
	fmt.Fprintln(w, "\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
}

// help serves "touchpoint help [command...]".
func help(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		overview(stdout)
		return exitOK
	}
	if cmd, rest := lookup(args); cmd != nil && len(rest) == 0 {
		commandHelp(stdout, cmd)
		return exitOK
	}
	if len(args) == 1 && groupOf(args[0]) != nil {
		groupHelp(stdout, args[0])
		return exitOK
	}
	fmt.Fprintf(stderr, "touchpoint help: no command %q\n\n", strings.Join(args, " "))
	overview(stderr)
	return exitUsage
}
