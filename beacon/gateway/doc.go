// Package gateway decodes what widely used open BLE-to-MQTT gateway firmware
// publishes into beacon.Advertisements and beacon.Sightings, so that a store
// full of ESP32 bridges can feed a beacon.Tracker.
//
// Two formats are supported:
//
//   - OpenMQTTGateway and Theengs Gateway ("BTtoMQTT"): one JSON object per
//     advertisement, published to <base>/<gateway>/BTtoMQTT[/<MAC>], with the
//     device address ("id"), "mac_type" (0 public, 1 random), "rssi",
//     optional "txpower", "name", "manufacturerdata" (hex, starting with the
//     little-endian company id) and "servicedata" (hex) with
//     "servicedatauuid" ("0xfeaa" or a 128-bit UUID). ParseOpenMQTTGateway
//     rebuilds the Advertisement, which beacon.Parse then decodes exactly like
//     a frame heard by a local radio. Fields the firmware decoded itself
//     (brand, model, temperature, ...) are ignored: Touchpoint decodes the raw
//     data and does not trust a second decoder.
//   - ESPresense: one JSON object per device and room, published to
//     espresense/devices/<id>/<room>, with "id" (e.g.
//     "iBeacon:<uuid>-<major>-<minor>", "irk:...", or a MAC), "rssi",
//     "rssi@1m", "distance" (already Kalman-filtered by the node), optional
//     "mac" and "name". ParseESPresense turns it into a Sighting whose
//     Gateway and Room are the node's room.
//
// The parsers are pure functions: no goroutines, no clock (the caller passes
// the receive time), no allocation beyond the decoded bytes. Malformed JSON,
// bad hex, missing or out-of-range fields and topics that do not match the
// format get a *ParseError{Format, Field, Err} matchable with errors.Is
// (ErrMalformedJSON, ErrBadHex, ErrMissingField, ErrBadValue, ErrTopic).
// Nothing is guessed: a field that is present but wrong is an error, not a
// zero.
//
// GATT notifications: neither firmware publishes raw GATT notifications in
// these topics (both decode sensors themselves), so there is nothing to hand
// to the wearable decoders here; a gateway that forwards raw notifications
// should publish the characteristic value bytes and use the wearable package
// directly.
package gateway
