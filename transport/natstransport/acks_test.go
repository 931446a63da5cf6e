package natstransport

import (
	"errors"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/touchpoint-sdk/touchpoint/internal/brokersend"
)

// onAck reads every form of JetStream's answer: the PubAck (fast path,
// with and without duplicate), an API error, no responders, garbage.
func TestOnAckParsesAnswers(t *testing.T) {
	for _, tc := range []struct {
		name   string
		msg    *nats.Msg
		dup    bool
		isErr  error
		apiErr int
	}{
		{"ack", &nats.Msg{Data: []byte(`{"stream":"S","seq":7}`)}, false, nil, 0},
		{"duplicate", &nats.Msg{Data: []byte(`{"stream":"S","seq":7,"duplicate":true}`)}, true, nil, 0},
		{"duplicate as the server writes it", &nats.Msg{Data: []byte(`{"stream":"S", "seq":7,"duplicate": true}`)}, true, nil, 0},
		{"not a duplicate", &nats.Msg{Data: []byte(`{"stream":"S","seq":7,"duplicate":false}`)}, false, nil, 0},
		{"API error", &nats.Msg{Data: []byte(`{"error":{"code":400,"err_code":10054,"description":"message size exceeds maximum allowed"},"stream":"S","seq":0}`)}, false, nil, 400},
		{"no responders", &nats.Msg{Header: nats.Header{"Status": []string{"503"}}}, false, jetstream.ErrNoStreamResponse, 0},
		{"garbage", &nats.Msg{Data: []byte(`not json`)}, false, jetstream.ErrInvalidJSAck, 0},
		{"no stream", &nats.Msg{Data: []byte(`{"seq":1}`)}, false, jetstream.ErrInvalidJSAck, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Sender{slots: make(chan struct{}, 1)}
			in := &inbox{prefix: "_INBOX.x.", waiting: map[string]waiter{}}
			p := &publication{s: s, Results: brokersend.NewResults(1)}
			s.slots <- struct{}{}
			tc.msg.Subject = in.register(p, 0)
			in.onAck(tc.msg)
			select {
			case <-p.Done():
			default:
				t.Fatal("the record was not resolved")
			}
			if len(s.slots) != 0 {
				t.Error("the slot was not released")
			}
			err := p.Errors()[0]
			var api *jetstream.APIError
			switch {
			case tc.apiErr != 0:
				if !errors.As(err, &api) || api.Code != tc.apiErr {
					t.Errorf("error %v, want API error %d", err, tc.apiErr)
				}
			case tc.isErr != nil:
				if !errors.Is(err, tc.isErr) {
					t.Errorf("error %v, want %v", err, tc.isErr)
				}
			case err != nil:
				t.Errorf("error %v, want none", err)
			}
			if got := s.dups.Load() == 1; got != tc.dup {
				t.Errorf("duplicate counted %v, want %v", got, tc.dup)
			}
			in.onAck(tc.msg) // a second answer for the same token is dropped
		})
	}
}
