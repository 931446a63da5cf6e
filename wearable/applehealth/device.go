package applehealth

import (
	"strings"

	"github.com/touchpoint-sdk/touchpoint/wearable"
)

// parseDevice reads the stringified HKDevice of a record, e.g.
//
//	<<HKDevice: 0x283e0c7d0>, name:Apple Watch, manufacturer:Apple Inc., model:Watch, hardware:Watch6,1, software:9.0>
//
// The object address is dropped: it changes between exports. Values may
// contain commas (hardware:Watch6,1), so fields are split on ", key:".
func parseDevice(s string) wearable.Device {
	var d wearable.Device
	if s == "" {
		return d
	}
	i := strings.Index(s, ">, ")
	if i < 0 {
		return d
	}
	rest := strings.TrimSuffix(s[i+3:], ">")
	for rest != "" {
		k, v, ok := strings.Cut(rest, ":")
		if !ok {
			break
		}
		next := nextField(v)
		val := v
		if next >= 0 {
			val, rest = v[:next], v[next+2:]
		} else {
			rest = ""
		}
		switch k {
		case "name":
			d.Name = val
		case "manufacturer":
			d.Manufacturer = val
		case "model":
			d.Model = val
		case "software":
			d.Firmware = val
		}
	}
	switch {
	case strings.Contains(d.Model, "Watch"):
		d.Type = wearable.DeviceWatch
	case strings.Contains(d.Model, "iPhone"):
		d.Type = wearable.DevicePhone
	case d.Model != "" || d.Name != "":
		d.Type = wearable.DeviceUnknown
	}
	return d
}

// nextField returns the index of the ", " that starts the next "key:"
// field in v, or -1.
func nextField(v string) int {
	for i := 0; i+2 < len(v); i++ {
		if v[i] != ',' || v[i+1] != ' ' {
			continue
		}
		j := i + 2
		for j < len(v) && (v[j] >= 'a' && v[j] <= 'z' || v[j] >= 'A' && v[j] <= 'Z') {
			j++
		}
		if j < len(v) && j > i+2 && v[j] == ':' {
			return i
		}
	}
	return -1
}
