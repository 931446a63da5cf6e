package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/transport/natstransport"
)

// errHelp is returned by parseFlags for -h: usage was printed, exit 0.
var errHelp = flag.ErrHelp

// The sinks -deliver chooses from.
const (
	deliverFile  = "file"
	deliverHTTP  = "http"
	deliverKafka = "kafka"
	deliverNATS  = "nats"
)

// config is everything run needs. parseFlags fills it from the command line
// and the files it names; tests may adjust it before calling run.
type config struct {
	Broker   string   // MQTT broker URL
	ClientID string   // MQTT client id; "" for a random one
	Topics   []string // MQTT topic filters; the format is told by the topic (see ingest.go)

	Deliver     string   // deliverFile, deliverHTTP, deliverKafka or deliverNATS
	Out         string   // file: NDJSON path
	URL         string   // http: Segment-compatible collector base URL
	WriteKey    string   // http: write key
	Brokers     []string // kafka: seed brokers
	KafkaTopic  string   // kafka: topic
	NATS        string   // nats: server URL(s)
	NATSSubject string   // nats: subject template
	NATSStream  string   // nats: stream to create or update ("" leaves streams alone)
	SpoolDir    string   // "" disables the spool
	StateDir    string   // "" keeps consent and identity in memory only

	Place       string               // store id, context.location.place_id
	Zones       []zoneSpec           // from -zones, or defaultZones
	EnterRSSI   float64              // tracker default, dBm
	ExitTimeout time.Duration        // tracker default
	Dwell       time.Duration        // tracker default; 0 disables Zone Dwelled
	Consents    []consentEntry       // from -consent
	Purpose     consent.Purpose      // the sink's purpose
	Categories  []connected.Category // the data categories the sink takes
	LinkOptIn   bool                 // identity links only under a linking consent

	// The smart-home input (homein.go): base topics ("" disables each),
	// the household they belong to, and the statestream settle time.
	StatestreamBase string
	ZigbeeBase      string
	Household       string
	Settle          time.Duration

	WearableIdle    time.Duration // a GATT device silent this long is disconnected
	ShutdownTimeout time.Duration
	Secret          []byte // master secret; every key is derived from it (pipeline.go)
	RandomSecret    bool   // Secret was generated: pseudonyms change on restart

	logger *slog.Logger
	// Test hooks; nil in the program. onReady runs once the subscription is
	// up; onDone receives the final report.
	onReady func(*gateway)
	onDone  func(Report)
}

