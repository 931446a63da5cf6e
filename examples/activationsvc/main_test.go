package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation"
	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/transport"
	"github.com/touchpoint-sdk/touchpoint/transport/kafkatransport"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const topic = "touchpoint.events"

// t0 is the morning of the test's store visits.
var t0 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

// visit is what a gateway publishes for one shopper: a product wished in
// the app, with the app's consent object, then, minutes later, a beacon's
// Zone Entered in that department, which carries no consent object.
func visit(user string, at time.Time, prefs map[string]bool) []connected.Event {
	return []connected.Event{
		{Type: connected.TypeTrack, Event: connected.EventProductAddedToWishlist, UserID: user, OriginalTimestamp: at,
			Properties: connected.Properties{"product_id": "boot-1207", "department": "shoes"},
			Context:    connected.Context{Consent: connected.Consent{CategoryPreferences: prefs}}},
		{Type: connected.TypeTrack, Event: connected.EventZoneEntered, UserID: user, OriginalTimestamp: at.Add(2 * time.Minute),
			Category: connected.CategoryLocation,
			Context:  connected.Context{Location: connected.Location{PlaceID: "store-12", Zone: "shoes"}}},
	}
}

// publish sends events as a store gateway does: connected.Client ->
// transport.Batcher -> kafkatransport.Sender, then the raw records.
func publish(t *testing.T, brokers []string, events []connected.Event, raw ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sender, err := kafkatransport.New(brokers, topic, connected.CloudEventsOptions{Source: "urn:touchpoint:gateway:store-12"})
	if err != nil {
		t.Fatal(err)
	}
	batcher, err := transport.NewBatcher(sender)
	if err != nil {
		t.Fatal(err)
	}
	client, err := connected.New(batcher, connected.WithPartitionKeySecret([]byte("gateway-partition-secret")),
		connected.WithClock(func() time.Time { return t0.Add(10 * time.Minute) }))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if err := client.Emit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := client.Shutdown(ctx); err != nil { // drains the batcher, which shuts the sender down
		t.Fatal(err)
	}
	if st := batcher.Stats(); st.Delivered != uint64(len(events)) {
		t.Fatalf("gateway delivered %d of %d events: %s", st.Delivered, len(events), st.LastError)
	}
	if len(raw) == 0 {
		return
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(ctx, raw...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// runService runs the service until it has consumed want records, and
// returns its outputs and counters.
func runService(t *testing.T, brokers []string, group, state string, now time.Time, want int) ([]outputLine, Stats) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	set, err := defs.Decode(defaultDefinitions)
	if err != nil {
		t.Fatal(err)
	}
	var out, logs bytes.Buffer
	st, err := Run(ctx, Config{Brokers: brokers, Topic: topic, Group: group, Definitions: set, StateDir: state,
		Lateness: 10 * time.Minute, MaxAge: time.Hour, Now: func() time.Time { return now },
		Out: &out, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		AfterBatch: func(s Stats) {
			if s.Consumed >= want {
				cancel()
			}
		}})
	if err != nil {
		t.Fatalf("Run: %v\nlog:\n%s", err, &logs)
	}
	if st.Consumed != want {
		t.Fatalf("consumed %d of %d records before the deadline\nlog:\n%s", st.Consumed, want, &logs)
	}
	t.Logf("group %s: %+v\noutputs:\n%slog:\n%s", group, st, out.String(), &logs)
	var lines []outputLine
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var l outputLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("output line %q: %v", sc.Text(), err)
		}
		lines = append(lines, l)
	}
	return lines, st
}

func fired(lines []outputLine) []outputLine {
	var f []outputLine
	for _, l := range lines {
		if l.Kind == "action_fired" {
			f = append(f, l)
		}
	}
	return f
}

