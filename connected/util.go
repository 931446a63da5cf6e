package connected

import (
	"slices"
	"strconv"
)

func sortStrings(s []string) { slices.Sort(s) }

func itoa(i int) string { return strconv.Itoa(i) }
