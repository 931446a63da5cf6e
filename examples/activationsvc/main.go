// Command activationsvc is a central activation service: it consumes the
// Segment events that store gateways publish to Kafka with
// transport/kafkatransport and runs them through an activation.Engine
// (computed traits, audiences, journeys), printing every output (audience
// entered or exited, action fired or refused, and why) as one JSON line on
// stdout, the customer as a keyed pseudonym unless -reveal.
//
//	activationsvc -brokers 127.0.0.1:9092 -topic touchpoint.events -state ./state
//
// A Kafka record is a CloudEvents binary-mode event: the value is the
// Segment JSON, the key the customer's partition key, ce_id the
// messageId and ce_time the event time (recordOf). A record that does not
// decode is counted, logged with its *RecordError and skipped.
//
// Consent: an event's context.consent (Segment categoryPreferences, mapped
// by cmpCategories) is recorded in a consent ledger as its subject's
// decisions from the event's time; every event counts for the purposes
// the ledger permits its subject at its time, so a Zone Entered from a
// beacon, which carries no consent object, counts under the consent the
// customer gave in the app. No decision means no purpose. A withdrawal is
// applied to the engine (Engine.Revoke) before it is recorded.
//
// Delivery is at least once: offsets are committed only after a poll was
// processed and its outputs printed, and a restart resumes from the last
// commit. The engine deduplicates on messageId, and outputs have
// deterministic ids, so sinks drop the ones they saw.
//
// History: a new group reads the topic from the start. Events older than
// -max-age by the wall clock rebuild state (wishes, memberships) but fire
// and announce nothing: a reminder for last week's visit helps nobody.
//
// Ordering: Kafka orders one partition, and gateways key records by the
// customer, so one customer's events arrive in order. Partitions are not
// ordered among themselves, and the engine's watermark (latest event time
// minus -lateness) is global: an event older than it is dropped and logged.
// -lateness must cover how far partitions drift apart.
//
// What a crash loses: with -state, the engine writes each poll ahead
// before returning its outputs, so a crash after that and before the
// output was printed loses that output (the redelivered events are
// duplicates: nothing fires twice). Without -state everything is in
// memory: a restart forgets profiles, consent and fired ids, and only the
// events after the last commit are read again (re-processed ones may fire
// again, under the same ids). The state is local: run one instance per
// group, or keep the engine's state where every instance reaches it.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	_ "embed"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
	"github.com/touchpoint-sdk/touchpoint/connected"
)

// definitions.json: the wish-list reminder (a wished product's department
// entered in a store) and the audience of wish-listers, both for
// marketing. -definitions replaces it.
//
//go:embed definitions.json
var defaultDefinitions []byte

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "activationsvc:", err)
		os.Exit(1)
	}
}

func run() error {
	brokers := flag.String("brokers", "127.0.0.1:9092", "Kafka seed brokers, comma-separated")
	topic := flag.String("topic", "touchpoint.events", "topic the gateways publish to")
	group := flag.String("group", "touchpoint-activation", "consumer group; a new group reads the topic from the start")
	definitions := flag.String("definitions", "", "definition file (activation/defs JSON); empty: the embedded definitions.json")
	state := flag.String("state", "", "directory of the engine's state and consent ledger; empty: memory only")
	lateness := flag.Duration("lateness", 10*time.Minute, "events older than the latest event time minus this are dropped")
	maxAge := flag.Duration("max-age", time.Hour, "events older than this rebuild state but fire nothing; 0: all fire")
	keyFile := flag.String("pseudonym-key", "", "`file` holding the key (at least 16 bytes) of the profiles' pseudonyms in the output; default: a random key per run")
	reveal := flag.Bool("reveal", false, "print profiles (user and anonymous ids) in the clear instead of pseudonyms")
	flag.Parse()

	var names *connected.Pseudonymizer
	if !*reveal {
		key := make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand)
		if *keyFile != "" {
			b, err := os.ReadFile(*keyFile)
			if err != nil {
				return err
			}
			key = bytes.TrimRight(b, "\r\n")
		}
		var err error
		if names, err = connected.NewPseudonymizer(key); err != nil {
			return fmt.Errorf("-pseudonym-key %s: %w", *keyFile, err)
		}
	}

	set, err := defs.Decode(defaultDefinitions)
	if *definitions != "" {
		set, err = defs.Load(*definitions)
	}
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	st, err := Run(ctx, Config{Brokers: strings.Split(*brokers, ","), Topic: *topic, Group: *group, Definitions: set,
		StateDir: *state, Lateness: *lateness, MaxAge: *maxAge, Now: time.Now, Out: os.Stdout, Log: log, Pseudonyms: names})
	if err == nil || st.Consumed > 0 { // a service that never started has nothing to count
		log.Info("stopped", "consumed", st.Consumed, "skipped", st.Skipped, "outputs", st.Outputs,
			"duplicates", st.Engine.Duplicates, "late", st.Engine.Late, "fired", st.Engine.Fired, "refused", st.Engine.Refused)
	}
	return err
}