func TestActivationFromKafka(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	consented := map[string]bool{"Analytics": true, "Marketing": true, "Location": true}
	noMarketing := map[string]bool{"Analytics": true, "Marketing": false, "Location": true}
	corrupt := &kgo.Record{Key: []byte("k"), Value: []byte(`{"type":"track",`),
		Headers: []kgo.RecordHeader{{Key: "ce_id", Value: []byte("corrupt-1")}}}
	// ana and cara consent to marketing, ben does not; cara only wishes.
	events := append(visit("ana", t0, consented), visit("ben", t0.Add(time.Minute), noMarketing)...)
	events = append(events, visit("cara", t0.Add(30*time.Second), consented)[0])
	publish(t, brokers, events, corrupt)
	state := t.TempDir()
	now := t0.Add(15 * time.Minute)

	lines, st := runService(t, brokers, "activation-1", state, now, 6)
	if st.Skipped != 1 {
		t.Errorf("skipped %d records, want the corrupt one", st.Skipped)
	}
	f := fired(lines)
	if len(f) != 1 || f[0].Profile != "ana" || f[0].Journey != "wish_reminder" || f[0].Event != "Offer Triggered" ||
		f[0].Properties["product_id"] != "boot-1207" || f[0].Destination != "marketing" {
		t.Errorf("fired %+v, want ana's wish_reminder once", f)
	}
	want := []string{"audience_entered ana/wishlisters", "audience_entered cara/wishlisters"}
	if got := memberships(lines); !slices.Equal(got, want) {
		t.Errorf("memberships %q, want %q (ben gave no marketing consent)", got, want)
	}
	firedOnce := st.Engine.Fired

	// cara withdraws marketing consent in the app; the service restarts
	// in the same group: it reads only what is new.
	publish(t, brokers, []connected.Event{{Type: connected.TypeIdentify, UserID: "cara", OriginalTimestamp: t0.Add(4 * time.Minute),
		Context: connected.Context{Consent: connected.Consent{CategoryPreferences: noMarketing}}}})
	lines, _ = runService(t, brokers, "activation-1", state, now, 1)
	if got := memberships(lines); len(lines) != 1 || !slices.Equal(got, []string{"audience_exited cara/wishlisters"}) ||
		lines[0].Reason != "consent_revoked" {
		t.Errorf("after cara's withdrawal: %+v, want her exit (consent_revoked) alone", lines)
	}

	// A new group reads the topic again from the start, with the same state:
	// nothing fires twice, nobody enters again.
	lines, st = runService(t, brokers, "activation-2", state, now, 7)
	if f := fired(lines); len(f) != 0 || st.Engine.Fired != firedOnce || len(memberships(lines)) != 0 || st.Skipped != 1 {
		t.Errorf("replay with the state gave %+v (engine fired %d, before %d), skipped %d; want no action, no membership, 1 skipped",
			lines, st.Engine.Fired, firedOnce, st.Skipped)
	}

	// Fresh state, two days later: history rebuilds state (-max-age) but
	// fires and announces nothing.
	if lines, _ = runService(t, brokers, "activation-3", t.TempDir(), t0.Add(48*time.Hour), 7); len(lines) != 0 {
		t.Errorf("history older than -max-age gave outputs %+v", lines)
	}
}

// memberships lists the audience entries and exits of lines, sorted.
func memberships(lines []outputLine) []string {
	var m []string
	for _, l := range lines {
		if l.Kind == "audience_entered" || l.Kind == "audience_exited" {
			m = append(m, l.Kind+" "+l.Profile+"/"+l.Audience)
		}
	}
	slices.Sort(m)
	return m
}

// A record that does not decode gives a *RecordError saying where, and
// the decoder's typed error inside.
func TestInputOfBadRecords(t *testing.T) {
	good := `{"type":"track","event":"Zone Entered","userId":"ana","messageId":"m1","originalTimestamp":"2026-03-10T10:00:00.000Z"}`
	for name, tc := range map[string]struct {
		rec  kgo.Record
		want any
	}{
		"value not JSON": {kgo.Record{Value: []byte(`{"type":`)}, new(*connected.DecodeError)},
		"bad ce_time": {kgo.Record{Value: []byte(good),
			Headers: []kgo.RecordHeader{{Key: "ce_time", Value: []byte("yesterday")}}}, new(*time.ParseError)},
	} {
		tc.rec.Topic, tc.rec.Partition, tc.rec.Offset = topic, 2, 41
		_, err := inputOf(&tc.rec)
		var re *RecordError
		if !errors.As(err, &re) || re.Partition != 2 || re.Offset != 41 || !errors.As(err, tc.want) {
			t.Errorf("%s: %v (%T), want a *RecordError at 2@41 wrapping %T", name, err, err, tc.want)
		}
	}
	kr := kgo.Record{Value: []byte(good), Key: []byte("pk"), Headers: []kgo.RecordHeader{{Key: "ce_id", Value: []byte("ce-1")}}}
	in, err := inputOf(&kr)
	if err != nil || in.MessageID != "ce-1" || in.Profile != "ana" || !in.Time.Equal(t0) {
		t.Errorf("inputOf = %+v, %v", in, err)
	}
}

// TestPrintPseudonymises: with a Pseudonymizer the printed profile is the
// customer's pseudonym and the user id appears nowhere.
func TestPrintPseudonymises(t *testing.T) {
	p, err := connected.NewPseudonymizer([]byte("test-pseudonym-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	s := &service{cfg: Config{Out: &out, Pseudonyms: p}}
	err = s.print([]activation.Output{{Kind: activation.AudienceEntered, ID: "o-1", Profile: "ana", Audience: "wishlisters", Time: t0}})
	if err != nil {
		t.Fatal(err)
	}
	var l outputLine
	if err := json.Unmarshal(out.Bytes(), &l); err != nil {
		t.Fatal(err)
	}
	if l.Profile != p.Pseudonym("ana") || bytes.Contains(out.Bytes(), []byte(`"ana"`)) {
		t.Fatalf("printed %s", out.Bytes())
	}
}
