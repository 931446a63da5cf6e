package wearable_test

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// hx decodes a spaced hex string ("1E 55 32 00").
func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// wantParseError checks that err is a *ParseError for c at off wrapping want.
func wantParseError(t *testing.T, err error, c wearable.Characteristic, off int, want error) {
	t.Helper()
	var pe *wearable.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *ParseError", err, err)
	}
	if pe.Characteristic != c || pe.Offset != off || !errors.Is(err, want) {
		t.Fatalf("error = %+v, want characteristic %v offset %d cause %v", pe, c, off, want)
	}
}

// badCase is a payload that must be rejected.
type badCase struct {
	name string
	in   string
	off  int
	err  error
}