// parseFlags parses the command line and loads the files it names. It
// returns errHelp after printing usage for -h.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("gateway", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &config{}
	var topics, brokers, categories, zonesFile, consentFile, secretFile, purpose, linkConsent string
	var verbose bool
	fs.StringVar(&c.Broker, "broker", "mqtt://127.0.0.1:1883", "MQTT 5 broker `URL` the gateways publish to")
	fs.StringVar(&c.ClientID, "client-id", "", "MQTT client id (default: random)")
	fs.StringVar(&topics, "topics", "home/+/BTtoMQTT/#,espresense/devices/#,touchpoint/gatt/+",
		"comma-separated topic `filters`: OpenMQTTGateway (<base>/<gw>/BTtoMQTT/...), ESPresense (<prefix>/devices/<id>/<room>), raw GATT (<prefix>/gatt/<device>)")
	fs.StringVar(&c.Deliver, "deliver", deliverFile, "sink: file (local NDJSON), http (Segment-compatible), kafka or nats")
	fs.StringVar(&c.Out, "out", "gateway-events.ndjson", "file sink: `path` of the NDJSON file")
	fs.StringVar(&c.URL, "url", "", "http sink: collector base `URL` (POSTs to <URL>/v1/batch)")
	fs.StringVar(&c.WriteKey, "write-key", "", "http sink: write key")
	fs.StringVar(&brokers, "brokers", "", "kafka sink: comma-separated seed `brokers` (host:port)")
	fs.StringVar(&c.KafkaTopic, "kafka-topic", "touchpoint.events", "kafka sink: topic")
	fs.StringVar(&c.NATS, "nats", "", "nats sink: server `URL`")
	fs.StringVar(&c.NATSSubject, "nats-subject", natstransport.DefaultSubject, "nats sink: subject template")
	fs.StringVar(&c.NATSStream, "nats-stream", "", "nats sink: create or update this JetStream stream over the subjects (default: the stream must exist)")
	fs.StringVar(&c.SpoolDir, "spool", "", "`directory` of the durable spool (store-and-forward across outages and restarts); empty: no spool")
	fs.StringVar(&c.StateDir, "state", "", "`directory` of the durable consent ledger and identity graph (kept across restarts and crashes); empty: memory only")
	fs.StringVar(&c.Place, "place", "store-12", "store `id` (context.location.place_id)")
	fs.StringVar(&zonesFile, "zones", "", "zones JSON `file` (default: entrance, shoes, checkout; see README)")
	fs.Float64Var(&c.EnterRSSI, "enter-rssi", -80, "default enter threshold in `dBm` (exit: 10 dB lower)")
	fs.DurationVar(&c.ExitTimeout, "exit-timeout", 30*time.Second, "default time unheard before Zone Exited")
	fs.DurationVar(&c.Dwell, "dwell", 2*time.Minute, "default time inside before Zone Dwelled (0: never)")
	fs.StringVar(&consentFile, "consent", "", "consent JSON `file` (default: nobody consented, everything is refused)")
	fs.StringVar(&purpose, "purpose", string(consent.PurposeAnalytics), "the sink's consent purpose")
	fs.StringVar(&categories, "categories", "location,device,health,identity", "data categories the sink takes")
	fs.StringVar(&linkConsent, "link-consent", "opt-in", "identity linking: opt-in (only under a linking consent) or opt-out")
	fs.StringVar(&c.StatestreamBase, "ha-statestream", "", "Home Assistant mqtt_statestream base `topic` (e.g. homeassistant); empty: off")
	fs.StringVar(&c.ZigbeeBase, "zigbee2mqtt", "", "Zigbee2MQTT base `topic` (e.g. zigbee2mqtt); empty: off")
	fs.StringVar(&c.Household, "household", "", "the household `id` the smart-home devices belong to (required with -ha-statestream or -zigbee2mqtt; leaves only as a pseudonym)")
	fs.DurationVar(&c.Settle, "ha-settle", home.DefaultSettle, "how long after an entity's last statestream message its change is complete")
	fs.DurationVar(&c.WearableIdle, "wearable-idle", 2*time.Minute, "a GATT device silent this long is disconnected")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long shutdown may drain before leaving records in the spool")
	fs.StringVar(&secretFile, "secret-file", "", "`file` with the master secret (>= 16 bytes); default: a random one, so pseudonyms change on restart")
	fs.BoolVar(&verbose, "v", false, "log every refused message")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	c.Topics = splitList(topics)
	c.StatestreamBase = strings.TrimSuffix(c.StatestreamBase, "/")
	c.ZigbeeBase = strings.TrimSuffix(c.ZigbeeBase, "/")
	for _, base := range []string{c.StatestreamBase, c.ZigbeeBase} {
		if base != "" && !slices.Contains(c.Topics, base+"/#") {
			c.Topics = append(c.Topics, base+"/#")
		}
	}
	c.Brokers = splitList(brokers)
	c.Purpose = consent.Purpose(purpose)
	for _, s := range splitList(categories) {
		c.Categories = append(c.Categories, connected.Category(s))
	}
	switch linkConsent {
	case "opt-in":
		c.LinkOptIn = true
	case "opt-out":
	default:
		return nil, fmt.Errorf("-link-consent %q: want opt-in or opt-out", linkConsent)
	}
	level := slog.LevelInfo
	if verbose {
		level = slog.LevelDebug
	}
	c.logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	var err error
	if c.Zones, err = loadZones(zonesFile); err != nil {
		return nil, err
	}
	if c.Consents, err = loadConsent(consentFile); err != nil {
		return nil, err
	}
	if c.Secret, c.RandomSecret, err = loadSecret(secretFile); err != nil {
		return nil, err
	}
	return c, c.validate()
}

