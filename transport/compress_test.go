package transport_test

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/touchpoint-sdk/touchpoint/transport"
)

// rawCapture keeps each request's Content-Encoding and raw body.
type rawCapture struct {
	mu     sync.Mutex
	enc    []string
	bodies [][]byte
}

func (c *rawCapture) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.enc = append(c.enc, r.Header.Get("Content-Encoding"))
	c.bodies = append(c.bodies, b)
	c.mu.Unlock()
}

// TestCompressionRoundTrip: every Compression sends the identity body's
// bytes under its Content-Encoding, decodable by a standard decoder (the
// standard library's gzip reader, klauspost's zstd decoder), concurrently
// and with pooled writers reused across requests.
func TestCompressionRoundTrip(t *testing.T) {
	ctx := context.Background()
	batch := recs(300)
	var identity []byte
	for _, c := range []transport.Compression{transport.CompressionNone, transport.CompressionGzip, transport.CompressionZstd} {
		rc := &rawCapture{}
		srv := newServer(t, rc)
		h, err := transport.NewSegment(srv.URL, "k", transport.WithCompression(c),
			transport.WithHTTPClock(func() time.Time { return t0 }))
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if err := h.Send(ctx, batch); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		_ = h.Shutdown(ctx)
		if len(rc.bodies) != 8 {
			t.Fatalf("%v: %d requests", c, len(rc.bodies))
		}
		for i, b := range rc.bodies {
			wantEnc := c.String()
			if c == transport.CompressionNone {
				wantEnc = ""
			}
			if rc.enc[i] != wantEnc {
				t.Errorf("%v: Content-Encoding %q", c, rc.enc[i])
			}
			var plain []byte
			switch c {
			case transport.CompressionNone:
				plain = b
			case transport.CompressionGzip:
				zr, err := stdgzip.NewReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if plain, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			case transport.CompressionZstd:
				d, err := zstd.NewReader(nil)
				if err != nil {
					t.Fatal(err)
				}
				if plain, err = d.DecodeAll(b, nil); err != nil {
					t.Fatalf("zstd body does not decode: %v", err)
				}
				d.Close()
			}
			if identity == nil {
				identity = plain
			}
			if !bytes.Equal(plain, identity) {
				t.Errorf("%v: request %d decodes to other bytes than the identity body", c, i)
			}
			if c != transport.CompressionNone && len(b) >= len(identity)/2 {
				t.Errorf("%v: %d bytes for a %d-byte body", c, len(b), len(identity))
			}
		}
	}
	if !strings.HasPrefix(string(identity), `{"batch":[`) {
		t.Errorf("identity body %.40q", identity)
	}
}

// TestCompressionRefusesUnknown: an unknown Compression fails the
// constructor, naming the option.
func TestCompressionRefusesUnknown(t *testing.T) {
	_, err := transport.NewSegment("http://127.0.0.1:1", "k", transport.WithCompression(transport.Compression(9)))
	if err == nil || !strings.Contains(err.Error(), "WithCompression") {
		t.Fatalf("err = %v", err)
	}
	if transport.Compression(9).String() != "Compression(9)" || transport.CompressionZstd.String() != "zstd" {
		t.Error("String")
	}
}
