package pgstore_test

import (
	"io"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestExamples runs every Example against a fresh schema of the test
// database and checks what it prints (the examples cannot carry Output
// lines: go test would run them without a database).
func TestExamples(t *testing.T) {
	for _, ex := range []struct {
		name string
		fn   func()
		want string
	}{
		{"Open", ExampleOpen, "schema version 2\n"},
		{"Migrate", ExampleMigrate, "migrated to 2\n"},
		{"DB_IdentityStore", ExampleDB_IdentityStore, "same profile: true\n"},
		{"IdentityStore_Batch", ExampleIdentityStore_Batch, "2 facts in one commit; profile members: 3\n"},
		{"DB_ConsentStore", ExampleDB_ConsentStore, "marketing permitted: false\n"},
		{"DB_ActivationStore", ExampleDB_ActivationStore, "action_fired trigger Ping m1\naction_refused already_fired\n"},
	} {
		t.Run(ex.name, func(t *testing.T) {
			u, err := url.Parse(os.Getenv(envURL))
			sch := schema(t) // skips without a database
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Set("search_path", sch)
			u.RawQuery = q.Encode()
			t.Setenv("DATABASE_URL", u.String())
			if got := capture(t, ex.fn); got != ex.want {
				t.Fatalf("Example%s printed %q, want %q", ex.name, got, ex.want)
			}
		})
	}
}

// capture returns what fn prints on stdout.
func capture(t *testing.T, fn func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		var b strings.Builder
		io.Copy(&b, r)
		done <- b.String()
	}()
	defer func() { os.Stdout = stdout }()
	fn()
	w.Close()
	os.Stdout = stdout
	return <-done
}
