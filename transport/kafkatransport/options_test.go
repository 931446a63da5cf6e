package kafkatransport_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
)

func TestNewRejectsBadConfiguration(t *testing.T) {
	seeds := []string{"127.0.0.1:1"}
	cl, err := kgo.NewClient(kgo.SeedBrokers(seeds...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, tc := range []struct {
		name string
		err  func() error
		is   error
		text string
	}{
		{"no seeds", func() error { _, err := kafkatransport.New(nil, topic, ce); return err }, nil, "no seed brokers"},
		{"empty topic", func() error { _, err := kafkatransport.New(seeds, "", ce); return err }, kafkatransport.ErrInvalidTopic, "empty"},
		{"topic with a slash", func() error { _, err := kafkatransport.New(seeds, "a/b", ce); return err }, kafkatransport.ErrInvalidTopic, "offset 1"},
		{"no source", func() error { _, err := kafkatransport.New(seeds, topic, connected.CloudEventsOptions{}); return err }, nil, "Source"},
		{"nil option", func() error { _, err := kafkatransport.New(seeds, topic, ce, nil); return err }, nil, "nil Option"},
		{"delivery timeout 0", func() error {
			_, err := kafkatransport.New(seeds, topic, ce, kafkatransport.WithDeliveryTimeout(0))
			return err
		}, nil, "WithDeliveryTimeout(0s): must be at least 1s"},
		{"delivery timeout on a borrowed client", func() error {
			_, err := kafkatransport.NewFromClient(cl, topic, ce, kafkatransport.WithDeliveryTimeout(time.Second))
			return err
		}, kafkatransport.ErrClientOptionsBorrowed, ""},
		{"nil client", func() error { _, err := kafkatransport.NewFromClient(nil, topic, ce); return err }, nil, "nil client"},
		{"client options on a borrowed client", func() error {
			_, err := kafkatransport.NewFromClient(cl, topic, ce, kafkatransport.WithClientOptions(kgo.ClientID("x")))
			return err
		}, kafkatransport.ErrClientOptionsBorrowed, ""},
		{"bad topic on a borrowed client", func() error { _, err := kafkatransport.NewFromClient(cl, "..", ce); return err }, kafkatransport.ErrInvalidTopic, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil {
				t.Fatal("accepted")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v does not match %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.text) {
				t.Errorf("%q does not say %q", err, tc.text)
			}
		})
	}
}

func TestValidateTopic(t *testing.T) {
	for _, ok := range []string{"a", "touchpoint.events_v1-eu", strings.Repeat("x", 249)} {
		if err := kafkatransport.ValidateTopic(ok); err != nil {
			t.Errorf("ValidateTopic(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"", ".", "..", "a b", "é", strings.Repeat("x", 250)} {
		if err := kafkatransport.ValidateTopic(bad); !errors.Is(err, kafkatransport.ErrInvalidTopic) {
			t.Errorf("ValidateTopic(%q) = %v, want ErrInvalidTopic", bad, err)
		}
	}
}
