package inspect_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-sdk/touchpoint/connected"
	"github.com/touchpoint-sdk/touchpoint/inspect"
)

// FuzzEventEscaping puts any event name, property key, point and user id
// through a tap onto the events page and the stream: the page never
// contains markup-significant input unescaped, the stream's JSON gives the
// name back exactly, and the user id never shows in the clear.
func FuzzEventEscaping(f *testing.F) {
	f.Add("Order Completed", "sku", "client", "alice@example.com")
	f.Add(`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`, "</td><td>", "u")
	f.Add("Zone Entered", "zone", "ads & analytics", "ps1_0123456789abcdef0123456789abcdef")
	f.Add("{{.Secret}}", "javascript:alert(1)", "'", "\u2028\u2029")
	f.Fuzz(func(t *testing.T, name, key, point, user string) {
		page := func(name, key, point, user string) (*inspect.Handler, string) {
			fixed := func() time.Time { return time.Unix(0, 0) }
			tap, err := inspect.NewTap(inspect.WithCapacity(4), inspect.WithTapClock(fixed))
			if err != nil {
				t.Fatal(err)
			}
			rec := &connected.Record{ID: "m-1", Type: connected.TypeTrack, Time: time.Unix(0, 0), UserID: user,
				Event: &connected.Event{Type: connected.TypeTrack, Event: name, UserID: user, Properties: connected.Properties{key: 1}}}
			_ = tap.Middleware(point)(connected.HandlerFunc(func(context.Context, *connected.Record) error { return nil })).Handle(context.Background(), rec)
			h, err := inspect.New(func(*http.Request) error { return nil }, inspect.WithTap(tap), inspect.WithClock(fixed))
			if err != nil {
				t.Fatal(err)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/events", nil))
			return h, w.Body.String()
		}
		hb, baseline := page("N", "K", "P", "U")
		_ = hb.Shutdown(context.Background())
		h, body := page(name, key, point, user)
		defer h.Shutdown(context.Background())
		// Input shown unescaped would add occurrences of itself to the page
		// (a lone & is not tested: its escape, &amp;, starts with it).
		for _, in := range []string{name, key, point} {
			if strings.ContainsAny(in, `<>"'`) && strings.Count(body, in) > strings.Count(baseline, in) {
				t.Fatalf("%q appears unescaped", in)
			}
		}
		if u := html.EscapeString(user); len(user) >= 8 && !strings.HasPrefix(user, connected.PseudonymPrefix) &&
			strings.Count(body, u) > strings.Count(baseline, u) {
			t.Fatalf("user id %q shown in the clear", user)
		}

		// The stream, from the start: one message with the row.
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		pr := newPipeRecorder()
		req := httptest.NewRequest(http.MethodGet, "/stream?after=0", nil).WithContext(ctx)
		done := make(chan struct{})
		go func() { defer close(done); h.ServeHTTP(pr, req) }()
		data := pr.waitData(t)
		cancel()
		<-done
		var row struct {
			Name  string `json:"name"`
			Point string `json:"point"`
		}
		if err := json.Unmarshal([]byte(data), &row); err != nil {
			t.Fatalf("stream data %q: %v", data, err)
		}
		if utf8.ValidString(name) && name != "" && row.Name != name {
			t.Fatalf("name %q came back as %q", name, row.Name)
		}
		if strings.ContainsAny(data, "<>") {
			t.Fatalf("stream data not escaped: %q", data)
		}
	})
}

// pipeRecorder is a ResponseWriter whose body can be read while the
// handler still writes.
type pipeRecorder struct {
	header http.Header
	data   chan string
	buf    strings.Builder
}

func newPipeRecorder() *pipeRecorder {
	return &pipeRecorder{header: http.Header{}, data: make(chan string, 16)}
}

func (p *pipeRecorder) Header() http.Header { return p.header }
func (p *pipeRecorder) WriteHeader(int)     {}
func (p *pipeRecorder) Flush()              {}
func (p *pipeRecorder) Write(b []byte) (int, error) {
	p.buf.Write(b)
	for {
		s := p.buf.String()
		i := strings.Index(s, "\n\n")
		if i < 0 {
			break
		}
		msg := s[:i]
		p.buf.Reset()
		p.buf.WriteString(s[i+2:])
		named, data := false, ""
		for _, line := range strings.Split(msg, "\n") {
			named = named || strings.HasPrefix(line, "event: ")
			if strings.HasPrefix(line, "data: ") {
				data = line[6:]
			}
		}
		if !named && data != "" {
			select {
			case p.data <- data:
			default:
			}
		}
	}
	return len(b), nil
}

func (p *pipeRecorder) waitData(t *testing.T) string {
	select {
	case d := <-p.data:
		return d
	case <-time.After(10 * time.Second):
		t.Fatal("no data on the stream")
		return ""
	}
}
