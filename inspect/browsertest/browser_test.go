package browsertest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/connected/consent"
	"github.com/touchpoint-sdk/touchpoint/identity"
	"github.com/touchpoint-sdk/touchpoint/inspect"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

const token = "browser-test-token-0123456789"

// chromium finds the browser, or says why there is none.
func chromium() (string, string) {
	if p := os.Getenv("TOUCHPOINT_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", "TOUCHPOINT_CHROMIUM=" + p + ": " + err.Error()
		}
		return p, ""
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, ""
		}
	}
	return "", "no Chromium: set TOUCHPOINT_CHROMIUM or install Debian's chromium (bash .ci/chromium.sh does, as root)"
}

// pipeline is a small store pipeline with an inspector over it.
type pipeline struct {
	client  *connected.Client
	ledger  *consent.Ledger
	mu      sync.Mutex // guards tracker
	tracker *beacon.Tracker
	h       *inspect.Handler
	srv     *httptest.Server
}

func newPipeline(t *testing.T) *pipeline {
	t.Helper()
	ctx := context.Background()
	p := &pipeline{}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	tap, err := inspect.NewTap()
	must(err)
	w, err := transport.NewWriter(io.Discard)
	must(err)
	batcher, err := transport.NewBatcher(w, transport.WithFlushInterval(50*time.Millisecond))
	must(err)
	p.ledger, err = consent.NewLedger()
	must(err)
	router, err := consent.NewRouter(p.ledger, []byte("browser-test-audit-key-0123456789"), []consent.Destination{
		{Name: "analytics", Purpose: consent.PurposeAnalytics, Categories: []connected.Category{connected.CategoryBehavioral, connected.CategoryLocation}, Handler: tap.Middleware("analytics")(batcher)},
		{Name: "ads", Purpose: consent.PurposeAdvertising, Categories: []connected.Category{connected.CategoryBehavioral}, Handler: tap.Middleware("ads")(batcher)},
	})
	must(err)
	p.client, err = connected.New(router, connected.WithMiddleware(tap.Middleware("client")))
	must(err)
	now := time.Now().UTC()
	for _, subject := range []string{"alice@example.com", "bob@example.com"} {
		_, err = p.ledger.Record(ctx, consent.Fact{Subject: subject, Purpose: consent.PurposeAnalytics, Granted: true,
			Effective: now.Add(-time.Hour), Source: consent.SourceAppSetting, Document: "privacy-2026"})
		must(err)
	}
	graph, err := identity.New([]byte("browser-test-identity-secret"))
	must(err)
	_, err = graph.Link(ctx, identity.Observation{EventID: "web-1", Time: now.Add(-time.Hour), IDs: []identity.Identifier{
		{Type: identity.TypeEmail, Value: "alice@example.com"}, {Type: identity.TypeAnonymousID, Value: "anon-7f3c"}}})
	must(err)
	_, err = graph.Link(ctx, identity.Observation{EventID: "app-1", Time: now.Add(-30 * time.Minute), IDs: []identity.Identifier{
		{Type: identity.TypeAnonymousID, Value: "anon-7f3c"}, {Type: identity.TypeDeviceID, Value: "ios-device-77"}}})
	must(err)

	p.tracker, err = beacon.NewTracker([]beacon.Zone{
		{Name: "entrance", Place: "store-12", Gateways: []string{"gw-entrance"}},
		{Name: "shoes", Place: "store-12", Gateways: []string{"gw-shoes"}},
		{Name: "tills", Place: "store-12", Gateways: []string{"gw-tills"}},
	})
	must(err)
	for i, s := range []struct{ who, gw string }{
		{"alice", "gw-shoes"}, {"bob", "gw-shoes"}, {"carol", "gw-shoes"}, {"dave", "gw-tills"}, {"erin", "gw-entrance"},
	} {
		_, err := p.tracker.Observe(nil, beacon.Sighting{Time: now.Add(time.Duration(i) * time.Second), Subject: s.who, Gateway: s.gw, RSSI: -60})
		must(err)
	}
	plan := inspect.Plan{Name: "Store 12, ground floor", Width: 40, Height: 20, Areas: []inspect.Area{
		{Zone: "entrance", X: 0, Y: 14, W: 12, H: 6},
		{Zone: "shoes", X: 0, Y: 0, W: 20, H: 14},
		{Zone: "tills", Polygon: []inspect.Point{{X: 20, Y: 0}, {X: 40, Y: 0}, {X: 40, Y: 12}, {X: 30, Y: 20}, {X: 20, Y: 12}}},
	}}
	var sent int
	p.h, err = inspect.New(func(r *http.Request) error {
		if r.Header.Get("Authorization") != "Bearer "+token {
			return inspect.ErrUnauthenticated
		}
		return nil
	},
		inspect.WithTap(tap),
		inspect.WithDecisions(router),
		inspect.WithStats("batcher", batcher.Stats),
		inspect.WithStats("writer", func() transport.Stats { sent += 7; s := w.Stats(); s.SpoolDepth = sent % 40; return s }),
		inspect.WithZones(func(context.Context) (beacon.Snapshot, error) {
			p.mu.Lock()
			defer p.mu.Unlock()
			return p.tracker.Snapshot(), nil
		}, plan),
		inspect.WithExplainer(graph),
		inspect.WithAudiences(func(context.Context) (map[string]int, error) {
			return map[string]int{"runners": 120, "lapsed buyers": 37, "vip": 5, "store-12 regulars": 64}, nil
		}),
		inspect.WithSampling(100*time.Millisecond, 100),
	)
	must(err)
	mux := http.NewServeMux()
	mux.Handle("/debug/touchpoint/", http.StripPrefix("/debug/touchpoint", p.h))
	p.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		p.srv.CloseClientConnections()
		p.srv.Close()
		if err := p.h.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := p.client.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		_ = graph.Shutdown(context.Background())
	})
	return p
}

