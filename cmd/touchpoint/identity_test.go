package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-sdk/touchpoint/identity"
)

const testSecret = "identity-cli-test-secret-0123456789"

// identityStore writes a graph to a FileStore: Ana's phone and login, her
// email on a later event, and Bob, who logged in on a tablet of his own.
func identityStore(t *testing.T) (dir, secretFile string) {
	t.Helper()
	dir = t.TempDir()
	secretFile = filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(testSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	g, err := identity.New([]byte(testSecret), identity.WithStore(st))
	if err != nil {
		t.Fatal(err)
	}
	at := func(h int) time.Time { return time.Date(2026, 3, 1, h, 0, 0, 0, time.UTC) }
	ids := func(kv ...string) []identity.Identifier {
		var out []identity.Identifier
		for i := 0; i < len(kv); i += 2 {
			out = append(out, identity.Identifier{Type: identity.Type(kv[i]), Value: kv[i+1]})
		}
		return out
	}
	for _, o := range []identity.Observation{
		{EventID: "e-1", Time: at(9), IDs: ids("device_id", "ios-ana-77", "user_id", "u-ana")},
		{EventID: "e-2", Time: at(10), IDs: ids("user_id", "u-ana", "email", "Ana@Example.com")},
		{EventID: "e-3", Time: at(11), IDs: ids("device_id", "tablet-bob-1", "user_id", "u-bob")},
	} {
		if _, err := g.Link(context.Background(), o); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, secretFile
}

func TestIdentityExplain(t *testing.T) {
	dir, secret := identityStore(t)
	flags := []string{"--store", dir, "--secret-file", secret}
	explain := func(args ...string) []string {
		return append(append([]string{"identity", "explain"}, flags...), args...)
	}
	for _, s := range []script{
		{name: "linked", args: explain("device_id:ios-ana-77", "email:ana@example.com"), golden: "identity_linked.txt", never: "ana"},
		{name: "linked json", args: explain("--json", "device_id:ios-ana-77", "email:ana@example.com"), golden: "identity_linked.json", never: "ana"},
		{name: "not linked", args: explain("user_id:u-ana", "user_id:u-bob"), golden: "identity_not_linked.txt", never: "bob"},
		{name: "profile", args: explain("email:ana@example.com"), golden: "identity_profile.txt", never: "ana"},
		{name: "bad identifier", args: explain("ana@example.com"), code: exitUsage, err: "identifier 1: want type:value"},
		{name: "unknown type", args: explain("shoe_size:42"), code: exitFail, err: "identity:"},
		{name: "no store", args: []string{"identity", "explain", "email:a@b.c"}, code: exitUsage, err: "--store and --secret-file are required"},
		{name: "missing store", args: []string{"identity", "explain", "--store", filepath.Join(dir, "nope"), "--secret-file", secret, "email:a@b.c"},
			code: exitFail, err: "no such directory"},
	} {
		t.Run(s.name, s.run)
	}
	// The JSON says linked, with a path of two steps through u-ana.
	out, _, code := cli(t, "", explain("--json", "device_id:ios-ana-77", "email:ana@example.com")...)
	var v explainView
	if err := json.Unmarshal([]byte(out), &v); err != nil || code != 0 || v.Linked == nil || !*v.Linked || len(v.Path) != 2 ||
		v.Path[0].EventID != "e-1" || v.Path[1].EventID != "e-2" || !isPseudonym(v.ProfileA) {
		t.Fatalf("explain --json = %+v (exit %d, %v)", v, code, err)
	}
	// --reveal shows the profile id itself.
	out, _, _ = cli(t, "", explain("--reveal", "email:ana@example.com")...)
	if !strings.Contains(out, "profile     p_") || !strings.Contains(out, "identifier  email:ana@example.com") {
		t.Fatalf("--reveal:\n%s", out)
	}
	// Another secret: a clear refusal.
	other := filepath.Join(t.TempDir(), "other")
	if err := os.WriteFile(other, []byte("another-secret-0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := cli(t, "", "identity", "explain", "--store", dir, "--secret-file", other, "user_id:u-ana")
	if code != exitFail || !strings.Contains(errOut, "check --secret-file") {
		t.Fatalf("wrong secret: exit %d, %q", code, errOut)
	}
}

func TestIdentityExplainLocked(t *testing.T) {
	dir, secret := identityStore(t)
	st, err := identity.OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, errOut, code := cli(t, "", "identity", "explain", "--store", dir, "--secret-file", secret, "user_id:u-ana")
	if code != exitFail || !strings.Contains(errOut, "open in another process") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}
