// Package home turns smart-home state into household touchpoints: Home
// Assistant state_changed events (websocket API and MQTT statestream) and
// Zigbee2MQTT device payloads become media sessions, thermostat set-points,
// appliance cycles, presence and device-state events.
//
// # Decoders
//
// DecodeWebSocket reads a websocket API event message, a Statestream
// assembles mqtt_statestream's one-topic-per-attribute messages into
// changes, and DecodeZigbee reads a Zigbee2MQTT <base>/<friendly name>
// payload; each yields a StateChange. They need only the standard library
// (and the repository's internal JSON reader), allocate only the strings
// they keep (measured decode costs, CPU time per payload, median of six
// on a shared two-core machine, December 2026: a websocket state_changed
// of 1.0 to 1.7 KB 1.6 to 2.5 µs pinned to one core at load average 4
// to 5, 2 to 16 % less than before its type strings stopped being
// copied and repeated times parsed, one allocation (the entity id); of
// that, validating the JSON is 1.0 µs on a quiet machine; a
// Zigbee2MQTT payload 0.25 to 0.5 µs; BenchmarkDecodeWebSocket,
// BenchmarkDecodeZigbee), and refuse malformed
// input with a *DecodeError that names the field and byte offset and
// matches a sentinel (ErrSyntax, ErrTruncated, ErrMissingField,
// ErrFieldType, ErrTooLarge, ErrTopic; ErrNotStateChange for well-formed
// messages of another kind, which callers skip and count). They keep only
// the attributes a State lists: media titles, friendly names, coordinates,
// addresses and user ids are read, validated and dropped.
//
// # Tracker
//
// A Tracker follows one household's devices and reports Occurrences:
//
//	Device State Changed       on/off, mode, open/closed, locked/unlocked
//	Presence Changed           people home/away (zone names coarsened), occupancy occupied/clear
//	Media Session Started      a media player started playing: content type, app
//	Media Session Ended        ... stopped: content type, app, duration
//	Climate Set Point Changed  target temperature, previous, unit, HVAC mode
//	Appliance Cycle Started    a configured appliance started a programme
//	Appliance Cycle Completed  ... finished it: duration, energy
//
// Appliance cycles come from a small per-device state machine over power
// readings (idle -> starting -> running <-> ending -> idle, see Appliance)
// or programme states. The Tracker is synchronous: time comes from the
// input (StateChange.Time, Advance's now), so a recorded stream replays to
// the same events. It is not safe for concurrent use; ignored changes
// (stale, unsupported, spikes, aborted cycles) are counted (Stats) and
// reported to Config.OnIgnored.
//
// # Events, household scope and sensitivity
//
// Occurrence.Event is the one place where occurrences become
// connected.Events (channel home). A household's devices are shared, so
// events are attributed to the household, not a person: anonymousId and
// context.groupId are the household's keyed pseudonym, and each device id
// is scoped by the household (the same entity id in two homes gives two
// unrelated pseudonyms) and leaves only as a pseudonym, both also listed
// in context.externalIds as household_id and home_device_id, which
// identity's built-in rules treat as household-scope identifiers (people
// linked to a household, never merged). Ids leave in the clear only with
// EventOptions.RawIDs.
//
// Presence at home reveals when a household is empty. Presence Changed and
// the state changes of people, presence and contact sensors and locks are
// connected.CategoryPresence: the consent router never delivers them to a
// marketing or advertising destination and requires the subject's
// location consent for them. Media sessions are
// connected.CategoryBehavioral and carry a coarse content type, never a
// title; the rest is connected.CategoryDevice.
package home
