package consent

import (
	"context"
	"time"
)

// Signal is one purpose's decision read from a consent signal (Segment
// categoryPreferences, Consent Mode, a TC string).
type Signal struct {
	Purpose Purpose
	Granted bool
}

// Origin says whose decisions a set of signals are, from when, and where
// they came from: everything a Fact needs besides the purpose and the
// decision. It is a plain value.
type Origin struct {
	Subject      string
	Effective    time.Time
	Source       Source
	Document     string
	Jurisdiction string
}

// Facts returns one Fact per signal.
func (o Origin) Facts(signals []Signal) []Fact {
	out := make([]Fact, len(signals))
	for i, s := range signals {
		out[i] = Fact{Subject: o.Subject, Purpose: s.Purpose, Granted: s.Granted, Effective: o.Effective,
			Source: o.Source, Document: o.Document, Jurisdiction: o.Jurisdiction}
	}
	return out
}

// RecordSignals records the signals as facts of origin o. It validates every
// fact before recording any, so an invalid origin records nothing, and
// returns the number of new facts.
func (l *Ledger) RecordSignals(ctx context.Context, o Origin, signals []Signal) (int, error) {
	facts := o.Facts(signals)
	for i := range facts {
		if err := facts[i].validate(); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, f := range facts {
		added, err := l.Record(ctx, f)
		if err != nil {
			return n, err
		}
		if added {
			n++
		}
	}
	return n, nil
}
