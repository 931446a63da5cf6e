// Command testall runs `go test` in every module of this repository (the
// core module and each directory with its own go.mod: the transports, the
// benchmarks) and prints one summary line at the end:
//
//	testall: 812 passed, 0 failed, 3 skipped (5 modules)
//
// Arguments are passed to `go test` (e.g. -race, -count=1, -run=X). It exits
// non-zero if any module fails to build or any test fails. Skipped tests are
// listed with their reasons, so that no skip goes unnoticed.
//
//	go run ./internal/cmd/testall            # what the README gives
//	go run ./internal/cmd/testall -race      # what CI adds
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
}

type counts struct{ pass, fail, skip int }

func main() {
	root, err := os.Getwd()
	if err != nil {
		fatal(err)
	}
	mods, err := modules(root)
	if err != nil {
		fatal(err)
	}
	var total counts
	var skips []string
	failedMods := 0
	for _, dir := range mods {
		rel, _ := filepath.Rel(root, dir)
		fmt.Printf("== module ./%s\n", filepath.ToSlash(rel))
		c, s, ok := runModule(dir, os.Args[1:])
		total.pass += c.pass
		total.fail += c.fail
		total.skip += c.skip
		skips = append(skips, s...)
		if !ok {
			failedMods++
		}
	}
	if len(skips) > 0 {
		fmt.Println("\nskipped tests:")
		for _, s := range skips {
			fmt.Println("  " + s)
		}
	}
	fmt.Printf("\ntestall: %d passed, %d failed, %d skipped (%d modules)\n", total.pass, total.fail, total.skip, len(mods))
	if failedMods > 0 || total.fail > 0 {
		fmt.Printf("testall: FAIL in %d module(s)\n", failedMods)
		os.Exit(1)
	}
}

// modules returns the directories holding a go.mod, root first.
func modules(root string) ([]string, error) {
	var mods []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "vendor") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" {
			mods = append(mods, filepath.Dir(path))
		}
		return nil
	})
	sort.Slice(mods, func(i, j int) bool {
		if mods[i] == root || mods[j] == root {
			return mods[i] == root
		}
		return mods[i] < mods[j]
	})
	return mods, err
}

// runModule runs go test -json ./... in dir, printing package results and the
// output of failing tests as go test would.
func runModule(dir string, args []string) (counts, []string, bool) {
	cmd := exec.Command("go", append(append([]string{"test", "-json"}, args...), "./...")...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		fatal(err)
	}
	if err := cmd.Start(); err != nil {
		fatal(err)
	}
	var c counts
	var skips []string
	outputs := map[string][]string{} // package/test -> output lines
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if json.Unmarshal(line, &e) != nil {
			fmt.Println(string(line)) // build errors and the like
			continue
		}
		key := e.Package + "/" + e.Test
		switch e.Action {
		case "build-output":
			fmt.Print(e.Output)
		case "output":
			if e.Test == "" && (strings.HasPrefix(e.Output, "ok ") || strings.HasPrefix(e.Output, "FAIL") ||
				strings.HasPrefix(e.Output, "?") || strings.HasPrefix(e.Output, "---")) {
				fmt.Print(e.Output) // a package's result line: shown as it comes
				continue
			}
			outputs[key] = append(outputs[key], e.Output)
		case "pass":
			if e.Test != "" {
				c.pass++
			}
			delete(outputs, key)
		case "skip":
			if e.Test != "" {
				c.skip++
				skips = append(skips, e.Package+" "+e.Test+": "+skipReason(outputs[key]))
			}
			delete(outputs, key)
		case "fail":
			if e.Test != "" {
				c.fail++
				fmt.Print(strings.Join(outputs[key], ""))
				delete(outputs, key)
				continue
			}
			// The package failed: also show the output of its tests that
			// never finished (a hang killed by -timeout, a crash).
			var unfinished []string
			for k := range outputs {
				if strings.HasPrefix(k, e.Package+"/") && k != key {
					unfinished = append(unfinished, k)
				}
			}
			sort.Strings(unfinished)
			for _, k := range unfinished {
				fmt.Printf("--- output of %s, which did not finish:\n%s", k, strings.Join(outputs[k], ""))
				delete(outputs, k)
			}
			fmt.Print(strings.Join(outputs[key], ""))
			delete(outputs, key)
		}
	}
	err = cmd.Wait()
	return c, skips, err == nil
}

func skipReason(lines []string) string {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "=== ") && !strings.HasPrefix(l, "--- SKIP") {
			return l
		}
	}
	return "(no reason given)"
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "testall:", err)
	os.Exit(2)
}
