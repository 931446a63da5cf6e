package main

import (
	"strings"
	"testing"
)

func TestSnippetCheck(t *testing.T) {
	c := &checker{}
	for _, tc := range []struct {
		name, code string
		want       string // a problem containing this; "" for none
	}{
		{"statements", "var s string\nn := strings.ToUpper(s)\n", ""},
		{"declarations", "func run(ctx context.Context, sink connected.Handler) error {\n\tc, err := connected.New(sink)\n\tif err != nil {\n\t\treturn err\n\t}\n\treturn c.Shutdown(ctx)\n}\n", ""},
		{"elided", "var s []int\ns = append(s, 1)\n...\nf := func() error { ... }\n", ""},
		{"table is not Go", "type             scope   priority\nuser_id          person  1\n", ""},
		{"shell is not Go", "go run ./examples/quickstart\n", ""},
		{"comment only", "//go:generate go run ./cmd/x\n", ""},
		{"no such function", "strings.NoSuchFunc(\"x\")\n", "NoSuchFunc"},
		{"undefined input", "n := strings.ToUpper(x)\n", "undefined: x"},
		{"wrong argument", "var sink connected.Handler\nc, _ := connected.New(sink, 42)\n", "cannot use 42"},
		{"Go that does not parse", "c, err := connected.New(sink,\n", "does not parse"},
		// The connected package doc's snippet before it was fixed: a type
		// called as a function, and inputs nobody declared.
		{"old connected snippet", "sink, _ := transport.NewBatcher(sender)\nc, _ := connected.New(sink, connected.WithMiddleware(identity.Middleware(g), gate.Middleware()))\ndefer c.Shutdown(ctx)\n", "undefined: sender"},
		{"type used as a middleware", "var g *identity.Graph\n_ = connected.WithMiddleware(identity.Middleware(g))\n", "cannot convert"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			problems, err := c.check(snippet{dir: ".", pkg: "x", code: tc.code})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(problems, "\n")
			switch {
			case tc.want == "" && got != "":
				t.Errorf("problems %q, want none", got)
			case tc.want != "" && !strings.Contains(got, tc.want):
				t.Errorf("problems %q, want one containing %q", got, tc.want)
			}
		})
	}
}
