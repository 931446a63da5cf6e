package inspect_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/touchpoint-sdk/touchpoint/beacon"
	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
)

// secrets are the identifiers and property values of the fixture: none
// may show unless revealed.
var secrets = []string{"alice@example.com", "ios-device-77", "anon-7f3c", "bob-device-42", "carol-99", "SKU-secret-1"}

func TestPseudonymsByDefault(t *testing.T) {
	f := newFixture(t)
	f.track(t, "Product Viewed", connected.Properties{"sku": "SKU-secret-1"})
	for _, p := range pages {
		_, _, body := f.get(t, p)
		for _, s := range secrets {
			assert.NotContains(t, body, s, p)
		}
	}
	_, _, body := f.get(t, "/events")
	assert.Contains(t, body, "identifiers pseudonymised")
	assert.Regexp(t, `title="ps1_[0-9a-f]{32}">ps1_[0-9a-f]{8}…`, body)
	assert.Contains(t, body, ">sku<", "property names are shown")
	_, body = f.post(t, url.Values{"a_type": {"email"}, "a_value": {"alice@example.com"}, "b_type": {"device_id"}, "b_value": {"ios-device-77"}}, "same-origin")
	for _, s := range secrets {
		assert.NotContains(t, body, s)
	}
}

func TestRevealShowsIdentifiersToChosenRequests(t *testing.T) {
	f := newFixture(t, inspect.WithReveal(func(r *http.Request) bool { return r.URL.Query().Get("clear") == "1" }))
	f.track(t, "Product Viewed", connected.Properties{"sku": "SKU-secret-1"})
	_, _, body := f.get(t, "/events?clear=1")
	assert.Contains(t, body, "identifiers in the clear")
	assert.Contains(t, body, "alice@example.com")
	assert.Contains(t, body, "SKU-secret-1", "the payload is shown")
	_, _, body = f.get(t, "/zones?clear=1")
	assert.Contains(t, body, "bob-device-42")
	_, _, body = f.get(t, "/events")
	assert.NotContains(t, body, "alice@example.com")
}

// The pseudonyms are those of the Pseudonymizer given, so that they match
// the ones the deployment emits.
func TestWithPseudonymizer(t *testing.T) {
	p, err := connected.NewPseudonymizer([]byte("deployment-wide-pseudonym-key"))
	require.NoError(t, err)
	f := newFixture(t, inspect.WithPseudonymizer(p))
	_, _, body := f.get(t, "/zones")
	assert.Contains(t, body, p.Pseudonym("alice@example.com"))
}

func TestErrorTextsArePseudonymised(t *testing.T) {
	tap, err := inspect.NewTap()
	require.NoError(t, err)
	fail := connected.HandlerFunc(func(_ context.Context, r *connected.Record) error {
		return errors.New("refused " + r.UserID + " at the till")
	})
	client, err := connected.New(tap.Middleware("till")(fail))
	require.NoError(t, err)
	defer client.Shutdown(context.Background())
	assert.Error(t, client.Track(context.Background(), connected.Event{UserID: "alice@example.com", Event: "Order Completed"}))
	f := newFixture(t, inspect.WithTap(tap))
	_, _, body := f.get(t, "/events")
	assert.NotContains(t, body, "alice@example.com")
	assert.Regexp(t, `refused ps1_[0-9a-f]{32} at the till`, body)
}

func TestEventsPageFilters(t *testing.T) {
	f := newFixture(t)
	f.track(t, "Product Viewed", nil)
	f.track(t, "Order Completed", nil)
	_, _, body := f.get(t, "/events?event=ORDER&dest=client")
	assert.Contains(t, body, "Order Completed")
	assert.NotContains(t, body, "Product Viewed")
	assert.Contains(t, body, `data-stream="stream?after=`)
	status, _, body := f.get(t, "/events?channel="+strings.Repeat("x", 201))
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "filter channel is longer than 200 bytes")
}

func TestDecisionsPage(t *testing.T) {
	f := newFixture(t)
	f.track(t, "Product Viewed", nil)
	f.track(t, "Order Completed", nil)
	_, _, body := f.get(t, "/decisions")
	// analytics delivered both; ads refused both for want of consent.
	assert.Regexp(t, `(?s)>analytics</a>.*?<td>2</td>`, body)
	assert.Regexp(t, `(?s)>ads</a>.*no_consent 2`, body)
	assert.Equal(t, 2, strings.Count(body, `<td class="bad">no_consent</td>`))
	_, _, body = f.get(t, "/decisions?dest=analytics")
	assert.Contains(t, body, "no refusals")
}

func TestZonesPage(t *testing.T) {
	f := newFixture(t)
	_, _, body := f.get(t, "/zones")
	// shoes: one inside, one entering; tills: one inside; entrance: empty.
	assert.Regexp(t, `<rect class="zone h1"[^>]*><title>shoes: 1 inside, 1 entering</title>`, body)
	assert.Regexp(t, `<polygon class="zone h1" points="20.00,0.00 40.00,0.00 40.00,10.00 30.00,14.00 20.00,10.00"`, body)
	assert.Regexp(t, `<rect class="zone h0"[^>]*><title>entrance: 0 inside, 0 entering</title>`, body)
	assert.Equal(t, 3, strings.Count(body, `<circle class="dot`), "stockroom is on no plan")
	assert.Equal(t, 1, strings.Count(body, `<circle class="dot entering"`))
	assert.Contains(t, body, "<li>stockroom: 1 inside, 0 entering</li>")
}