// validate checks what the constructors downstream would otherwise reject
// less clearly.
func (c *config) validate() error {
	switch c.Deliver {
	case deliverFile:
		if c.Out == "" {
			return errors.New("-deliver file needs -out")
		}
	case deliverHTTP:
		if c.URL == "" || c.WriteKey == "" {
			return errors.New("-deliver http needs -url and -write-key")
		}
	case deliverKafka:
		if len(c.Brokers) == 0 {
			return errors.New("-deliver kafka needs -brokers")
		}
	case deliverNATS:
		if c.NATS == "" {
			return errors.New("-deliver nats needs -nats")
		}
	default:
		return fmt.Errorf("-deliver %q: want file, http, kafka or nats", c.Deliver)
	}
	if len(c.Topics) == 0 {
		return errors.New("-topics is empty")
	}
	if c.Place == "" {
		return errors.New("-place is empty")
	}
	if !c.Purpose.Valid() {
		return fmt.Errorf("-purpose %q is not a consent purpose", c.Purpose)
	}
	if len(c.Categories) == 0 {
		return errors.New("-categories is empty")
	}
	for _, cat := range c.Categories {
		if cat == "" || !cat.Valid() {
			return fmt.Errorf("-categories: unknown data category %q", cat)
		}
	}
	if err := c.validateHome(); err != nil {
		return err
	}
	if c.WearableIdle <= 0 || c.ShutdownTimeout <= 0 {
		return errors.New("-wearable-idle and -shutdown-timeout must be > 0")
	}
	if len(c.Secret) < 16 {
		return fmt.Errorf("secret of %d bytes: need at least 16", len(c.Secret))
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// fileError says which file and which field of it is wrong.
type fileError struct {
	Path  string
	Field string // JSON path, "" for the file as a whole
	Err   error
}

func (e *fileError) Error() string {
	if e.Field == "" {
		return e.Path + ": " + e.Err.Error()
	}
	return e.Path + ": " + e.Field + ": " + e.Err.Error()
}

func (e *fileError) Unwrap() error { return e.Err }

// decodeFile strictly decodes one JSON document from path into v: unknown
// fields and trailing data are errors.
func decodeFile(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return &fileError{Path: path, Err: err}
	}
	if d.More() {
		return &fileError{Path: path, Err: errors.New("data after the JSON document")}
	}
	return nil
}

// duration is a time.Duration written as a Go duration string ("30s").
type duration time.Duration

func (d *duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a duration string like \"30s\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	*d = duration(v)
	return nil
}

// zoneSpec is one zone of the zones file. A sighting counts for the zone
// when its gateway (OpenMQTTGateway) or room (ESPresense) is listed, or its
// beacon is. Zero thresholds and durations take the flag defaults.
//
//	{"zones": [{"name": "shoes", "gateways": ["store12-gw-shoes"], "rooms": ["shoes"],
//	            "beacons": ["ibeacon:e2c56db5-dffb-48d2-b060-d0f5a71096e0:1:7"],
//	            "enter_rssi": -75, "exit_timeout": "20s", "dwell": "5m", "min_hold": "2s"}]}
type zoneSpec struct {
	Name        string   `json:"name"`
	Gateways    []string `json:"gateways,omitempty"`
	Rooms       []string `json:"rooms,omitempty"`
	Beacons     []string `json:"beacons,omitempty"`
	EnterRSSI   float64  `json:"enter_rssi,omitempty"`
	ExitTimeout duration `json:"exit_timeout,omitempty"`
	Dwell       duration `json:"dwell,omitempty"`
	MinHold     duration `json:"min_hold,omitempty"`
}

// defaultZones is the built-in store: one zone per gateway of the sample
// payloads (OpenMQTTGateway gateways store12-gw-<zone>, ESPresense rooms
// <zone>).
func defaultZones() []zoneSpec {
	var zs []zoneSpec
	for _, n := range []string{"entrance", "shoes", "checkout"} {
		zs = append(zs, zoneSpec{Name: n, Gateways: []string{"store12-gw-" + n}, Rooms: []string{n}})
	}
	return zs
}

// loadZones reads the zones file, or returns defaultZones for "".
func loadZones(path string) ([]zoneSpec, error) {
	if path == "" {
		return defaultZones(), nil
	}
	var f struct {
		Zones []zoneSpec `json:"zones"`
	}
	if err := decodeFile(path, &f); err != nil {
		return nil, fmt.Errorf("-zones: %w", err)
	}
	if len(f.Zones) == 0 {
		return nil, fmt.Errorf("-zones: %w", &fileError{Path: path, Field: "zones", Err: errors.New("no zones")})
	}
	for i, z := range f.Zones {
		for j, b := range z.Beacons {
			if _, err := beacon.ParseBeaconID(b); err != nil {
				return nil, fmt.Errorf("-zones: %w", &fileError{Path: path, Field: fmt.Sprintf("zones[%d].beacons[%d]", i, j), Err: err})
			}
		}
	}
	return f.Zones, nil
}

// trackerZones compiles the zone specs for beacon.NewTracker, at place.
func trackerZones(specs []zoneSpec, place string) []beacon.Zone {
	zones := make([]beacon.Zone, 0, len(specs))
	for _, s := range specs {
		z := beacon.Zone{Name: s.Name, Place: place, Gateways: s.Gateways, Rooms: s.Rooms,
			Config: beacon.ZoneConfig{EnterRSSI: s.EnterRSSI, ExitTimeout: time.Duration(s.ExitTimeout),
				Dwell: time.Duration(s.Dwell), MinHold: time.Duration(s.MinHold)}}
		for _, b := range s.Beacons {
			id, _ := beacon.ParseBeaconID(b) // checked by loadZones
			z.Beacons = append(z.Beacons, beacon.MatchID(id))
		}
		zones = append(zones, z)
	}
	return zones
}

// maxExitTimeout is the longest exit timeout of any zone: advancing the
// tracker that far past the last sighting closes every visit.
func (c *config) maxExitTimeout() time.Duration {
	m := c.ExitTimeout
	for _, z := range c.Zones {
		m = max(m, time.Duration(z.ExitTimeout))
	}
	return m
}

// loadSecret reads the master secret, or makes a random one for "".
func loadSecret(path string) (secret []byte, random bool, err error) {
	if path == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails (crypto/rand)
		return b, true, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false, fmt.Errorf("-secret-file: %w", err)
	}
	if len(b) < 16 {
		return nil, false, fmt.Errorf("-secret-file: %w", &fileError{Path: path, Err: fmt.Errorf("%d bytes: need at least 16 (head -c 32 /dev/urandom > %s)", len(b), path)})
	}
	return b, false, nil
}
