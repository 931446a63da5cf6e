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
//     the Eddystone 0 m -> 1 m correction); Estimate adds an uncertainty
//     range; ProximityClassifier maps distance to immediate / near / far
//     with dead-bands. Kalman and EWMA smooth RSSI in floating point with
//     the real time between samples and reject outliers.
//
//  3. Presence. Tracker is a synchronous state machine fed Sightings. It
//     fuses several gateways, applies per-gateway calibration, a hysteresis
//     band and a minimum hold time, and produces ZoneEvents: Entered (at
//     first qualifying sample + hold), Dwelled (after a configurable time,
//     optionally repeated) and Exited (at last in-band sample + exit
//     timeout, exactly). Time comes only from the input, so a recorded
//     stream replays to the same timeline. Its state can be snapshotted and
//     restored. ZoneEvent.Event (event.go) maps events to connected.Event;
//     device addresses leave the package only as HMAC-SHA256 hashes under a
//     caller-supplied key.
//
// Concurrency: parsers are pure functions, safe for concurrent use. A
// Tracker or TelemetryJoiner is not safe for concurrent use; feed each from
// one goroutine (or guard it). Nothing in the package starts goroutines,
// reads the clock or the environment.
//
// Ownership: an Advertisement aliases the caller's buffers; a Frame,
// Sighting or ZoneEvent does not.
package beacon
