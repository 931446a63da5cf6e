package main

import (
	"context"
	"errors"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// lease is the NATS hub's single-owner lock on the control stream: one
// key in a JetStream key-value bucket whose TTL (the bucket's max age) is
// the lease's. Create takes it only when the key is absent (never
// written, deleted, or expired); Update with the last revision renews it
// (compare-and-set: it fails once the key expired or someone else took
// it); Delete with the last revision hands it over at shutdown. This is
// the leader election nats.go users build on KV.
//
// The holder counts its lease from the moment it sent the request that
// took or renewed it, so it gives the lease up (locally) no later than
// the server expires it. A lease is used by one goroutine.
type lease struct {
	kv    jetstream.KeyValue
	key   string
	value []byte // unique per holder
	ttl   time.Duration

	rev     uint64    // revision held, 0 when not held
	renewed time.Time // when the request that took or renewed it was sent
	tried   time.Time // last attempt to take it
}

// hold takes or renews the lease when due and reports whether it is held
// now: renewed every ttl/3; an attempt to take it every ttl/10.
func (l *lease) hold(ctx context.Context, now time.Time) bool {
	if l.rev != 0 {
		if now.Sub(l.renewed) < l.ttl/3 {
			return true
		}
		rctx, cancel := context.WithTimeout(ctx, l.ttl/3)
		rev, err := l.kv.Update(rctx, l.key, l.value, l.rev)
		cancel()
		switch {
		case err == nil:
			l.rev, l.renewed = rev, now
			return true
		case errors.Is(err, jetstream.ErrKeyRevisionMismatch), errors.Is(err, jetstream.ErrKeyNotFound):
			l.rev = 0 // expired, or taken
			return false
		case now.Sub(l.renewed) < l.ttl*2/3:
			return true // a transient failure: still ours for a while
		default:
			l.rev = 0
			return false
		}
	}
	if now.Sub(l.tried) < l.ttl/10 {
		return false
	}
	l.tried = now
	rctx, cancel := context.WithTimeout(ctx, l.ttl/3)
	defer cancel()
	rev, err := l.kv.Create(rctx, l.key, l.value)
	if err != nil {
		return false // held by another instance (ErrKeyExists), or unreachable
	}
	l.rev, l.renewed = rev, now
	return true
}

// release deletes the key if this holder still has it, so that another
// instance takes the control stream at once instead of after the TTL.
func (l *lease) release() {
	if l.rev == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = l.kv.Delete(ctx, l.key, jetstream.LastRevision(l.rev)) // if it fails, the TTL frees it
	l.rev = 0
}
