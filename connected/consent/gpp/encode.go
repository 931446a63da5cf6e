package gpp

import (
	"fmt"
	"strings"
)

// Encode returns the GPP string of sections, in the order given: a header
// listing their ids (consecutive ids as one range), then each section's Raw
// form, joined by tildes. Ids must ascend strictly within 1..4095 and Raw
// must be non-empty without a tilde; otherwise it returns an *EncodeError.
// Encode does not re-encode the TCF or USNat fields: set Raw with tcf.Encode
// or EncodeUSNat.
func Encode(sections []Section) (string, error) {
	if len(sections) == 0 || len(sections) > maxSections {
		return "", &EncodeError{Field: "Sections", Detail: fmt.Sprintf("%d sections, want 1 to %d", len(sections), maxSections)}
	}
	last := 0
	for i, s := range sections {
		if s.ID <= last || s.ID > 4095 {
			return "", &EncodeError{Field: fmt.Sprintf("Sections[%d].ID", i), Detail: fmt.Sprintf("id %d must be above %d and at most 4095", s.ID, last)}
		}
		if s.Raw == "" || strings.Contains(s.Raw, "~") {
			return "", &EncodeError{Field: fmt.Sprintf("Sections[%d].Raw", i), Detail: "is empty or holds a tilde"}
		}
		last = s.ID
	}
	// Group consecutive ids into ranges.
	type item struct{ start, end int }
	var items []item
	for _, s := range sections {
		if n := len(items); n > 0 && items[n-1].end+1 == s.ID {
			items[n-1].end = s.ID
			continue
		}
		items = append(items, item{s.ID, s.ID})
	}
	var w bitWriter
	w.write(3, 6)
	w.write(1, 6)
	w.write(uint64(len(items)), 12)
	prev := 0
	for _, it := range items {
		if it.start == it.end {
			w.write(0, 1)
			w.fib(it.start - prev)
		} else {
			w.write(1, 1)
			w.fib(it.start - prev)
			w.fib(it.end - it.start)
		}
		prev = it.end
	}
	var b strings.Builder
	b.Write(w.finish())
	for _, s := range sections {
		b.WriteByte('~')
		b.WriteString(s.Raw)
	}
	return b.String(), nil
}
