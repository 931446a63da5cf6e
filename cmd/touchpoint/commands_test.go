package main

import (
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected/consent/tcf"
)

// script is one command line of the table test, in the manner of a
// testscript: arguments and standard input, the exit code, and what the
// output must be (a golden file) or hold.
type script struct {
	name   string
	args   []string
	stdin  string
	code   int
	golden string // testdata file the standard output must equal
	out    string // or a substring of the standard output
	err    string // a substring of the standard error
	never  string // must appear in neither output
}

func (s script) run(t *testing.T) {
	t.Helper()
	out, errOut, code := cli(t, s.stdin, s.args...)
	if code != s.code {
		t.Errorf("%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", s.name, code, s.code, out, errOut)
		return
	}
	if s.golden != "" {
		golden(t, s.golden, out)
	}
	if !strings.Contains(out, s.out) {
		t.Errorf("%s: stdout lacks %q:\n%s", s.name, s.out, out)
	}
	if !strings.Contains(errOut, s.err) {
		t.Errorf("%s: stderr lacks %q:\n%s", s.name, s.err, errOut)
	}
	if s.never != "" && (strings.Contains(out, s.never) || strings.Contains(errOut, s.never)) {
		t.Errorf("%s: output shows %q", s.name, s.never)
	}
}

func tcString(t *testing.T) string {
	t.Helper()
	day := time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)
	purposes, _ := tcf.FlagsOf(1, 2, 3, 4, 7, 8, 9, 10)
	li, _ := tcf.FlagsOf(2, 7)
	features, _ := tcf.FlagsOf(1)
	consents, _ := tcf.VendorsOf(1, 2, 3, 8, 755)
	vli, _ := tcf.VendorsOf(8)
	disclosed, _ := tcf.VendorsOf(1, 2, 3, 8, 755, 804)
	pubConsent, _ := tcf.FlagsOf(1, 10)
	s, err := tcf.Encode(&tcf.TCString{
		Created: day, LastUpdated: day, CMPID: 300, CMPVersion: 2, ConsentScreen: 1,
		ConsentLanguage: "EN", VendorListVersion: 180, PolicyVersion: 5, IsServiceSpecific: true,
		SpecialFeatureOptIns: features, PurposesConsent: purposes, PurposesLITransparency: li, PublisherCC: "DE",
		VendorConsents: consents, VendorLegitimateInterests: vli,
		PublisherRestrictions: []tcf.Restriction{{Purpose: 2, Type: tcf.RequireConsent, Vendors: []tcf.Range{{Start: 8, End: 8}}}},
		DisclosedVendors:      &disclosed,
		Publisher:             &tcf.PublisherTC{PurposesConsent: pubConsent},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func adHex(t *testing.T, f interface{ AppendAD([]byte) []byte }) string {
	t.Helper()
	return hex.EncodeToString(f.AppendAD(nil))
}

func TestCommands(t *testing.T) {
	tc := tcString(t)
	uuid, err := beacon.ParseUUID("e2c56db5-dffb-48d2-b060-d0f5a71096e0")
	if err != nil {
		t.Fatal(err)
	}
	ib := adHex(t, beacon.IBeacon{UUID: uuid, Major: 1, Minor: 7, MeasuredPower: -59})
	tlm := adHex(t, beacon.EddystoneTLM{VBatt: 2950, Temp: 23<<8 | 0x80, AdvCount: 1234, SecCount: 36000})
	uid := beacon.EddystoneUID{TxPower: -20, Namespace: [10]byte{0xed, 0xd1, 0xeb, 0xea, 0xc0, 0x4e, 0x5d, 0xef, 0xa0, 0x17}, Instance: [6]byte{0, 0, 0, 0, 0, 0x0c}}
	uidService := hex.EncodeToString(uid.AppendServiceData(nil))
	espTopic := "espresense/devices/irk:0f1e2d3c4b5a69788796a5b4c3d2e1f0/shoes"
	espPayload := `{"mac":"4c1d2e3f4a5b","id":"irk:0f1e2d3c4b5a69788796a5b4c3d2e1f0","name":"Ana's phone","rssi@1m":-65,"rssi":-78.25,"distance":3.4}`
	omgTopic := "home/store12_gw3/BTtoMQTT/C1D2E3F4A5B6"
	omgPayload := `{"id":"C1:D2:E3:F4:A5:B6","rssi":-71,"brand":"GENERIC","model":"iBeacon","model_id":"IBEACON","type":"BCON","mfid":"4c00","uuid":"e2c56db5dffb48d2b060d0f5a71096e0","major":1,"minor":7,"txpower":-59}`
	at := "--time=2026-03-01T12:00:00Z"

	for _, s := range []script{
		{name: "tcf text", args: []string{"tcf", "decode", tc, "--vendor", "755"}, golden: "tcf.txt"},
		{name: "tcf json", args: []string{"tcf", "decode", "--json", tc}, golden: "tcf.json"},
		{name: "tcf stdin", args: []string{"tcf", "decode", "-"}, stdin: tc + "\n", out: "cmp                    id 300"},
		{name: "tcf bad", args: []string{"tcf", "decode", "CQSbk4AQ+bk4"}, code: exitFail, err: "segment 0, bit 48"},
		{name: "tcf old policy", args: []string{"tcf", "decode", "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA"},
			code: exitFail, err: "TcfPolicyVersion"},
		{name: "tcf archived", args: []string{"tcf", "decode", "--min-policy-version=2", "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA"},
			out: "id 880"},

		{name: "beacon ibeacon", args: []string{"beacon", "parse", ib}, golden: "beacon_ibeacon.txt", never: "e2c56db5"},
		{name: "beacon ibeacon json", args: []string{"beacon", "parse", "--json", ib}, golden: "beacon_ibeacon.json", never: "e2c56db5"},
		{name: "beacon ibeacon reveal", args: []string{"beacon", "parse", "--reveal", ib}, golden: "beacon_ibeacon_reveal.txt"},
		{name: "beacon spaced hex", args: []string{"beacon", "parse", ib[:10], ib[10:20] + ":" + ib[20:], "--reveal"}, out: "ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7"},
		{name: "beacon tlm", args: []string{"beacon", "parse", tlm}, golden: "beacon_tlm.txt"},
		{name: "beacon eddystone", args: []string{"beacon", "parse", "--as", "eddystone", "--reveal", uidService}, out: "edd1ebeac04e5defa017"},
		{name: "beacon truncated", args: []string{"beacon", "parse", ib[:len(ib)-4]}, code: exitFail, err: "beacon: ad at offset"},
		{name: "beacon bad hex", args: []string{"beacon", "parse", "02010g"}, code: exitFail, err: "bad hex: 'g' at character 5"},
		{name: "beacon odd hex", args: []string{"beacon", "parse", "020"}, code: exitFail, err: "odd number of digits"},
		{name: "beacon not a beacon", args: []string{"beacon", "parse", "020106"}, code: exitFail, err: "beacon"},
		{name: "beacon bad --as", args: []string{"beacon", "parse", "--as", "gatt", "020106"}, code: exitUsage, err: `--as "gatt"`},

		{name: "gateway espresense", args: []string{"gateway", "decode", espTopic, espPayload, at}, golden: "gateway_espresense.txt", never: "0f1e2d3c"},
		{name: "gateway espresense json", args: []string{"gateway", "decode", "--json", espTopic, espPayload, at}, golden: "gateway_espresense.json", never: "Ana's"},
		{name: "gateway espresense reveal", args: []string{"gateway", "decode", "--reveal", espTopic, espPayload, at}, out: "irk:0f1e2d3c4b5a69788796a5b4c3d2e1f0"},
		{name: "gateway omg", args: []string{"gateway", "decode", omgTopic, "-", at}, stdin: omgPayload, golden: "gateway_omg.txt", never: "C1:D2"},
		{name: "gateway omg json", args: []string{"gateway", "decode", "--json", omgTopic, omgPayload, at}, golden: "gateway_omg.json", never: "C1:D2"},
		{name: "gateway bad json", args: []string{"gateway", "decode", espTopic, `{"id":`, at}, code: exitFail, err: "malformed JSON"},
		{name: "gateway missing rssi", args: []string{"gateway", "decode", espTopic, `{"id":"irk:0f1e2d3c4b5a69788796a5b4c3d2e1f0"}`, at}, code: exitFail, err: "missing field"},
		{name: "gateway unknown topic", args: []string{"gateway", "decode", "zigbee2mqtt/lamp", "{}"}, code: exitFail, err: "give --format"},
		{name: "gateway bad time", args: []string{"gateway", "decode", espTopic, espPayload, "--time", "noon"}, code: exitUsage, err: "RFC 3339"},

		{name: "plan segment", args: []string{"plan", "validate", "testdata/plan_segment.json", "testdata/events.ndjson"}, code: exitFail,
			golden: "plan_segment.txt", err: "3 of 5 events do not keep the plan", never: "ana@example.com"},
		{name: "plan segment json", args: []string{"plan", "validate", "--json", "testdata/plan_segment.json", "testdata/events.ndjson"}, code: exitFail,
			golden: "plan_segment.json", never: "ana@example.com"},
		{name: "plan rudderstack", args: []string{"plan", "validate", "testdata/plan_rudderstack.json", "-"}, stdin: firstLine(t, "testdata/events.ndjson"),
			out: `plan "Gateway plan" (rudderstack): 1 events, 1 keep the plan, 0 do not`},
		{name: "plan iglu dir", args: []string{"plan", "validate", "testdata/plan_iglu", "testdata/events_iglu.ndjson"}, code: exitFail, golden: "plan_iglu.txt"},
		{name: "plan iglu files", args: []string{"plan", "validate", "testdata/plan_iglu/zone_entered.json,testdata/plan_iglu/order_completed.json", "testdata/events_iglu.ndjson"},
			code: exitFail, out: "(iglu): 2 events, 1 keep the plan, 1 do not"},
		{name: "plan forced format", args: []string{"plan", "validate", "--format", "rudderstack", "testdata/plan_segment.json", "testdata/events.ndjson"},
			code: exitFail, err: "rudderstack"},
		{name: "plan not a plan", args: []string{"plan", "validate", "testdata/events_iglu.ndjson", "testdata/events.ndjson"}, code: exitFail, err: "give --format"},
		{name: "plan missing file", args: []string{"plan", "validate", "testdata/nope.json", "testdata/events.ndjson"}, code: exitFail, err: "no such file"},
		{name: "plan both stdin", args: []string{"plan", "validate", "-", "-"}, code: exitUsage, err: "cannot both be standard input"},

		{name: "webhook stripe", args: []string{"webhook", "decode", "testdata/webhook_stripe.json"}, golden: "webhook_stripe.txt", never: "GOLD-7712"},
		{name: "webhook stripe customer", args: []string{"webhook", "decode", "testdata/webhook_stripe.json"}, never: "cus_RZk3kL0p2Qw9Tn"},
		{name: "webhook square json", args: []string{"webhook", "decode", "--json", "-"}, stdin: readFile(t, "testdata/webhook_square.json"), golden: "webhook_square.json"},
		{name: "webhook square order", args: []string{"webhook", "decode", "testdata/webhook_square_order.json"}, out: "emits nothing: pos: order.updated: thin notification"},
		{name: "webhook smartcar", args: []string{"webhook", "decode", "testdata/webhook_smartcar.json"}, golden: "webhook_smartcar.txt",
			never: "9af13248-3b73-4c9d-9a4b-d937ce6bc8e2"},
		{name: "webhook smartcar reveal", args: []string{"webhook", "decode", "--reveal", "testdata/webhook_smartcar.json"}, out: "vehicle 9af13248-3b73-4c9d-9a4b-d937ce6bc8e2"},
		{name: "webhook bad amount", args: []string{"webhook", "decode", "-"}, code: exitFail,
			stdin: `{"id":"evt_1","object":"event","type":"charge.succeeded","data":{"object":{"object":"charge","amount":-5}}}`, err: "data.object.amount: offset 102"},
		{name: "webhook unknown body", args: []string{"webhook", "decode", "-"}, stdin: `{"hello":1}`, code: exitFail, err: "give --format"},
		{name: "webhook forced format", args: []string{"webhook", "decode", "--format", "square", "testdata/webhook_smartcar.json"}, code: exitFail, err: "pos: square"},
		{name: "webhook bad format", args: []string{"webhook", "decode", "--format", "paypal", "-"}, stdin: "{}", code: exitUsage, err: "want auto, stripe, square or smartcar"},

		{name: "activation check", args: []string{"activation", "check", "testdata/activation_store.json"}, golden: "activation_store.txt"},
		{name: "activation check json", args: []string{"activation", "check", "--json", "testdata/activation_store.json"}, golden: "activation_store.json"},
		{name: "activation check typo", args: []string{"activation", "check", "testdata/activation_typo.json"}, code: exitFail,
			out: "journey pickup_prepare: trigger.evnt: unknown field", err: "does not load"},
		{name: "activation check typo json", args: []string{"activation", "check", "--json", "-"}, stdin: readFile(t, "testdata/activation_typo.json"), code: exitFail,
			out: `"field": "trigger.evnt"`},
		{name: "activation check unknown audience", args: []string{"activation", "check", "-"}, code: exitFail,
			stdin: `{"version":1,"journeys":[{"key":"j","trigger":{"event":"X"},"when":{"audience":"nope"},"action":{"emit":"Y"}}]}`,
			out:   `journey j: when.audience: "nope" is not a defined audience`},
		{name: "activation check not json", args: []string{"activation", "check", "-"}, stdin: "traits:\n", code: exitFail, out: "defs: file"},
		{name: "activation check missing file", args: []string{"activation", "check", "testdata/nope.json"}, code: exitFail, err: "no such file"},

		{name: "help", args: []string{"help"}, golden: "help.txt"},
		{name: "help command", args: []string{"help", "spool", "replay"}, out: "-write-key-file file"},
		{name: "help group", args: []string{"help", "spool"}, out: "spool verify <dir>"},
		{name: "command -h", args: []string{"tcf", "decode", "-h"}, out: "usage: touchpoint tcf decode [flags] <tc-string>"},
		{name: "help unknown", args: []string{"help", "frob"}, code: exitUsage, err: `no command "frob"`},
		{name: "unknown command", args: []string{"frob"}, code: exitUsage, err: `unknown command "frob"`},
		{name: "missing subcommand", args: []string{"tcf"}, code: exitUsage, err: "tcf decode <tc-string>"},
		{name: "bad key file", args: []string{"tcf", "decode", tc, "--pseudonym-key", "testdata/nope"}, code: exitUsage, err: "--pseudonym-key"},
		{name: "-- ends flags", args: []string{"beacon", "parse", "--", "--json"}, code: exitFail, err: "bad hex"},
	} {
		t.Run(s.name, s.run)
	}
}

func TestNoArguments(t *testing.T) {
	out, errOut, code := cli(t, "")
	if code != exitUsage || out != "" || !strings.Contains(errOut, "Exit codes:") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestEveryCommandHasHelp: every command's help names its arguments, its
// own flags and the common ones, and every command is in the overview.
func TestEveryCommandHasHelp(t *testing.T) {
	overview, _, _ := cli(t, "", "help")
	for _, c := range commands {
		out, _, code := cli(t, "", append([]string{"help"}, strings.Fields(c.name)...)...)
		if code != 0 || !strings.Contains(out, "usage: touchpoint "+c.name) || !strings.Contains(out, "-json") ||
			!strings.Contains(out, "-reveal") || c.details == "" {
			t.Errorf("help %s: exit %d\n%s", c.name, code, out)
		}
		if !strings.Contains(overview, c.name+" "+c.args) {
			t.Errorf("overview lacks %s", c.name)
		}
	}
}

func firstLine(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return line + "\n"
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
