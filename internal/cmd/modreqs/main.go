// Command modreqs reads `go mod edit -json` on standard input and prints the
// module paths of the direct (non-indirect) requirements, one per line. The
// CI dependency check uses it.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	var mod struct {
		Require []struct {
			Path     string
			Indirect bool
		}
	}
	if err := json.NewDecoder(os.Stdin).Decode(&mod); err != nil {
		fmt.Fprintln(os.Stderr, "modreqs:", err)
		os.Exit(2)
	}
	for _, r := range mod.Require {
		if !r.Indirect {
			fmt.Println(r.Path)
		}
	}
}
