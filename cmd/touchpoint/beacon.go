package main

import (
	"encoding/hex"
	"flag"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/touchpoint-sdk/touchpoint/beacon"
)

var beaconParse = &command{
	name: "beacon parse", args: "<hex>...", nargs: [2]int{1, -1},
	summary: "decode a BLE beacon advertisement (iBeacon, AltBeacon, Eddystone)",
	details: `Decodes the bytes given in hex (in one or several arguments; spaces, colons,
dashes and a 0x prefix are ignored; "-" reads them from standard input) with the beacon package's strict
parsers: --as ad (raw advertising data, AD structures, the default), mfg
(manufacturer data starting with the company id) or eddystone (the service
data after the 0xFEAA UUID). Prints the format, the beacon identity, the
calibrated 1 m power, the frame's fields and the warnings for accepted
oddities. Malformed data is reported with the format, byte offset and reason,
and exits 1.

The beacon identity (and the identity fields: UUID, major, minor, namespace,
instance, URL, EID) names a transmitter, which may be a customer's phone or
tag: it is shown as a pseudonym unless --reveal.`,
	define: func(fs *flag.FlagSet) func(*call, []string) error {
		as := fs.String("as", "ad", "what the bytes are: ad, mfg or eddystone")
		return func(c *call, args []string) error { return runBeaconParse(c, strings.Join(args, " "), *as) }
	},
}

// parseHex decodes hex, ignoring separators.
func parseHex(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	clean := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch ch := s[i]; {
		case ch == ' ' || ch == ':' || ch == '-' || ch == '\t' || ch == '\n' || ch == '\r':
		case '0' <= ch && ch <= '9' || 'a' <= ch && ch <= 'f' || 'A' <= ch && ch <= 'F':
			clean = append(clean, ch)
		default:
			return nil, fmt.Errorf("bad hex: %q at character %d", ch, i)
		}
	}
	if len(clean) == 0 {
		return nil, fmt.Errorf("bad hex: no bytes")
	}
	if len(clean)%2 != 0 {
		return nil, fmt.Errorf("bad hex: odd number of digits (%d)", len(clean))
	}
	return hex.DecodeString(string(clean))
}

type frameView struct {
	Format    string         `json:"format"`
	ID        string         `json:"id,omitempty"`
	TxPower1m *int           `json:"txPower1m,omitempty"` // dBm
	Warnings  []string       `json:"warnings"`
	Container []string       `json:"containerWarnings,omitempty"`
	Fields    map[string]any `json:"fields"`
}

func warnings(w beacon.Warnings) []string {
	if w == 0 {
		return []string{}
	}
	return strings.Split(w.String(), "|")
}

// frameOf describes f; identity fields go through the namer.
func (n namer) frameOf(f *beacon.Frame) frameView {
	v := frameView{Format: f.Format.String(), Warnings: warnings(f.Warnings()), Fields: map[string]any{}}
	if f.Container != 0 {
		v.Container = warnings(f.Container)
	}
	if id, ok := f.ID(); ok {
		v.ID = n.id(id.String())
	}
	if p, ok := f.TxPower1m(); ok {
		v.TxPower1m = &p
	}
	idField := func(k, val string) {
		if n.reveal {
			v.Fields[k] = val
		}
	}
	switch f.Format {
	case beacon.FormatIBeacon:
		b := f.IBeacon
		idField("uuid", b.UUID.String())
		idField("major", strconv.Itoa(int(b.Major)))
		idField("minor", strconv.Itoa(int(b.Minor)))
		v.Fields["measuredPower"] = int(b.MeasuredPower)
		if b.HasVendorByte {
			v.Fields["vendorByte"] = fmt.Sprintf("0x%02x", b.VendorByte)
		}
	case beacon.FormatAltBeacon:
		b := f.AltBeacon
		idField("identifier", hex.EncodeToString(b.Identifier[:]))
		v.Fields["companyId"] = fmt.Sprintf("0x%04x", b.CompanyID)
		v.Fields["refRSSI"] = int(b.RefRSSI)
		if b.HasReserved {
			v.Fields["reserved"] = fmt.Sprintf("0x%02x", b.Reserved)
		}
	case beacon.FormatEddystoneUID:
		b := f.UID
		idField("namespace", hex.EncodeToString(b.Namespace[:]))
		idField("instance", hex.EncodeToString(b.Instance[:]))
		v.Fields["txPower0m"] = int(b.TxPower)
		if b.HasRFU {
			v.Fields["rfu"] = hex.EncodeToString(b.RFU[:])
		}
	case beacon.FormatEddystoneURL:
		idField("url", f.URL.String())
		v.Fields["txPower0m"] = int(f.URL.TxPower)
	case beacon.FormatEddystoneTLM:
		t := f.TLM
		if mv, ok := t.Battery(); ok {
			v.Fields["batteryMillivolts"] = mv
		}
		if c, ok := t.Temperature(); ok {
			v.Fields["temperatureCelsius"] = c
		}
		v.Fields["advCount"] = t.AdvCount
		v.Fields["uptime"] = t.Uptime().String()
	case beacon.FormatEddystoneETLM:
		t := f.ETLM
		v.Fields["etlm"] = hex.EncodeToString(t.ETLM[:])
		v.Fields["salt"] = fmt.Sprintf("0x%04x", t.Salt)
		v.Fields["mic"] = fmt.Sprintf("0x%04x", t.MIC)
	case beacon.FormatEddystoneEID:
		idField("eid", hex.EncodeToString(f.EID.EID[:]))
		v.Fields["txPower0m"] = int(f.EID.TxPower)
	}
	return v
}

// rows renders the frame as label/value rows.
func (v frameView) rows(prefix string) [][]string {
	rows := [][]string{{prefix + "format", v.Format}}
	if v.ID != "" {
		rows = append(rows, []string{prefix + "id", v.ID})
	}
	if v.TxPower1m != nil {
		rows = append(rows, []string{prefix + "tx power", fmt.Sprintf("%d dBm at 1 m", *v.TxPower1m)})
	}
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		rows = append(rows, []string{prefix + k, fmt.Sprint(v.Fields[k])})
	}
	w := "none"
	if len(v.Warnings) > 0 {
		w = strings.Join(v.Warnings, ", ")
	}
	rows = append(rows, []string{prefix + "warnings", w})
	if len(v.Container) > 0 {
		rows = append(rows, []string{prefix + "container warnings", strings.Join(v.Container, ", ")})
	}
	return rows
}

func runBeaconParse(c *call, arg, as string) error {
	if arg == "-" {
		b, err := c.readInput("-", 1<<16)
		if err != nil {
			return err
		}
		arg = string(b)
	}
	var parse func([]byte) (beacon.Frame, error)
	switch as {
	case "ad":
		parse = beacon.ParseAD
	case "mfg":
		parse = beacon.ParseManufacturerData
	case "eddystone":
		parse = beacon.ParseEddystone
	default:
		return usagef("--as %q: want ad, mfg or eddystone", as)
	}
	data, err := parseHex(arg)
	if err != nil {
		return err
	}
	f, err := parse(data)
	if err != nil {
		return err
	}
	v := c.names.frameOf(&f)
	if c.json {
		return writeJSON(c.stdout, v)
	}
	return table(c.stdout, v.rows(""))
}
