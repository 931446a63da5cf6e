package main

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/service"
)

// Demo keys. In production both come from a secret store, and every
// service that pseudonymises identifiers uses the same pseudonym key.
var (
	pseudonymKey = []byte("servicecard-demo-pseudonym-key-0123")
	identityKey  = []byte("servicecard-demo-identity-key-45678")
)

// profiles keeps every stitched record by profile: what a profile store
// behind the pipeline would hold.
type profiles struct {
	mu   sync.Mutex
	byID map[string][]*connected.Record
}

func (s *profiles) Handle(_ context.Context, r *connected.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.byID[r.ProfileID] = append(s.byID[r.ProfileID], r)
	return nil
}

func (s *profiles) records(id string) []*connected.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*connected.Record(nil), s.byID[id]...)
}

// world is the wired pipeline.
type world struct {
	client *connected.Client
	graph  *identity.Graph
	ledger *consent.Ledger
	store  *profiles
	ps     *connected.Pseudonymizer
}

func newWorld(now time.Time) (*world, error) {
	ps, err := connected.NewPseudonymizer(pseudonymKey)
	if err != nil {
		return nil, err
	}
	g, err := identity.New(identityKey)
	if err != nil {
		return nil, err
	}
	mw, err := identity.NewMiddleware(g, identity.WithoutLinkFacts())
	if err != nil {
		g.Shutdown(context.Background())
		return nil, err
	}
	l, err := consent.NewLedger()
	if err != nil {
		g.Shutdown(context.Background())
		return nil, err
	}
	store := &profiles{byID: map[string][]*connected.Record{}}
	c, err := connected.New(store,
		connected.WithChannels(service.Channels()...),
		connected.WithMiddleware(mw.Middleware()),
		connected.WithLibrary("servicecard", connected.Version),
		connected.WithClock(func() time.Time { return now }),
	)
	if err != nil {
		g.Shutdown(context.Background())
		return nil, err
	}
	return &world{client: c, graph: g, ledger: l, store: store, ps: ps}, nil
}

func (w *world) close(ctx context.Context) error {
	err := w.client.Shutdown(ctx)
	w.graph.Shutdown(context.Background())
	return err
}

// track emits ev (a track event unless its Type says otherwise), which
// must carry its messageId, and returns the profile
// identity stitched it to.
func (w *world) track(ctx context.Context, ev connected.Event) (string, error) {
	if ev.MessageID == "" {
		return "", fmt.Errorf("%s: no messageId", ev.Event)
	}
	if ev.Type == "" {
		ev.Type = connected.TypeTrack
	}
	if err := w.client.Emit(ctx, ev); err != nil {
		return "", fmt.Errorf("%s: %w", ev.Event, err)
	}
	w.store.mu.Lock()
	defer w.store.mu.Unlock()
	for id, rs := range w.store.byID {
		for _, r := range rs {
			if r.ID == ev.MessageID {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("%s: not recorded", ev.Event)
}

// run plays a customer's history through the pipeline, then a repair
// visit that knows only the heat pump's serial, and prints the card the
// technician's app shows.
func run(ctx context.Context, out io.Writer) error {
	now := time.Date(2026, 2, 10, 9, 41, 5, 0, time.UTC)
	w, err := newWorld(now)
	if err != nil {
		return err
	}
	defer w.close(ctx)
	if err := history(ctx, w); err != nil {
		return err
	}

	// The technician arrives. The field app knows the work order and the
	// asset on site, not who the customer is.
	arrival, err := service.Occurrence{
		Kind: service.KindTechnicianArrived, Time: now,
		WorkOrderID: "0WO5g000002AbCd", AppointmentID: "08p5g000001XyZ", Status: "In Progress",
		StatusCategory: service.StatusInProgress, TechnicianID: "tech-0077", Asset: heatPump,
	}.Event(service.Options{Pseudonymizer: w.ps})
	if err != nil {
		return err
	}
	profile, err := w.track(ctx, arrival)
	if err != nil {
		return err
	}
	card := buildCard(profile, w.store.records(profile), w.ledger, now)
	card.write(out)
	return nil
}
