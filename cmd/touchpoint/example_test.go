package main

import (
	"fmt"
	"os"
	"strings"
)

// A gateway logged an advertisement as hex: what is it? (--reveal shows
// the beacon's identity instead of a pseudonym.)
func Example_beaconParse() {
	code := run([]string{"beacon", "parse", "--reveal", "02 01 06 1a ff 4c 00 02 15 e2c56db5dffb48d2b060d0f5a71096e0 0001 0007 c5"},
		nil, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// format         ibeacon
	// id             ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7
	// tx power       -59 dBm at 1 m
	// major          1
	// measuredPower  -59
	// minor          7
	// uuid           e2c56db5-dffb-48d2-b060-d0f5a71096e0
	// warnings       none
	// exit 0
}

// Events checked against a Segment Protocols plan export: one keeps it, one
// does not, and the exit code says so.
func Example_planValidate() {
	events := `{"type":"track","event":"Order Completed","messageId":"m-1","userId":"u-1","originalTimestamp":"2026-03-01T12:00:00.000Z","properties":{"order_id":"ord_0000beef","total":19.5}}
{"type":"track","event":"Order Completed","messageId":"m-2","userId":"u-1","originalTimestamp":"2026-03-01T12:01:00.000Z","properties":{"order_id":"ord_0000beef","total":-1}}
`
	code := run([]string{"plan", "validate", "testdata/plan_segment.json", "-"}, strings.NewReader(events), os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// line 2: track "Order Completed" (messageId m-2):
	//   Range: properties.total: is below the minimum 0
	// unnamed plan (segment): 2 events, 1 keep the plan, 1 do not
	// touchpoint plan validate: 1 of 2 events do not keep the plan
	// exit 1
}

// Bad input exits 1 with a message that says what and where.
func Example_tcfDecode() {
	code := run([]string{"tcf", "decode", "CQSbk4AQ+bk4"}, nil, os.Stdout, os.Stdout)
	fmt.Println("exit", code)
	// Output:
	// touchpoint tcf decode: tcf: not base64url: segment 0, bit 48: character '+' at index 8 of the string
	// exit 1
}
