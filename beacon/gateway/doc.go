// Package gateway decodes what widely used open BLE-to-MQTT gateway firmware
// publishes into beacon.Advertisements and beacon.Sightings, so that a store
// full of ESP32 bridges can feed a beacon.Tracker.
//
// The name: "gateway" is the BLE-to-MQTT bridge (an ESP32 or a Raspberry Pi
// running that firmware), and this package reads its firmware's payloads.
// It is not a network or API gateway, and not examples/gateway (a store's
// gateway service, which uses this package). It delivers nothing: pair it
// with mqtttransport.NewSource, whose MessageHandler calls the parsers here.
//
// Two formats are supported, in the shapes current firmware publishes with
// its default settings and documented options (testdata/README.md names
// the sources and versions):
//
//   - OpenMQTTGateway and Theengs Gateway ("BTtoMQTT"): one JSON object per
//     advertisement, published to <base>/<gateway>/BTtoMQTT/<MAC> (or
//     <base>/<gateway>/BTtoMQTT/<iBeacon UUID> with pubBeaconUuidForTopic,
//     and to the presence topics), with the device address ("id"; the
//     iBeacon UUID with the address in "mac" under presenceUseBeaconUuid),
//     "rssi", optional "mac_type", "txpower", "name", "distance", and the
//     fields of the firmware's decoder ("brand", "model", "model_id",
//     "type", and for iBeacons "uuid", "major", "minor", "txpower"). By
//     default both firmwares strip the raw "manufacturerdata" and
//     "servicedata": ParseOpenMQTTGateway rebuilds the Advertisement from
//     the raw data when it is there, keeps the decoded iBeacon in Decoded,
//     and OpenMQTTGateway.Frame returns the beacon frame from the raw data
//     (which wins) or from the decoded fields (flagged
//     WarnDecodedIdentity). Decoded sensor readings are ignored.
//   - ESPresense: one JSON object per device and room, published to
//     espresense/devices/<id>/<room> (and, before 4.0, to
//     espresense/rooms/<room>), with "id" (e.g.
//     "iBeacon:<uuid>-<major>-<minor>", "irk:...", a MAC), "rssi" (two
//     decimals since 4.0), "rssi@1m", "distance" (already filtered by the
//     node), optional "mac" and "name". ParseESPresense turns it into a
//     Sighting whose Gateway and Room are the node's room. An id that is
//     not an iBeacon names a device: the Sighting's Subject is that id
//     with SubjectIsDevice set, so it leaves beacon.ZoneEvent.Event as a
//     keyed pseudonym (anonymousId), never as a userId.
//
// The parsers are pure functions: no goroutines, no clock (the caller passes
// the receive time), no allocation beyond the decoded bytes. Malformed JSON,
// bad hex, missing or out-of-range fields and topics that do not match the
// format get a *ParseError{Format, Field, Err} matchable with errors.Is
// (ErrMalformedJSON, ErrBadHex, ErrMissingField, ErrBadValue, ErrTopic).
// Nothing is guessed: a field that is present but wrong is an error, not a
// zero; what is accepted but odd (service data without its UUID from older
// firmware) is kept and reported in Warnings.
//
// GATT notifications: neither firmware publishes raw GATT notifications in
// these topics (both decode sensors themselves), so there is nothing to hand
// to the wearable decoders here; a gateway that forwards raw notifications
// should publish the characteristic value bytes and use the wearable package
// directly.
package gateway
