// Package beacon turns Bluetooth LE beacon advertisements into trustworthy
// zone presence: customer X entered the shoe department, stayed four
// minutes, left.
//
// The package has three layers, each usable on its own:
//
//  1. Parsing. Parse, ParseAD, ParseManufacturerData(Keyed) and
//     ParseServiceData accept every shape a Go BLE stack or gateway hands
//     over (raw AD structures with an optional scan response, manufacturer
//     data with or keyed by company id, service data keyed by 16- or
//     128-bit UUID; see Advertisement) and decode iBeacon, AltBeacon and
//     Eddystone UID, URL, TLM, encrypted TLM and EID into a Frame. Parsers
//     are strict: wrong lengths, reserved values, unknown frame types and
//     truncated data get a *ParseError{Format, Offset, Err} matchable with
//     errors.Is (ErrTruncated, ErrLength, ErrUnknownFormat, ErrReserved);
//     nothing is zero-padded and no partial value is returned. Oddities the
//     ecosystem tolerates (an AltBeacon without its reserved byte, an
//     Eddystone-UID without RFU) are accepted and reported in Warnings.
//     Advertisements without a beacon get ErrNotBeacon. Parsing a valid
//     frame allocates nothing. Every frame type has an encoder (AppendAD,
//     AppendManufacturerData, AppendServiceData) for building test
//     advertisements.
//
//  2. Distance and smoothing. PathLoss (log-distance) and CurveFitted
//     (android-beacon-library's model and coefficient table) estimate
//     metres from RSSI and the 1 m calibrated power (Frame.TxPower1m applies
//     the Eddystone 0 m -> 1 m correction); EstimateDistance adds an uncertainty
//     range; ProximityClassifier maps distance to immediate / near / far
//     with dead-bands. Kalman and EWMA smooth RSSI in floating point with
//     the real time between samples and reject outliers.
//
//  3. Presence. Tracker is a synchronous state machine fed Sightings (a
//     customer's phone reporting store beacons, or gateways hearing a
//     device). Zones are defined by beacon patterns with wildcards
//     (MatchIBeacon(uuid, Any, 7)), by gateway or by room. The Tracker
//     smooths every (observer, transmitter) link, applies per-gateway
//     calibration and per-beacon power overrides, fuses several gateways
//     (strongest or weighted, with an optional one-zone-per-subject
//     assignment), drops duplicates, tolerates clock skew between gateways
//     (WithMaxSkew; older sightings get ErrLate), and applies a hysteresis
//     band and a minimum hold time. It produces ZoneEvents: Entered (first
//     qualifying sample + MinHold), Dwelled (after a configurable time,
//     optionally repeated) and Exited (last in-band sample + ExitTimeout,
//     exactly), each with distance, uncertainty range, proximity class and
//     confidence. Time comes only from the input (Observe, Advance), so a
//     recorded stream replays to the same timeline. Subjects idle for longer
//     than every timeout are forgotten, so rotating addresses do not grow
//     memory; in steady state Observe allocates nothing. Snapshot and
//     Restore carry the presence state across a gateway restart.
//     TelemetryJoiner attaches Eddystone-TLM frames to their UID/URL beacon
//     by address within a time window. ZoneEvent.Event (event.go) maps
//     events to connected track events in the location category; device
//     identifiers (transmitter subjects, and subjects a gateway names with
//     Sighting.SubjectIsDevice) leave the package only as
//     connected.Pseudonym values under a caller-supplied key, unless the
//     caller sets EventOptions.RawDeviceIDs. Times are checked
//     (CheckTime): the zero time and instants outside MinTime..MaxTime are
//     refused with ErrInvalidTime rather than wrap int64 nanoseconds.
//
// Concurrency: parsers are pure functions, safe for concurrent use. A
// Tracker or TelemetryJoiner is not safe for concurrent use; feed each from
// one goroutine (or guard it). Nothing in the package starts goroutines,
// reads the clock or the environment.
//
// Ownership: an Advertisement aliases the caller's buffers; a Frame,
// Sighting or ZoneEvent does not.
package beacon
