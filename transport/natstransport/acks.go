package natstransport

import (
	"encoding/json"
	"strconv"
	"sync"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// inbox receives the JetStream acknowledgements of a Sender's publishes on
// one wildcard subscription, "<inbox>.*", each publish carrying its own
// reply subject "<inbox>.<token>". It is the Sender's only subscription;
// Shutdown ends it.
type inbox struct {
	prefix string
	sub    *nats.Subscription

	mu      sync.Mutex
	next    uint64
	waiting map[string]waiter // by token; removed when resolved
}

// waiter is the record a token stands for.
type waiter struct {
	p *publication
	i int
}

// pubAck is JetStream's answer to a publish: a PubAck or an API error.
type pubAck struct {
	Error     *jetstream.APIError `json:"error,omitempty"`
	Stream    string              `json:"stream"`
	Duplicate bool                `json:"duplicate,omitempty"`
}

func newInbox(nc *nats.Conn) (*inbox, error) {
	in := &inbox{prefix: nc.NewInbox() + ".", waiting: make(map[string]waiter)}
	sub, err := nc.Subscribe(in.prefix+"*", in.onAck)
	if err != nil {
		return nil, err
	}
	in.sub = sub
	return in, nil
}

// register returns the reply subject for record i of p.
func (in *inbox) register(p *publication, i int) string {
	in.mu.Lock()
	in.next++
	token := strconv.FormatUint(in.next, 36)
	in.waiting[token] = waiter{p, i}
	in.mu.Unlock()
	p.tokens = append(p.tokens, token)
	return in.prefix + token
}

// onAck resolves the record an acknowledgement is for. It runs on the
// subscription's goroutine. Answers for tokens no longer waiting (the Send
// gave up) are dropped.
func (in *inbox) onAck(m *nats.Msg) {
	if len(m.Subject) <= len(in.prefix) {
		return
	}
	dup, err := parseAck(m)
	in.mu.Lock()
	defer in.mu.Unlock()
	w, ok := in.waiting[m.Subject[len(in.prefix):]]
	if !ok {
		return
	}
	delete(in.waiting, m.Subject[len(in.prefix):])
	w.p.resolve(w.i, err, dup)
}

// cancel resolves every record of p still waiting with err.
func (in *inbox) cancel(p *publication, err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, token := range p.tokens {
		if w, ok := in.waiting[token]; ok {
			delete(in.waiting, token)
			w.p.resolve(w.i, err, false)
		}
	}
}

// cancelAll resolves every waiting record, of every Send, with err.
func (in *inbox) cancelAll(err error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	for token, w := range in.waiting {
		delete(in.waiting, token)
		w.p.resolve(w.i, err, false)
	}
}

// cancel1 resolves record i of p, whose publish failed, unless an answer
// already resolved it.
func (in *inbox) cancel1(p *publication, i int, reply string, err error) {
	token := reply[len(in.prefix):]
	in.mu.Lock()
	defer in.mu.Unlock()
	if _, ok := in.waiting[token]; ok {
		delete(in.waiting, token)
		p.resolve(i, err, false)
	}
}

// parseAck reads JetStream's answer to a publish: a PubAck (nil error;
// dup reports a duplicate Nats-Msg-Id), a *jetstream.APIError,
// jetstream.ErrNoStreamResponse for a no-responders status, or
// jetstream.ErrInvalidJSAck for anything else.
func parseAck(m *nats.Msg) (dup bool, err error) {
	if len(m.Data) == 0 && m.Header.Get("Status") == "503" {
		// No responders: no stream captures the subject (or it has no
		// leader yet).
		return false, jetstream.ErrNoStreamResponse
	}
	var a pubAck
	switch err := json.Unmarshal(m.Data, &a); {
	case err != nil:
		return false, jetstream.ErrInvalidJSAck
	case a.Error != nil:
		return false, a.Error
	case a.Stream == "":
		return false, jetstream.ErrInvalidJSAck
	}
	return a.Duplicate, nil
}
