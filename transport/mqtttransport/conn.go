package mqtttransport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/eclipse/paho.golang/paho"
)

// Connection defaults of New and NewSource.
const (
	keepAlive      = 30 // seconds
	connectTimeout = 10 * time.Second
)

// dialer starts an owned autopaho connection and remembers the last
// connection error, so that a constructor that gives up can say why.
type dialer struct {
	mu      sync.Mutex
	lastErr error
}

func (d *dialer) onConnectError(err error) {
	d.mu.Lock()
	d.lastErr = err
	d.mu.Unlock()
}

func (d *dialer) last() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.lastErr
}

// parseServerURL checks the broker URL: a scheme autopaho can dial and a
// host.
func parseServerURL(serverURL string) (*url.URL, error) {
	u, err := url.Parse(serverURL)
	if err != nil {
		return nil, fmt.Errorf("mqtttransport: server URL: %w", err)
	}
	switch strings.ToLower(u.Scheme) {
	case "mqtt", "tcp", "tls", "ssl", "mqtts", "mqtt+ssl", "tcps", "ws", "wss":
	default:
		return nil, fmt.Errorf("mqtttransport: server URL %q: scheme %q is not one of mqtt, tcp, tls, ssl, mqtts, ws, wss", serverURL, u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("mqtttransport: server URL %q has no host", serverURL)
	}
	return u, nil
}

// start opens an owned connection to u and waits until it is up or ctx is
// done. up and onPublish may be nil.
func start(ctx context.Context, u *url.URL, cc connConfig,
	up func(*autopaho.ConnectionManager, *paho.Connack), onPublish func(paho.PublishReceived) (bool, error),
) (*autopaho.ConnectionManager, error) {
	id := cc.clientID
	if id == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		id = "touchpoint-" + hex.EncodeToString(b[:])
	}
	d := &dialer{}
	cfg := autopaho.ClientConfig{
		ServerUrls:                    []*url.URL{u},
		KeepAlive:                     keepAlive,
		CleanStartOnInitialConnection: true,
		ReconnectBackoff:              autopaho.NewExponentialBackoff(250*time.Millisecond, 30*time.Second, time.Second, 2),
		ConnectTimeout:                connectTimeout,
		ConnectUsername:               cc.user,
		ConnectPassword:               cc.pass,
		OnConnectionUp:                up,
		OnConnectError:                d.onConnectError,
		ClientConfig:                  paho.ClientConfig{ClientID: id},
	}
	if onPublish != nil {
		cfg.OnPublishReceived = []func(paho.PublishReceived) (bool, error){onPublish}
	}
	for _, f := range cc.tweaks {
		f(&cfg)
	}
	// The connection lives until Shutdown, not until ctx ends: ctx only
	// bounds the wait for the first connection.
	cm, err := autopaho.NewConnection(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("mqtttransport: %w", err)
	}
	if err := cm.AwaitConnection(ctx); err != nil {
		stop(cm)
		if last := d.last(); last != nil {
			err = fmt.Errorf("%w (last attempt: %w)", err, last)
		}
		return nil, fmt.Errorf("mqtttransport: connect to %s: %w", u.Redacted(), err)
	}
	return cm, nil
}

// stop disconnects cm and waits for its goroutines, at most the connect
// timeout.
func stop(cm *autopaho.ConnectionManager) {
	ctx, cancel := context.WithTimeout(context.Background(), connectTimeout)
	defer cancel()
	_ = cm.Disconnect(ctx)
}

// isConnectionDown reports whether err says the connection was down when
// the request was made.
func isConnectionDown(err error) bool {
	return errors.Is(err, autopaho.ConnectionDownError)
}
