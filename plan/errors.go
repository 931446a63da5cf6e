package plan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

var (
	// ErrUnsupported is matched by every *UnsupportedError: the plan uses a
	// construct this package does not check.
	ErrUnsupported = errors.New("plan: unsupported construct")
	// ErrMalformed is matched by every *ImportError: an export is not the
	// JSON shape its format documents.
	ErrMalformed = errors.New("plan: malformed export")
	// ErrInvalidSpec is matched by every *SpecError: a Spec contradicts
	// itself (a duplicate event, a minimum above its maximum, ...).
	ErrInvalidSpec = errors.New("plan: invalid spec")
	// ErrViolation is matched by every *ViolationError: an event broke the
	// plan and was blocked.
	ErrViolation = errors.New("plan: event violates the tracking plan")
	// ErrAttach is matched by errors from Forward mode when violations
	// cannot be attached to an event (its context.protocols is not an
	// object); the record is not passed on.
	ErrAttach = errors.New("plan: cannot attach violations")
)

// UnsupportedError says which event of which plan uses which construct
// that this package cannot check, and where. Loading fails rather than
// checking less than the plan says. It matches ErrUnsupported.
type UnsupportedError struct {
	Format  string // "segment", "rudderstack", "iglu" or "spec" (a Go Spec)
	Event   string // the event (name, or type for identify/group rules), "" for the plan itself
	Path    string // JSON path of the construct inside the event's schema, e.g. "properties.properties.sku.allOf"
	Keyword string // the JSON Schema keyword, e.g. "allOf", "$ref", "pattern"
	Reason  string
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("plan: %s: event %q: %s: unsupported %q: %s", e.Format, e.Event, e.Path, e.Keyword, e.Reason)
}

// Is reports whether target is ErrUnsupported.
func (e *UnsupportedError) Is(target error) bool { return target == ErrUnsupported }

// ImportError says where an export is not the shape its format documents.
// It matches ErrMalformed and unwraps to the cause.
type ImportError struct {
	Format string // "segment", "rudderstack" or "iglu"
	Event  string // the event, "" when the problem is outside any event
	Path   string // JSON path, "" for the document
	Err    error
}

func (e *ImportError) Error() string {
	var b strings.Builder
	b.WriteString("plan: ")
	b.WriteString(e.Format)
	b.WriteString(": malformed export")
	if e.Event != "" {
		b.WriteString(": event ")
		b.WriteString(strconv.Quote(e.Event))
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Is reports whether target is ErrMalformed.
func (e *ImportError) Is(target error) bool { return target == ErrMalformed }

// Unwrap returns the cause.
func (e *ImportError) Unwrap() error { return e.Err }

// SpecError says which rule of a Spec is inconsistent. It matches
// ErrInvalidSpec.
type SpecError struct {
	Event  string // the event
	Field  string // the property path, e.g. "properties.price"
	Reason string
}

func (e *SpecError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("plan: invalid spec: event %q: %s", e.Event, e.Reason)
	}
	return fmt.Sprintf("plan: invalid spec: event %q: %s: %s", e.Event, e.Field, e.Reason)
}

// Is reports whether target is ErrInvalidSpec.
func (e *SpecError) Is(target error) bool { return target == ErrInvalidSpec }

// ViolationError is returned by the Block mode of Middleware for an event
// that broke the plan; the event was not passed on. It matches
// ErrViolation. Violations is the error's own copy.
type ViolationError struct {
	MessageID  string // the event's messageId
	Event      string // the event name (or type)
	Violations []Violation
}

func (e *ViolationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "plan: event %q (%s) blocked: %d violation(s)", e.Event, e.MessageID, len(e.Violations))
	for i, v := range e.Violations {
		if i == 3 {
			fmt.Fprintf(&b, "; ...")
			break
		}
		b.WriteString("; ")
		b.WriteString(v.String())
	}
	return b.String()
}

// Is reports whether target is ErrViolation.
func (e *ViolationError) Is(target error) bool { return target == ErrViolation }
