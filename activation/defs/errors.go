package defs

import (
	"errors"
	"fmt"
)

// Sentinels matched by errors.Is on an *Error.
var (
	// ErrSyntax: the file is not JSON of the expected shape.
	ErrSyntax = errors.New("defs: syntax")
	// ErrRequired: a required field is missing.
	ErrRequired = errors.New("defs: required field missing")
	// ErrInvalid: a field has a value that is not allowed.
	ErrInvalid = errors.New("defs: invalid value")
	// ErrUnknownField: a field this format does not have (often a typo).
	ErrUnknownField = errors.New("defs: unknown field")
	// ErrDuplicate: two definitions of one kind share a key.
	ErrDuplicate = errors.New("defs: duplicate key")
	// ErrReference: a reference to a trait or audience that is not defined,
	// or a cycle of audiences; activation.New and Engine.Reload also use it
	// for a journey action's handler that the engine has not registered.
	ErrReference = errors.New("defs: unknown reference")
	// ErrVersion: the file's version is not FormatVersion.
	ErrVersion = errors.New("defs: unsupported version")
)

// Error says which definition and which field is wrong. Kind is "trait",
// "audience", "journey" or "file"; Key is the definition's key (or
// "#<index>" when it has none); Field is a JSON path inside it.
type Error struct {
	Kind   string
	Key    string
	Field  string
	Reason string
	Err    error // one of the sentinels
}

func (e *Error) Error() string {
	where := e.Kind
	if e.Key != "" {
		where += " " + e.Key
	}
	if e.Field != "" {
		where += ": " + e.Field
	}
	return fmt.Sprintf("defs: %s: %s", where, e.Reason)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }
