package main

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/home"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/pos"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/spool"
	"github.com/touchpoint-sdk/touchpoint/vehicle"
)

// The pipeline, as a gateway or store back-end would build it:
//
//	client -> journal -> identity -> consent reader -> activation -> router
//	router -> analytics | marketing | wellness | advertising | store-staff | stylist
//	each destination -> Batcher -> spool (on disk) -> NDJSON file (swap in
//	transport.NewSegment or a Kafka/NATS sender to deliver for real)
//
// Secrets would come from your secret store; these are demo values.
var (
	hashKey  = []byte("storefront-demo-device-pseudonym-key")
	graphKey = []byte("storefront-demo-identity-graph-key")
	auditKey = []byte("storefront-demo-consent-audit-key")
)

// destinationSpec is one downstream system: what it is for, what it may
// receive, and what happens to an event it may not have.
type destinationSpec struct {
	name       string
	purpose    consent.Purpose
	categories []connected.Category
	onRefusal  consent.Action
	// addressedOnly: it takes only events addressed to it by name in
	// integrations (the staff app wants pick-list requests, not the
	// shopping stream).
	addressedOnly bool
}

var destinationSpecs = []destinationSpec{
	// Analytics takes presence at home too (with location consent, like
	// location data); marketing and advertising never can.
	{"analytics", consent.PurposeAnalytics, []connected.Category{connected.CategoryBehavioral, connected.CategoryTransaction,
		connected.CategoryLocation, connected.CategoryIdentity, connected.CategoryDevice, connected.CategoryPresence}, consent.Strip, false},
	{"marketing", consent.PurposeMarketing, []connected.Category{connected.CategoryBehavioral, connected.CategoryTransaction,
		connected.CategoryLocation}, consent.Drop, false},
	{"wellness", consent.PurposeHealth, []connected.Category{connected.CategoryHealth, connected.CategoryDevice}, consent.Drop, false},
	{"advertising", consent.PurposeAdvertising, []connected.Category{connected.CategoryBehavioral, connected.CategoryTransaction}, consent.Drop, false},
	// The staff's pick-list app: it takes only the events addressed to it
	// (integrations), for the fulfilment of orders.
	{"store-staff", purposeFulfilment, []connected.Category{connected.CategoryBehavioral}, consent.Drop, true},
	// The stylist's app: AR try-ons (biometric) and the offers they lead
	// to, under the attention purpose only.
	stylistSpec,
}

// destination is a destination's batcher and file, and what reached it.
type destination struct {
	spec    destinationSpec
	path    string
	batcher *transport.Batcher
	spool   *spool.Spool
	mu      sync.Mutex
	got     map[string]bool // messageIds received (stripped copies included)
}

// Handle records the id and passes the record to the batcher. Like a
// Segment destination it honours the event's integrations object: an
// event addressed to named destinations only ({"All": false, "x": true})
// goes nowhere else.
func (d *destination) Handle(ctx context.Context, r *connected.Record) error {
	if !addressed(r, d.spec.name, d.spec.addressedOnly) {
		return nil
	}
	d.mu.Lock()
	d.got[r.ID] = true
	d.mu.Unlock()
	return d.batcher.Handle(ctx, r)
}

func addressed(r *connected.Record, name string, only bool) bool {
	if r.Event == nil || r.Event.Integrations == nil {
		return !only
	}
	in := r.Event.Integrations
	if v, ok := in[name].(bool); ok {
		return v
	}
	all, ok := in["All"].(bool)
	return !only && (!ok || all)
}

// Flush and Shutdown pass through to the batcher: the router owns its
// destinations' handlers and shuts them down with itself.
func (d *destination) Flush(ctx context.Context) error    { return d.batcher.Flush(ctx) }
func (d *destination) Shutdown(ctx context.Context) error { return d.batcher.Shutdown(ctx) }

// pipeline holds every component; the simulation drives it.
type pipeline struct {
	client  *connected.Client
	graph   *identity.Graph
	ledger  *consent.Ledger
	router  *consent.Router
	tracker *beacon.Tracker
	dests   []*destination
	facts   *destination // identity-link facts for the central graph
	journal *journal
	engine  *activation.Engine
	act     *activation.Middleware
	decided *decisions

	// The adapters beyond Bluetooth.
	pseudonyms *connected.Pseudonymizer // one key for every device, asset and payment pseudonym
	positions  *vehicle.PositionDecoder // the car's position stream
	cars       *vehicle.Tracker         // trips and ETAs to the store
	home       *home.Tracker            // the smart-TV household
}

func newPipeline(dir string, clock func() time.Time, j *journal) (*pipeline, error) {
	p := &pipeline{journal: j}
	var err error
	if p.ledger, err = consent.NewLedger(); err != nil {
		return nil, err
	}
	// Kiosks are shared devices: they never link the people who use them.
	// The till's customer id (a pseudonym) is a person's, like a loyalty
	// number. household_id, home_device_id and the car's pseudonymous VIN
	// are household-scope types built into identity.
	if p.graph, err = identity.New(graphKey,
		identity.WithRule(identity.TypeRule{Type: "kiosk_id", Scope: identity.ScopeSharedDevice, Priority: 900}),
		identity.WithRule(identity.TypeRule{Type: identity.Type(pos.IDCustomer), Scope: identity.ScopePerson, Priority: 5, Limit: 1, MaxPeople: 1}),
	); err != nil {
		return nil, err
	}
	if p.pseudonyms, err = connected.NewPseudonymizer(hashKey); err != nil {
		return nil, err
	}
	p.positions = vehicle.NewPositionDecoder(vehicle.KilometersPerHour)
	if p.cars, err = vehicle.NewTracker(carPlaces()); err != nil {
		return nil, err
	}
	if p.home, err = newHomeTracker(); err != nil {
		return nil, err
	}
	var routes []consent.Destination
	for _, spec := range destinationSpecs {
		d, err := newDestination(dir, spec)
		if err != nil {
			return nil, err
		}
		p.dests = append(p.dests, d)
		routes = append(routes, consent.Destination{Name: spec.name, Purpose: spec.purpose,
			Categories: spec.categories, OnRefusal: spec.onRefusal, Handler: d})
	}
	if p.router, err = consent.NewRouter(p.ledger, auditKey, routes,
		consent.WithEventTimeClock(true), consent.WithAuditCapacity(4096)); err != nil {
		return nil, err
	}
	if p.facts, err = newDestination(dir, destinationSpec{name: "identity-facts"}); err != nil {
		return nil, err
	}
	stitch, err := identity.NewMiddleware(p.graph, identity.WithLinkFactHandler(p.facts),
		identity.WithSource("urn:touchpoint:"+placeID))
	if err != nil {
		return nil, err
	}
	reader, err := consent.NewSegmentReader(map[string]consent.Purpose{
		"Analytics": consent.PurposeAnalytics, "Marketing": consent.PurposeMarketing,
		"Advertising": consent.PurposeAdvertising, "Location": consent.PurposeLocation,
		"Health": consent.PurposeHealth,
	})
	if err != nil {
		return nil, err
	}
	// Activation after identity and the consent reader: every event feeds
	// traits, audiences and journeys only for the purposes the shopper had
	// consented to when it was collected; what it decides goes through the
	// router like any other event.
	if p.engine, err = newActivation(); err != nil {
		return nil, err
	}
	p.decided = &decisions{}
	if p.act, err = activation.NewMiddleware(p.engine, p.ledger, activation.WithGraph(p.graph),
		activation.WithDecisionHandler(p.decided.add)); err != nil {
		return nil, err
	}
	ids := 0
	p.client, err = connected.New(p.router,
		connected.WithClock(clock),
		connected.WithIDGenerator(func() string { ids++; return fmt.Sprintf("evt-%04d", ids) }),
		connected.WithLibrary("touchpoint-storefront", connected.Version),
		connected.WithPartitionKeySecret(graphKey),
		connected.WithMiddleware(j.middleware, stitch.Middleware(), reader.Middleware(p.ledger), p.act.Middleware()),
		serviceChannels,
	)
	if err != nil {
		return nil, err
	}
	if p.tracker, err = beacon.NewTracker(zones(), trackerOptions()...); err != nil {
		return nil, err
	}
	return p, nil
}

// newDestination builds Batcher -> spool -> file for one destination. The
// spool is the store-and-forward buffer: batches are on disk (fsynced) before
// the batcher counts them sent, and a drain goroutine hands them to the file
// sender; if the process stops, what was not yet written goes out on the next
// start. To deliver for real, replace the file with
// transport.NewRetry(transport.NewSegment(...)) or a broker sender.
func newDestination(dir string, spec destinationSpec) (*destination, error) {
	path := filepath.Join(dir, spec.name+".ndjson")
	file, err := transport.NewFile(path)
	if err != nil {
		return nil, err
	}
	sp, err := spool.Open(filepath.Join(dir, "spool", spec.name), file)
	if err != nil {
		return nil, err
	}
	b, err := transport.NewBatcher(sp, transport.WithMaxBatchEvents(50), transport.WithFlushInterval(time.Second))
	if err != nil {
		return nil, err
	}
	return &destination{spec: spec, path: path, batcher: b, spool: sp, got: map[string]bool{}}, nil
}

// drain stops accepting events and delivers everything to the files: the
// client shuts down the router, which shuts down the destinations it owns.
func (p *pipeline) drain(ctx context.Context) error {
	p.act.Shutdown(context.Background())
	err := p.client.Shutdown(ctx)
	if ferr := p.facts.Shutdown(ctx); err == nil {
		err = ferr
	}
	return err
}
