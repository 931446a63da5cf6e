package activation

import (
	"errors"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

var eventPing = connected.Event{Type: connected.TypeTrack, Event: "Ping"}
