package tcf

import (
	"fmt"
	"reflect"
	"testing"
)

// Small assertion helpers: the core module's go.mod has no test libraries.

func equal[T any](t testing.TB, want, got T, msg ...any) {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s\nwant %#v\ngot  %#v", fmt.Sprint(msg...), want, got)
	}
}

func noErr(t testing.TB, err error, msg ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: unexpected error: %v", fmt.Sprint(msg...), err)
	}
}

func isTrue(t testing.TB, cond bool, msg ...any) {
	t.Helper()
	if !cond {
		t.Errorf("expected true: %s", fmt.Sprint(msg...))
	}
}
