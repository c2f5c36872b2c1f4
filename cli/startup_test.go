package cli

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// TestStartupErrorsSayWhatToDo: each way a database cannot be opened gets
// its own one- or two-line sentence naming the place and the fix, the
// driver's text goes to the log, and nothing is created on the way.
func TestStartupErrorsSayWhatToDo(t *testing.T) {
	tmp := t.TempDir()
	notDB := filepath.Join(tmp, "notes.db")
	if err := os.WriteFile(notDB, []byte("shopping list: eggs, flour, milk and a lot more text than a header"), 0o600); err != nil {
		t.Fatal(err)
	}
	locked := filepath.Join(tmp, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	lockedDB := filepath.Join(locked, "crm.db")
	if os.Getuid() == 0 && runtime.GOOS == "linux" {
		lockedDB, locked = "/sys/crm.db", "/sys" // root writes anywhere, but not into sysfs
	}
	pgBase := os.Getenv(storetest.EnvURL)
	noSuchDB := ""
	if u, err := url.Parse(pgBase); err == nil && pgBase != "" {
		u.Path = "/no_such_epic_db"
		noSuchDB = u.String()
	}
	cases := []struct {
		name, db string
		code     int
		want     []string
		skip     bool
	}{
		{"directory missing", filepath.Join(tmp, "nope", "crm.db"), exitFailure,
			[]string{"the directory " + filepath.Join(tmp, "nope") + " does not exist", "mkdir -p"}, false},
		{"directory not writable", lockedDB, exitFailure,
			[]string{"cannot write to " + locked + " (permission denied)", "write access"}, os.Getuid() == 0 && runtime.GOOS != "linux"},
		{"not a database", notDB, exitFailure,
			[]string{notDB + " is not an Epic Events database", "--db or EPIC_DATABASE_URL"}, false},
		{"a directory", tmp, exitFailure, []string{tmp + " is not an Epic Events database"}, false},
		{"nothing listening", "postgres://app:s3cret@127.0.0.1:1/crm?sslmode=disable&connect_timeout=2", exitUnavailable,
			[]string{"PostgreSQL at app@127.0.0.1:1/crm refuses connections", "no server listening there"}, false},
		{"no such database", noSuchDB, exitFailure, []string{"no such database", "createdb"}, pgBase == ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.skip {
				t.Skip("not testable here (root ignores permissions, or no PostgreSQL)")
			}
			e, _, errb, dir := testEnv(t, map[string]string{envDatabaseURL: c.db})
			code := runCmd(t, e, "", "client", "list")
			msg := errb.String()
			if code != c.code {
				t.Errorf("exit %d, want %d: %q", code, c.code, msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("stderr %q lacks %q", msg, w)
				}
			}
			if n := strings.Count(strings.TrimSpace(msg), "\n"); n > 1 || strings.Contains(msg, "s3cret") || strings.Contains(msg, "internal database error") {
				t.Errorf("want one or two lines, no password, no driver jargon: %q", msg)
			}
			if _, err := os.Stat(c.db); c.name == "directory missing" && err == nil {
				t.Errorf("the database file was created in a missing directory")
			}
			if log, err := os.ReadFile(logPath(filepath.Join(dir, "state", "epic-events"))); err != nil || !strings.Contains(string(log), "open database") {
				t.Errorf("the log lacks the detail: %v %q", err, log)
			}
		})
	}
	if _, err := os.Stat(lockedDB); err == nil {
		t.Error("a file appeared in the read-only directory")
	}
}

// TestMigrateStatusCreatesNothing: status on a missing SQLite file says
// so and leaves no file; up prints each migration applied, then the
// version; a second up says it is up to date.
func TestMigrateStatusCreatesNothingAndUpListsWhatItApplied(t *testing.T) {
	db := filepath.Join(t.TempDir(), "crm.db")
	e, out, errb, _ := testEnv(t, map[string]string{envDatabaseURL: db})
	if code := runCmd(t, e, "", "migrate", "status"); code != exitFailure || !strings.Contains(errb.String(), "there is no database at "+db+" yet") {
		t.Errorf("status of a missing file: exit %d, %q", code, errb.String())
	}
	if _, err := os.Stat(db); err == nil {
		t.Fatal("migrate status created the database file")
	}
	errb.Reset()
	if code := runCmd(t, e, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, errb.String())
	}
	applied := regexp.MustCompile(`(?m)^applied  \d{5}_\w+\.sql$`).FindAllString(out.String(), -1)
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if pending, err := s.Pending(ctx); err != nil || pending != 0 || len(applied) < 3 ||
		!regexp.MustCompile(`\d+ migration\(s\) applied, schema at version \d+\n$`).MatchString(out.String()) {
		t.Errorf("migrate up printed %q (pending after: %d, %v)", out.String(), pending, err)
	}
	out.Reset()
	if code := runCmd(t, e, "", "migrate", "up"); code != 0 || !strings.Contains(out.String(), "schema is up to date (version") {
		t.Errorf("second migrate up: exit %d, %q", code, out.String())
	}
	out.Reset()
	if code := runCmd(t, e, "", "migrate", "status"); code != 0 || strings.Count(out.String(), "applied") < 3 {
		t.Errorf("migrate status: exit %d, %q", code, out.String())
	}
}

// TestDemoCountsDeposits: the payments the demo reports are the payments
// the database holds (deposits included).
func TestDemoCountsDeposits(t *testing.T) {
	if testing.Short() {
		t.Skip("demo takes a few seconds")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	e, out, errb, _ := testEnv(t, map[string]string{envDatabaseURL: db})
	if code := runCmd(t, e, "", "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errb.String())
	}
	m := regexp.MustCompile(`(\d+) payments`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no payment count in %q", out.String())
	}
	ctx := context.Background()
	s, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n := 0
	q := domain.ListQuery{Limit: 500}
	for {
		p, err := s.Contracts().List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			ps, err := s.Contracts().Payments(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			n += len(ps)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if m[1] != strconv.Itoa(n) {
		t.Errorf("demo says %s payments, the database holds %d", m[1], n)
	}
}
