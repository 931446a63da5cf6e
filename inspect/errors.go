package inspect

import (
	"errors"
	"strconv"
)

// ErrConfig is matched (errors.Is) by every *ConfigError.
var ErrConfig = errors.New("inspect: invalid configuration")

// ErrUnauthenticated may be returned (or wrapped) by an authorisation hook
// to say that the request carries no credentials at all: the Handler then
// answers 401 Unauthorized instead of 403 Forbidden. Any other non-nil
// error answers 403.
var ErrUnauthenticated = errors.New("inspect: no credentials")

// ErrClosed is returned by Shutdown's callers' later requests: after
// Shutdown the Handler answers 503 Service Unavailable and streams end.
var ErrClosed = errors.New("inspect: handler shut down")

// ConfigError reports an option or argument New, NewTap or a Plan refused:
// which one, and why. It matches ErrConfig.
type ConfigError struct {
	Field  string // the option or field, e.g. "Authorize" or "Plan[0].Areas[2].W"
	Reason string // what is wrong with it
}

// Error says which field was refused and why.
func (e *ConfigError) Error() string {
	return "inspect: " + e.Field + " " + e.Reason
}

// Is reports whether target is ErrConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrConfig }

func fieldErr(field string, i int, sub, reason string) *ConfigError {
	f := field
	if i >= 0 {
		f += "[" + strconv.Itoa(i) + "]"
	}
	if sub != "" {
		f += "." + sub
	}
	return &ConfigError{Field: f, Reason: reason}
}
