package consent

import (
	"context"
	"sync"
	"time"

	"github.com/touchpoint-sdk/touchpoint/connected"
)

// Gate is the consent check for a pipeline with one destination, as
// connected middleware: the handler the middleware wraps is the
// destination, and it receives a record only if the Destination's rules
// allow it (the same rules, counters and audit trail as a Router).
//
//	gate, err := consent.NewGate(ledger, auditKey, consent.Destination{Name: "segment", Purpose: consent.PurposeAnalytics, ...})
//	client, err := connected.New(sink, connected.WithMiddleware(gate.Middleware()))
//
// A Gate is safe for concurrent use and starts no goroutines. Its
// middleware may be applied to several chains; they share the Gate's
// counters and audit trail, and each keeps its own hold (a custom HoldStore
// is used by the first chain only; later ones hold in memory). Call
// Shutdown when done to drop held records; it does not shut down the
// wrapped handlers, which the chain's owner (connected.Client) does.
type Gate struct {
	ledger *Ledger
	cfg    *config
	d      *dest
	audit  *auditLog
	tags   *tagger

	mu      sync.Mutex
	routers []*Router
	closed  bool
}

// NewGate returns a Gate applying d's rules. d.Handler must be nil.
// auditKey is as for NewRouter (required, at least 16 bytes). It returns
// the same errors as NewRouter.
func NewGate(l *Ledger, auditKey []byte, d Destination, opts ...Option) (*Gate, error) {
	if l == nil {
		return nil, &ConfigError{Field: "Ledger", Reason: "is nil"}
	}
	cfg, err := newConfig(auditKey, opts)
	if err != nil {
		return nil, err
	}
	c, err := compile(d, false)
	if err != nil {
		return nil, err
	}
	return &Gate{ledger: l, cfg: cfg, d: c, audit: newAuditLog(cfg.auditCap, cfg.auditSink), tags: newTagger(cfg.auditKey)}, nil
}

// Middleware returns the gate as connected middleware.
func (g *Gate) Middleware() connected.Middleware {
	return func(next connected.Handler) connected.Handler {
		g.mu.Lock()
		defer g.mu.Unlock()
		d := *g.d
		d.Handler = next
		if d.OnRefusal == Hold && (d.hold == nil || len(g.routers) > 0) {
			d.hold = NewMemoryHold(d.Hold)
		}
		rt := newRouter(g.ledger, g.cfg, []*dest{&d}, g.audit, g.tags, false)
		if g.closed {
			_ = rt.Shutdown(context.Background()) // nothing held: cannot fail
		}
		g.routers = append(g.routers, rt)
		return rt
	}
}

// Stats returns a snapshot of the gate's counters, summed over its chains.
func (g *Gate) Stats() DestinationStats {
	g.mu.Lock()
	routers := g.routers
	g.mu.Unlock()
	holding := 0
	for _, rt := range routers {
		holding += rt.Stats()[0].Holding
	}
	return g.d.c.snapshot(g.d.Name, holding)
}

// Audit returns the audit entries kept in memory, oldest first.
func (g *Gate) Audit() []AuditEntry {
	e, _ := g.audit.entries()
	return e
}

// Sweep re-decides held records at time now in every chain; see
// Router.Sweep.
func (g *Gate) Sweep(ctx context.Context, now time.Time) error {
	g.mu.Lock()
	routers := g.routers
	g.mu.Unlock()
	var errs error
	for _, rt := range routers {
		errs = join(errs, rt.Sweep(ctx, now))
	}
	return errs
}

// Shutdown stops every chain's gate (later records get ErrClosed) and drops
// held records, returning a *DiscardedError if there were any. It is
// idempotent and does not block.
func (g *Gate) Shutdown(ctx context.Context) error {
	g.mu.Lock()
	g.closed = true
	routers := g.routers
	g.mu.Unlock()
	var errs error
	for _, rt := range routers {
		errs = join(errs, rt.Shutdown(ctx))
	}
	return errs
}
