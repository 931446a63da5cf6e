package identity

import "context"

// Shutdown closes the graph and its store (Store.Close): it is the
// lifecycle verb every Touchpoint component that owns goroutines or files
// shares. It is idempotent; later calls to other methods return ErrClosed.
// Closing does not block on anything the context could bound (the graph
// runs no goroutines; each write was synced when it returned), so ctx is
// not consulted.
func (g *Graph) Shutdown(_ context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	if g.store != nil {
		return g.store.Close()
	}
	return nil
}
