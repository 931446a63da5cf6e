package touchpoint

import (
	"errors"
	"fmt"
)

// ErrConfig matches every configuration error New returns (errors.Is):
// an invalid option, a missing secret, a duplicate destination name, or a
// lower layer refusing what it was given.
var ErrConfig = errors.New("touchpoint: invalid configuration")

// ConfigError says which option or destination of New is wrong and why.
// It matches ErrConfig, and Err (when set) through errors.Is and errors.As:
// a transport, spool or consent error keeps its own type.
type ConfigError struct {
	// Where names the option ("WithSecret") or the destination
	// (`destination "marketing"`).
	Where string
	// Reason says what is wrong, when Err does not.
	Reason string
	// Err is the lower layer's error, if one refused the configuration.
	Err error
}

// Error returns "touchpoint: <where>: <reason or Err>".
func (e *ConfigError) Error() string {
	if e.Err != nil && e.Reason != "" {
		return fmt.Sprintf("touchpoint: %s: %s: %v", e.Where, e.Reason, e.Err)
	}
	if e.Err != nil {
		return fmt.Sprintf("touchpoint: %s: %v", e.Where, e.Err)
	}
	return fmt.Sprintf("touchpoint: %s: %s", e.Where, e.Reason)
}

// Unwrap returns ErrConfig and Err, so that errors.Is matches both.
func (e *ConfigError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrConfig}
	}
	return []error{ErrConfig, e.Err}
}