func TestZonesSourceError(t *testing.T) {
	f := newFixture(t, inspect.WithZones(func(context.Context) (beacon.Snapshot, error) {
		return beacon.Snapshot{}, errors.New("tracker <busy>")
	}))
	status, _, body := f.get(t, "/zones")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "zone snapshot failed: tracker &lt;busy&gt;")
}

func TestPlanValidation(t *testing.T) {
	snap := func(context.Context) (beacon.Snapshot, error) { return beacon.Snapshot{}, nil }
	allow := func(*http.Request) error { return nil }
	for name, tc := range map[string]struct {
		plan  inspect.Plan
		field string
	}{
		"no size":       {inspect.Plan{Width: 0, Height: 10}, "Plan[0].Width/Height"},
		"unnamed area":  {inspect.Plan{Width: 10, Height: 10, Areas: []inspect.Area{{W: 1, H: 1}}}, "Plan[0].Areas[0].Zone"},
		"twice":         {inspect.Plan{Width: 10, Height: 10, Areas: []inspect.Area{{Zone: "a", W: 1, H: 1}, {Zone: "a", W: 1, H: 1}}}, "Plan[0].Areas[1].Zone"},
		"outside":       {inspect.Plan{Width: 10, Height: 10, Areas: []inspect.Area{{Zone: "a", X: 5, W: 6, H: 1}}}, "Plan[0].Areas[0]"},
		"short polygon": {inspect.Plan{Width: 10, Height: 10, Areas: []inspect.Area{{Zone: "a", Polygon: []inspect.Point{{X: 1, Y: 1}}}}}, "Plan[0].Areas[0].Polygon"},
		"polygon out":   {inspect.Plan{Width: 10, Height: 10, Areas: []inspect.Area{{Zone: "a", Polygon: []inspect.Point{{X: 1, Y: 1}, {X: 2, Y: 1}, {X: 2, Y: 11}}}}}, "Plan[0].Areas[0].Polygon[2]"},
	} {
		_, err := inspect.New(allow, inspect.WithZones(snap, tc.plan))
		var ce *inspect.ConfigError
		require.ErrorAs(t, err, &ce, name)
		assert.Equal(t, tc.field, ce.Field, name)
	}
}

func TestIdentityPage(t *testing.T) {
	f := newFixture(t)
	status, body := f.post(t, url.Values{"a_type": {"email"}, "a_value": {"alice@example.com"}, "b_type": {"device_id"}, "b_value": {"ios-device-77"}}, "same-origin")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Linked: one profile")
	assert.Equal(t, 2, strings.Count(body, `<line class="edge link"`))
	assert.Contains(t, body, "device_attach")
	assert.Contains(t, body, "web-1")
	assert.Contains(t, body, "app-1")
	assert.NotContains(t, body, `value="alice@example.com"`, "typed identifiers are not echoed")

	status, body = f.post(t, url.Values{"a_type": {"email"}, "a_value": {"alice@example.com"}, "b_type": {"email"}, "b_value": {"nobody@example.com"}}, "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "Not linked")
	assert.Contains(t, body, `<line class="edge nolink"`)
	assert.Contains(t, body, "unknown_identifier")

	status, body = f.post(t, url.Values{"a_type": {"no such type"}, "a_value": {"alice@example.com"}, "b_type": {"email"}, "b_value": {"x@example.com"}}, "")
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Contains(t, body, "identity: ")
	assert.NotContains(t, body, "alice@example.com")

	status, _ = f.post(t, url.Values{"a_type": {"email"}, "a_value": {"alice@example.com"}, "b_type": {"email"}, "b_value": {"x@example.com"}}, "cross-site")
	assert.Equal(t, http.StatusForbidden, status)

	status, _ = f.post(t, url.Values{"a_type": {"email"}, "a_value": {strings.Repeat("a", 600)}, "b_type": {"email"}, "b_value": {"x"}}, "")
	assert.Equal(t, http.StatusBadRequest, status)
}

func TestAudiencesPage(t *testing.T) {
	f := newFixture(t)
	_, _, body := f.get(t, "/audiences")
	order := regexp.MustCompile(`<title>([^:<]+): (\d+)</title>`).FindAllStringSubmatch(body, -1)
	require.Len(t, order, 3)
	assert.Equal(t, []string{"runners", "lapsed buyers", "vip"}, []string{order[0][1], order[1][1], order[2][1]})
	assert.Contains(t, body, "3 audiences, 162 memberships")
	assert.Contains(t, body, `width="420"`, "the largest audience fills the bar")

	f2 := newFixture(t, inspect.WithAudiences(func(context.Context) (map[string]int, error) {
		return nil, errors.New("engine closed")
	}))
	_, _, body = f2.get(t, "/audiences")
	assert.Contains(t, body, "audience counts failed: engine closed")
}

func TestChartsPage(t *testing.T) {
	f := newFixture(t)
	f.track(t, "Product Viewed", nil)
	require.Eventually(t, func() bool {
		_, _, body := f.get(t, "/charts")
		return strings.Contains(body, "<dt>delivered</dt><dd>1</dd>")
	}, 5*time.Second, 50*time.Millisecond, "the sampler picks up the batcher's deliveries")
	_, _, body := f.get(t, "/charts")
	assert.Equal(t, 9, strings.Count(body, `<polyline class="series`))
	_, _, frag := f.get(t, "/charts?fragment=1")
	assert.NotContains(t, frag, "<html")
	assert.Contains(t, frag, "<h1>Delivery and spool</h1>")
}
