// Package vehicle turns connected-car telematics into customer
// touchpoints: the family car started a trip, is 20 minutes from the
// store, 5 minutes, has arrived, has left.
//
// The package has three layers, each usable on its own:
//
//  1. Decoding. DecodeSmartcar reads Smartcar webhook deliveries (VERIFY,
//     VEHICLE_STATE, VEHICLE_ERROR, in every field variant Smartcar
//     documents) into a SmartcarEvent whose accessors give the position
//     (SmartcarEvent.Position), odometer in metres, state of charge and
//     charging state; VerifySmartcarSignature and
//     SmartcarChallengeResponse handle the SC-Signature header and the
//     VERIFY challenge; SmartcarDecoder decodes a stream of deliveries
//     without allocating, into an event valid until its next call.
//     PositionDecoder reads a generic position stream
//     (lat/lon/speed/heading/time as JSON, including gpsd TPV and
//     Traccar-shaped objects) into Positions in SI units; for known
//     vehicle ids it allocates nothing. Decoders are strict: malformed
//     JSON, wrong types, missing fields, out-of-range values and unknown
//     units get a *ParseError{Format, Field, Offset, Err} matchable with
//     errors.Is (ErrSyntax, ErrTruncated, ErrMissing, ErrType, ErrFormat,
//     ErrRange, ErrUnit, ErrUnknownEvent) and no partial value. Both read
//     JSON with the repository's one scanner (internal/jsonscan). Measured
//     decode costs (CPU time per payload, median of three runs
//     alternating with the previous version, pinned to one core of a
//     shared two-core machine, December 2026; BenchmarkSmartcarDecoder,
//     BenchmarkDecodeSmartcar, BenchmarkPositionDecoder): a position
//     message 0.3 µs, no allocation; a Smartcar VEHICLE_STATE with six
//     signals (1.9 KB compact, 3.1 KB as stored) 2.7 and 3.1 µs with a
//     warm SmartcarDecoder (2.9 and 3.3 before), no allocation, and 4.0
//     and 4.5 µs with DecodeSmartcar (4.6 and 4.9), three or four
//     allocations (the Signals slice, the arena of kept strings, the
//     Triggers: the difference is mostly the garbage collector's, its
//     write barriers included); with four signals 2.0 and 3.0 µs
//     respectively (2.2 and 3.2). The 2 µs target is not
//     met for six signals: validating the payload alone (jsonscan's Skip)
//     costs 1.2 µs compact and 1.7 µs as stored, and the decoder reads
//     its 200-odd keys and values one reader call each, which is three
//     quarters of its time (a profile of the SmartcarDecoder: Member for
//     the keys, Text and NumberParts for the values).
//
//  2. Trips and ETA. Tracker is a synchronous state machine over Places
//     (id, centre, arrival radius, ETA rings; validated, errors name the
//     place and the field). Per vehicle it detects trips (Trip Started,
//     Trip Ended when stopped or silent); per vehicle and place it runs
//     approaching -> arrived -> departed with an ETA from straight-line
//     distance × a documented road factor / recent speed, hysteresis
//     against jams, U-turns and GPS jitter, and a confidence (see
//     Tracker). Places are found through a uniform grid, not a scan.
//     Time comes only from the input (Observe, Advance); Snapshot and
//     Restore carry the state across a restart and the replay is exact.
//     Bad positions are refused with ErrInvalidPosition, ErrLate,
//     ErrDuplicate, ErrImplausible or ErrInvalidTime, and counted (Stats).
//
//  3. Events. TripEvent.Event (event.go) maps events to connected track
//     events: Trip Started, Vehicle Approaching (eta_minutes, place_id,
//     confidence, ring_minutes), Vehicle Arrived, Vehicle Departed,
//     Vehicle Approach Ended, Trip Ended; category location (consent
//     routing treats them as location data), channel vehicle. A vehicle
//     is a household's identifier, not a person's: its id (a VIN, a
//     Smartcar vehicle id) leaves only as a keyed pseudonym
//     (connected.Pseudonymizer) unless EventOptions.RawVehicleIDs is set,
//     and it is offered to identity as a household-scope "vin" (the
//     pseudonym as context.device.id, type "vehicle"; see IdentifierType):
//     the family car links the people who drive it without merging them.
//     Coordinates are left out unless EventOptions.Coordinates is set.
//
// Concurrency: DecodeSmartcar and ParsePosition are safe for concurrent
// use; a SmartcarDecoder, a PositionDecoder or a Tracker is not (use one
// per goroutine, or guard it). Nothing in the package starts goroutines, reads the clock or
// the environment.
//
// Ownership: decoders do not retain their input; a SmartcarEvent,
// Position or TripEvent holds no reference into it or into a Tracker. The
// exception is SmartcarDecoder.Decode, whose event aliases the input and
// the decoder's buffers until the next call (see SmartcarDecoder).
package vehicle
