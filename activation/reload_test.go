package activation

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/activation/defs"
)

// TestReloadKeepsFactsAndAnnounces: a reload keeps the facts already
// collected (a new audience over them is entered at once), exits removed
// audiences, and a bad file leaves the engine unchanged.
func TestReloadKeepsFactsAndAnnounces(t *testing.T) {
	h := newHarness(t, mustSet(t, `{"version":1,"audiences":[{"key":"opened","where":{"event":{"event":"Application Opened"}}}]}`))
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all})
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all, at: time.Hour})
	dir := t.TempDir()
	path := filepath.Join(dir, "defs.json")
	os.WriteFile(path, []byte(`{"version":1,"audiences":[{"key":"twice","where":{"event":{"event":"Application Opened","count":{"op":"gte","value":2}}}}]}`), 0o600)
	out, err := h.e.ReloadFile(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if kinds(out) != "audience_exited:opened audience_entered:twice" || out[0].Reason != ReasonRemoved {
		t.Fatalf("reload: %s %+v", kinds(out), out)
	}
	os.WriteFile(path, []byte(`{"version":1,"audiences":[{"key":"x","where":{"event":{"event":"A","count":{"op":"most","value":2}}}}]}`), 0o600)
	_, err = h.e.ReloadFile(context.Background(), path, nil)
	var de *defs.Error
	if !errors.As(err, &de) || de.Key != "x" || de.Field != "where.event.count.op" {
		t.Fatalf("bad file: %v", err)
	}
	if v, _ := h.e.Profile("p"); len(v.Audiences) != 1 || v.Audiences[0] != "twice" {
		t.Errorf("a failed reload changed the engine: %v", v.Audiences)
	}
}

// TestUnregisteredHandlerRefused: a journey naming a Go handler that no
// WithHandler registered is refused when the definitions are loaded (New,
// Reload), naming the journey and the field, not when it first fires.
func TestUnregisteredHandlerRefused(t *testing.T) {
	set := mustSet(t, storeDefs)
	check := func(err error) {
		t.Helper()
		var de *defs.Error
		if !errors.As(err, &de) || !errors.Is(err, defs.ErrReference) || de.Kind != "journey" || de.Key != "cart_nudge" ||
			de.Field != "action.handler" {
			t.Fatalf("got %v, want the journey cart_nudge's action.handler as an unknown reference", err)
		}
	}
	_, err := New(set)
	check(err)
	_, err = New(set, WithHandler("CRM", func(context.Context, Output) error { return nil }))
	check(err) // names are exact

	h := newHarness(t, mustSet(t, `{"version":1,"audiences":[{"key":"opened","where":{"event":{"event":"Application Opened"}}}]}`))
	h.emit(ev{profile: "p", name: "Application Opened", purp: h.all})
	_, err = h.e.Reload(context.Background(), mustSet(t, `{"version":1,"journeys":[{"key":"j","trigger":{"event":"A"},"action":{"handler":"pager"}}]}`), nil)
	var de *defs.Error
	if !errors.As(err, &de) || de.Key != "j" || de.Field != "action.handler" {
		t.Fatalf("reload: %v", err)
	}
	if v, _ := h.e.Profile("p"); len(v.Audiences) != 1 || v.Audiences[0] != "opened" {
		t.Errorf("a refused reload changed the engine: %v", v.Audiences)
	}
	if _, err := h.e.Reload(context.Background(), set, nil); err != nil {
		t.Errorf("reload with crm registered: %v", err)
	}
}
