// Command touchpoint is the operator's tool for Touchpoint gateways and
// pipelines: it reads the formats the library writes and the messages its
// adapters decode, on the gateway's disk or at a terminal.
//
// Usage:
//
//	touchpoint <command> [flags] [arguments]
//
// The commands:
//
//	spool stat <dir>                  pending records, bytes, age and losses of a spool directory
//	spool ls <dir>                    its segment files, one line each
//	spool cat <dir>                   the records waiting in it (--reveal --payload: their Segment JSON)
//	spool verify <dir>                check every frame and segment; exit 1 on damage
//	spool replay --to URL <dir>       send the records to an HTTP endpoint (Segment, RudderStack,
//	                                  CloudEvents), acknowledging them; progress bar on a terminal
//	tcf decode <tc-string>            an IAB TCF v2.2/2.3 TC string, and the Touchpoint purposes it grants
//	beacon parse <hex>                a BLE advertisement: iBeacon, AltBeacon, Eddystone
//	gateway decode <topic> <payload>  an ESPresense or OpenMQTTGateway/Theengs MQTT message
//	identity explain --store DIR --secret-file FILE <type:value> [<type:value>]
//	                                  an identifier's profile, or why two identifiers are (not) one
//	plan validate <plan> <ndjson>     Segment events against a Segment, RudderStack or Iglu plan export
//	webhook decode <payload>          a Stripe, Square or Smartcar webhook body, and the event it becomes
//	activation check <definitions>    an activation definition file, as an Engine would load it, with
//	                                  the definition and field of what is wrong
//
// For example, on a gateway whose uplink was down:
//
//	touchpoint spool verify /var/lib/gateway/spool
//	touchpoint spool replay --to https://collector.example.com --write-key-file key /var/lib/gateway/spool
//	touchpoint spool cat --reveal --payload /var/lib/gateway/spool | touchpoint plan validate plan.json -
//
// Before marketing's edited definitions reach the gateways (which reload
// them with activation.Engine.ReloadFile):
//
//	touchpoint activation check definitions.json
//
// Every command takes --json (JSON instead of text; spool cat writes one
// object per line), --reveal (identifiers of people and devices in the
// clear) and --pseudonym-key FILE. By default identifiers — user and
// anonymous ids, profile ids, device ids and names, MAC addresses, beacon
// identities, plaintext identity values — are shown as
// connected.Pseudonymizer pseudonyms under a key that is random per run
// (give --pseudonym-key to match them across runs, or with an inspect
// page using the same key). Message ids and keyed hashes are shown as they
// are. Flags may come before or after the arguments; "-" as an input reads
// standard input. "touchpoint help <command>" shows a command's flags.
//
// The spool commands other than replay read the directory with
// spool.Inspect: no lock, no writes, and the report is what spool.Open
// would salvage, count as lost and repair. replay opens the spool as a
// gateway does (stop the gateway first) and drains it through
// transport.Retry into the HTTP sender; records lost to damage are in its
// salvage report.
//
// Exit codes:
//
//	0  success
//	1  bad input (a message, string or file that does not decode), or a check
//	   that failed: a damaged spool, plan violations, records not delivered,
//	   definitions that do not load
//	2  usage: unknown command, wrong arguments or flags
package main