func (p *pipeline) track(t *testing.T, user, name string, ch connected.Channel, zone string) {
	t.Helper()
	err := p.client.Track(context.Background(), connected.Event{UserID: user, AnonymousID: "anon-" + user[:3], Event: name,
		Properties: connected.Properties{"sku": "SKU-" + name[:3], "price": 89.5},
		Context:    connected.Context{Channel: ch, Location: connected.Location{PlaceID: "store-12", Zone: zone}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPagesInChromium loads every page in headless Chromium, checks that
// none logs a console error or an exception, that an event tracked after
// the events page opened appears on it, and that the identity form draws
// its graph; it keeps a screenshot of each page.
func TestPagesInChromium(t *testing.T) {
	bin, why := chromium()
	if bin == "" {
		t.Skip(why)
	}
	p := newPipeline(t)
	p.track(t, "alice@example.com", "Product Viewed", connected.ChannelWeb, "")
	p.track(t, "bob@example.com", "Zone Entered", connected.ChannelStore, "shoes")
	p.track(t, "alice@example.com", "Order Completed", connected.ChannelPOS, "tills")
	time.Sleep(300 * time.Millisecond) // a few chart samples

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.WindowSize(1400, 900), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{
		Headers: network.Headers{"Authorization": "Bearer " + token}}); err != nil {
		t.Fatalf("starting Chromium %s: %v", bin, err)
	}
	var mu sync.Mutex
	var problems []string
	cctx, stopConsole := context.WithCancel(ctx)
	messages := chromedp.Console(cctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.Type == chromedp.ConsoleException || m.Type == chromedp.ConsoleWarning {
				mu.Lock()
				problems = append(problems, fmt.Sprintf("%s %s:%d %s", m.Type, m.URL, m.Line+1, m.Text))
				mu.Unlock()
			}
		}
	})
	defer func() { stopConsole(); wg.Wait() }()
	checkConsole := func(page string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		for _, pr := range problems {
			t.Errorf("%s: console: %s", page, pr)
		}
		problems = nil
	}

	shots := t.TempDir()
	shoot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		file := "inspect-" + name + ".png"
		if err := os.WriteFile(filepath.Join(shots, file), png, 0o644); err != nil {
			t.Fatal(err)
		}
		if dir := os.Getenv("TOUCHPOINT_INSPECT_SHOTS"); dir != "" {
			if err := os.WriteFile(filepath.Join(dir, file), png, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
	base := p.srv.URL + "/debug/touchpoint/"
	wait := func(expr string) error {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingTimeout(20*time.Second)))
		return err
	}

	// The events page: the stream connects, and an event tracked now shows.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"events")); err != nil {
		t.Fatal(err)
	}
	if err := wait(`document.getElementById("conn").textContent === "live"`); err != nil {
		t.Fatalf("the event stream never connected: %v", err)
	}
	p.track(t, "bob@example.com", "Browser Test Event", connected.ChannelKiosk, "shoes")
	if err := wait(`document.querySelector("#events tbody").textContent.includes("Browser Test Event")`); err != nil {
		t.Fatalf("an event tracked after the page opened did not appear: %v", err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#events tbody")))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(text, "alice@example.com") || strings.Contains(text, "bob@example.com") {
		t.Error("the events page shows an identifier in the clear")
	}
	if !strings.Contains(text, connected.PseudonymPrefix) {
		t.Error("the events page shows no pseudonym")
	}
	shoot("events")
	checkConsole("events")

	for _, page := range []struct{ path, ready, shot string }{
		{"", `document.querySelector(".cards") !== null`, "overview"},
		{"decisions", `document.querySelector("table.dests tbody tr") !== null`, "decisions"},
		{"charts", `document.querySelectorAll("polyline.series").length >= 6`, "charts"},
		{"zones", `document.querySelectorAll("circle.dot").length === 5`, "zones"},
		{"audiences", `document.querySelectorAll("rect.abar").length === 4`, "audiences"},
	} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+page.path)); err != nil {
			t.Fatal(err)
		}
		if err := wait(page.ready); err != nil {
			t.Errorf("%s: %s never held: %v", page.shot, page.ready, err)
		}
		if page.shot == "charts" {
			time.Sleep(2500 * time.Millisecond) // one live refresh of the fragment
			if err := wait(page.ready); err != nil {
				t.Errorf("charts after a refresh: %v", err)
			}
		}
		shoot(page.shot)
		checkConsole(page.shot)
	}

	// The identity form posts and draws the path as a graph.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"identity"),
		chromedp.SetValue(chromedp.CSS(`select[name="a_type"]`), "email"),
		chromedp.SendKeys(chromedp.CSS(`input[name="a_value"]`), "alice@example.com"),
		chromedp.SetValue(chromedp.CSS(`select[name="b_type"]`), "device_id"),
		chromedp.SendKeys(chromedp.CSS(`input[name="b_value"]`), "ios-device-77"),
		chromedp.Submit(chromedp.CSS(`form.explain`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.graph`)),
	); err != nil {
		t.Fatal(err)
	}
	if err := wait(`document.querySelectorAll("svg.graph line.edge.link").length === 2`); err != nil {
		t.Errorf("the identity graph was not drawn: %v", err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Linked: one profile") || strings.Contains(body, "alice@example.com") {
		t.Errorf("identity page: want a linked verdict and no identifier in the clear, got %q", body)
	}
	shoot("identity")
	checkConsole("identity")

	// Two identifiers that are not one profile: the reasons are drawn.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="b_type"]`), "email"),
		chromedp.SetValue(chromedp.CSS(`input[name="b_value"]`), "bob@example.com"),
		chromedp.SetValue(chromedp.CSS(`input[name="a_value"]`), "alice@example.com"),
		chromedp.Submit(chromedp.CSS(`form.explain`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.graph .node.reason`)),
	); err != nil {
		t.Fatalf("explaining two unlinked identifiers: %v", err)
	}
	body, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, "Not linked") || !strings.Contains(body, "unknown_identifier") {
		t.Errorf("identity page: want the unknown_identifier reason, got %q", body)
	}
	shoot("identity-not-linked")
	checkConsole("identity-not-linked")
	t.Logf("screenshots in %s", shots)
}
