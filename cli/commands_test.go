package cli

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
)

// sandbox runs commands in-process against one database, with its own
// XDG directories (so its own session file), as a script would.
type sandbox struct {
	t         *testing.T
	e         env
	out, errb *bytes.Buffer
	dsn       string
}

// newSandbox uses dsn, or a SQLite file of its own when dsn is "".
func newSandbox(t *testing.T, dsn string) *sandbox {
	t.Helper()
	if dsn == "" {
		dsn = filepath.Join(t.TempDir(), "crm.db")
	}
	e, out, errb, _ := testEnv(t, map[string]string{envDatabaseURL: dsn})
	return &sandbox{t: t, e: e, out: out, errb: errb, dsn: dsn}
}

// run runs one command line and returns its exit code, stdout and stderr.
func (s *sandbox) run(stdin string, args ...string) (int, string, string) {
	s.t.Helper()
	s.out.Reset()
	s.errb.Reset()
	code := runCmd(s.t, s.e, stdin, args...)
	return code, s.out.String(), s.errb.String()
}

// ok runs a command that must succeed and returns its stdout.
func (s *sandbox) ok(stdin string, args ...string) string {
	s.t.Helper()
	code, out, errs := s.run(stdin, args...)
	if code != 0 {
		s.t.Fatalf("epic-events %s: exit %d\nstderr: %s", strings.Join(args, " "), code, errs)
	}
	return out
}

// id runs a command with -o json and returns the record's id.
func (s *sandbox) id(stdin string, args ...string) int64 {
	s.t.Helper()
	out := s.ok(stdin, append(args, "-o", "json")...)
	var rec struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &rec); err != nil || rec.ID == 0 {
		s.t.Fatalf("epic-events %s printed %q: %v", strings.Join(args, " "), out, err)
	}
	return rec.ID
}

// store opens the database directly, to check what the commands did.
func (s *sandbox) store() *store.DB {
	s.t.Helper()
	db, err := store.Open(context.Background(), s.dsn)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(func() { _ = db.Close() })
	return db
}

// audit returns the newest audit entries, newest first.
func (s *sandbox) audit(n int) []domain.AuditEntry {
	s.t.Helper()
	p, err := s.store().Audit().List(context.Background(), domain.ListQuery{Sort: domain.SortAt, Limit: n})
	if err != nil {
		s.t.Fatal(err)
	}
	return p.Items
}

const (
	anaPassword = "velours-orage-cerise-42"
	leoPassword = "brume-falaise-galet-77"
	zoePassword = "lavande-phare-citron-31"
)

// team bootstraps a manager (Ana), a salesman (Léo) and a support (Zoé)
// through the commands, and leaves Ana logged in.
func (s *sandbox) team() {
	s.t.Helper()
	s.ok(anaPassword+"\n", "migrate", "up")
	s.ok(anaPassword+"\n", "user", "create", "--role", "management", "--email", "ana.roux@epic-events.fr", "--name", "Ana Roux")
	s.login("ana.roux@epic-events.fr", anaPassword)
	s.ok(leoPassword+"\n", "user", "create", "--role", "sales", "--email", "leo.blanc@epic-events.fr", "--name", "Léo Blanc")
	s.ok(zoePassword+"\n", "user", "create", "--role", "support", "--email", "zoe.petit@epic-events.fr", "--name", "Zoé Petit")
}

func (s *sandbox) login(email, password string) {
	s.t.Helper()
	s.ok(password+"\n", "login", email)
}

// A whole sale, purely through commands, then read from the database.
func TestScriptedSaleThroughCommands(t *testing.T) {
	s := newSandbox(t, "")
	s.team()
	if out := s.ok("", "whoami", "-o", "json"); !strings.Contains(out, `"role":"management"`) {
		t.Errorf("whoami: %s", out)
	}

	s.login("leo.blanc@epic-events.fr", leoPassword)
	client := s.id("", "client", "create", "--name", "Kevin Casey", "--email", "kevin@startup.io", "--phone", "+33 6 12 34 56 78", "--company", "Cool Startup LLC")

	s.login("ana.roux@epic-events.fr", anaPassword)
	contract := s.id("", "contract", "create", "--client", "kevin@startup.io", "--total", "12 000")
	s.ok("", "contract", "sign", strconv.FormatInt(contract, 10))

	s.login("leo.blanc@epic-events.fr", leoPassword)
	s.ok("", "contract", "pay", strconv.FormatInt(contract, 10), "--amount", "1500", "--note", "bank transfer")
	event := s.id("", "event", "create", "--contract", strconv.FormatInt(contract, 10), "--name", "Casey wedding",
		"--start", "2030-06-20 15:00", "--end", "2030-06-21 02:00", "--location", "Lyon", "--attendees", "120")

	s.login("ana.roux@epic-events.fr", anaPassword)
	s.ok("", "event", "assign-support", strconv.FormatInt(event, 10), "zoe.petit@epic-events.fr")

	ctx := context.Background()
	db := s.store()
	c, err := db.Clients().Get(ctx, client)
	if err != nil || c.SalesContactName != "Léo Blanc" || c.CompanyName != "Cool Startup LLC" {
		t.Errorf("client: %+v %v", c, err)
	}
	k, err := db.Contracts().Get(ctx, contract)
	if err != nil || k.Status != domain.ContractSigned || k.TotalCents != 1_200_000 || k.RemainingCents != 1_050_000 || k.SignedByName != "Ana Roux" {
		t.Errorf("contract: %+v %v", k, err)
	}
	ev, err := db.Events().Get(ctx, event)
	if err != nil || ev.SupportContactName != "Zoé Petit" || ev.ContractID != contract || ev.Attendees != 120 {
		t.Errorf("event: %+v %v", ev, err)
	}
	var actions []string
	for _, a := range s.audit(50) {
		actions = append(actions, a.Action)
	}
	for _, want := range []string{"client.create", "contract.create", "contract.sign", "payment.create", "event.create", "event.assign_support"} {
		if !slices.Contains(actions, want) {
			t.Errorf("no %s in the audit log: %v", want, actions)
		}
	}

	// The session ends with logout, for the commands as for the UI.
	s.ok("", "logout")
	if code, out, errs := s.run("", "client", "list"); code != exitSession || out != "" || !strings.Contains(errs, "login") {
		t.Errorf("after logout: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A sample of the permission matrix through the commands: each refusal
// exits 4 with one line on stderr, writes its *.denied audit row, and
// changes nothing.
func TestRefusalsThroughCommands(t *testing.T) {
	s := newSandbox(t, "")
	s.team()
	s.login("leo.blanc@epic-events.fr", leoPassword)
	s.ok("", "client", "create", "--name", "Kevin Casey", "--email", "kevin@startup.io")
	s.login("ana.roux@epic-events.fr", anaPassword)
	contract := strconv.FormatInt(s.id("", "contract", "create", "--client", "kevin@startup.io", "--total", "5000"), 10)
	s.ok("", "contract", "sign", contract)
	s.login("leo.blanc@epic-events.fr", leoPassword)
	event := strconv.FormatInt(s.id("", "event", "create", "--contract", contract, "--name", "Gala",
		"--start", "2030-01-10 18:00", "--end", "2030-01-10 23:00"), 10)

	ctx := context.Background()
	snapshot := func() string {
		db := s.store()
		cl, _ := db.Clients().List(ctx, domain.ListQuery{Limit: 500})
		ks, _ := db.Contracts().List(ctx, domain.ListQuery{Limit: 500})
		es, _ := db.Events().List(ctx, domain.ListQuery{Limit: 500})
		us, _ := db.Users().List(ctx, domain.ListQuery{Limit: 500})
		codes, _ := db.Perms().ForRole(ctx, domain.RoleSales)
		b, _ := json.Marshal([]any{cl.Items, ks.Items, es.Items, us.Items, codes})
		return string(b)
	}
	for _, c := range []struct {
		who, password string
		args          []string
		denied        string
	}{
		{"leo.blanc@epic-events.fr", leoPassword, []string{"contract", "create", "--client", "kevin@startup.io", "--total", "10"}, "contract.create.denied"},
		{"leo.blanc@epic-events.fr", leoPassword, []string{"event", "assign-support", event, "zoe.petit@epic-events.fr"}, "event.assign_support.denied"},
		{"leo.blanc@epic-events.fr", leoPassword, []string{"user", "deactivate", "zoe.petit@epic-events.fr"}, "user.deactivate.denied"},
		{"leo.blanc@epic-events.fr", leoPassword, []string{"role", "grant", "sales", "contract:create:own_client"}, "role.grant.denied"},
		{"leo.blanc@epic-events.fr", leoPassword, []string{"client", "delete", "1", "--yes"}, "client.delete.denied"},
		{"zoe.petit@epic-events.fr", zoePassword, []string{"client", "create", "--name", "Nina Roy", "--email", "nina@roy.fr"}, "client.create.denied"},
		{"zoe.petit@epic-events.fr", zoePassword, []string{"contract", "pay", contract, "--amount", "10"}, "payment.create.denied"},
		{"zoe.petit@epic-events.fr", zoePassword, []string{"event", "update", event, "--status", "confirmed"}, "event.update.denied"},
	} {
		t.Run(strings.Join(c.args[:2], " "), func(t *testing.T) {
			s.login(c.who, c.password)
			before := snapshot()
			code, out, errs := s.run("", c.args...)
			if code != exitRefused {
				t.Fatalf("exit %d, want %d; stderr %q", code, exitRefused, errs)
			}
			if out != "" || strings.Count(errs, "\n") != 1 {
				t.Errorf("stdout %q, stderr %q: want nothing and one line", out, errs)
			}
			if got := s.audit(1); len(got) != 1 || got[0].Action != c.denied {
				t.Errorf("newest audit entry %+v, want %s", got, c.denied)
			}
			if after := snapshot(); after != before {
				t.Errorf("a refused command changed the database")
			}
		})
	}

	// An import refused for permission: one *.denied row (the one written
	// inside the import's transaction is rolled back with it), nothing made.
	t.Run("client import", func(t *testing.T) {
		s.login("zoe.petit@epic-events.fr", zoePassword)
		file := filepath.Join(t.TempDir(), "c.csv")
		if err := os.WriteFile(file, []byte("full_name,email\nNina Roy,nina@roy.fr\nOlga Roy,olga@roy.fr\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		before, audits := snapshot(), len(s.audit(500))
		if code, _, errs := s.run("", "client", "import", file); code != exitRefused || !strings.Contains(errs, "line 2: ") {
			t.Errorf("exit %d, stderr %q", code, errs)
		}
		got := s.audit(500)
		if len(got) != audits+1 || got[0].Action != "client.create.denied" {
			t.Errorf("%d new audit entries (want 1), newest %+v", len(got)-audits, got[0])
		}
		if snapshot() != before {
			t.Error("a refused import changed the database")
		}
	})

	// The same refusal as a JSON error object on stderr.
	s.login("zoe.petit@epic-events.fr", zoePassword)
	code, out, errs := s.run("", "client", "create", "--name", "Nina Roy", "--email", "nina@roy.fr", "-o", "json")
	var je jsonError
	if err := json.Unmarshal([]byte(errs), &je); err != nil || code != exitRefused || out != "" || je.Error.Code != "refused" || je.Error.Exit != exitRefused {
		t.Errorf("-o json refusal: exit %d, stdout %q, stderr %q (%v)", code, out, errs, err)
	}
}

func TestExitCodes(t *testing.T) {
	s := newSandbox(t, "")
	if code, _, errs := s.run("", "client", "list"); code != exitSession || !strings.Contains(errs, "epic-events login") {
		t.Errorf("not logged in: exit %d, %q", code, errs)
	}
	s.team()
	s.login("leo.blanc@epic-events.fr", leoPassword)
	id := strconv.FormatInt(s.id("", "client", "create", "--name", "Kevin Casey", "--email", "kevin@startup.io"), 10)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"not found", []string{"client", "show", "999"}, exitNotFound, "client #999 not found"},
		{"bad id", []string{"client", "show", "abc"}, exitUsage, `ID "abc"`},
		{"missing field", []string{"client", "create", "--name", "X"}, exitUsage, "missing --email"},
		{"invalid", []string{"client", "create", "--name", "X", "--email", "not-an-email"}, exitInvalid, "email: "},
		{"duplicate", []string{"client", "create", "--name", "X", "--email", "KEVIN@startup.io"}, exitInvalid, "already exists"},
		{"stale version", []string{"client", "update", id, "--phone", "01 23 45 67 89", "--if-version", "7"}, exitConflict, "reload"},
		{"bad filter", []string{"contract", "list", "--filter", "cheap"}, exitUsage, "unsigned, unpaid, mine"},
		{"bad format", []string{"client", "list", "-o", "xml"}, exitUsage, "table, json, jsonl, csv"},
		{"unknown command", []string{"clients"}, exitUsage, "did you mean client"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, out, errs := s.run("", c.args...)
			if code != c.code || !strings.Contains(errs, c.want) || out != "" {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q (want %q)", code, c.code, out, errs, c.want)
			}
		})
	}
	// A database that is not there: exit 8, without the URL's password.
	down := newSandbox(t, "postgres://app:s3cret@127.0.0.1:1/crm?sslmode=disable&connect_timeout=2")
	if code, _, errs := down.run("", "client", "list"); code != exitUnavailable || strings.Contains(errs, "s3cret") {
		t.Errorf("database down: exit %d, %q", code, errs)
	}
}

// Lists stream through the keyset cursor: --all reads every page, --limit
// stops where asked, and the filters are the UI's.
func TestListPagesAndFilters(t *testing.T) {
	s := newSandbox(t, "")
	s.team()
	s.login("leo.blanc@epic-events.fr", leoPassword)
	var b strings.Builder
	b.WriteString("full_name,email\n")
	const n = 1203 // more than two pages of 500
	for i := range n {
		b.WriteString("Client " + strconv.Itoa(i) + ",c" + strconv.Itoa(i) + "@example.com\n")
	}
	path := filepath.Join(t.TempDir(), "many.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	s.ok("", "client", "import", path)
	recs, err := csv.NewReader(strings.NewReader(s.ok("", "client", "list", "--all", "-o", "csv"))).ReadAll()
	if err != nil || len(recs) != n+1 {
		t.Fatalf("--all: %d records (%v), want %d and a header", len(recs), err, n)
	}
	ids := map[string]bool{}
	for _, r := range recs[1:] {
		ids[r[0]] = true
	}
	if len(ids) != n {
		t.Errorf("--all printed %d distinct clients, want %d", len(ids), n)
	}
	if lines := strings.Count(s.ok("", "client", "list", "--limit", "7", "-o", "jsonl"), "\n"); lines != 7 {
		t.Errorf("--limit 7 printed %d lines", lines)
	}
	if out := s.ok("", "client", "list", "--search", "client 120", "--sort", "name", "-o", "csv"); strings.Count(out, "\n") != 5 {
		t.Errorf("--search 'client 120': %q", out)
	}
	if out := s.ok("", "client", "list", "--filter", "mine", "--limit", "1", "-o", "json"); !strings.Contains(out, "Léo Blanc") {
		t.Errorf("--filter mine: %q", out)
	}
}

func TestImportDryRunSaysWhichLines(t *testing.T) {
	s := newSandbox(t, "")
	s.team()
	s.login("leo.blanc@epic-events.fr", leoPassword)
	existing := s.id("", "client", "create", "--name", "Kevin Casey", "--email", "kevin@startup.io")
	file := filepath.Join(t.TempDir(), "clients.csv")
	content := "email,full_name,phone,company\n" + // columns in any order
		"nina@roy.fr,Nina Roy,01 23 45 67 89,Roy SA\n" +
		"bad@phone.fr,Bad Phone,12,\n" +
		"KEVIN@startup.io,Kevin Again,,\n" +
		"nina@roy.fr,Nina Twice,,\n" +
		"nobody@x.fr,,,\n" +
		"\"unterminated@x.fr,Quote\n"
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	count := func() int {
		p, err := s.store().Clients().List(context.Background(), domain.ListQuery{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return len(p.Items)
	}
	before, audits := count(), len(s.audit(500))
	for _, dry := range []bool{true, false} {
		args := []string{"client", "import", file}
		if dry {
			args = append(args, "--dry-run")
		}
		code, out, errs := s.run("", args...)
		want := []string{
			"line 3: phone: enter a phone number with 6 to 20 digits",
			"line 4: email: already used by client #" + strconv.FormatInt(existing, 10),
			"line 5: email: already used on line 2",
			"line 6: full_name: enter the client's full name",
			"line 7: not valid CSV",
			"epic-events: 5 rows refused (listed above): nothing was imported",
		}
		if code != exitInvalid || out != "" {
			t.Errorf("dry run %v: exit %d, stdout %q", dry, code, out)
		}
		for _, w := range want {
			if !strings.Contains(errs, w) {
				t.Errorf("dry run %v: stderr lacks %q:\n%s", dry, w, errs)
			}
		}
		if count() != before || len(s.audit(500)) != audits {
			t.Errorf("dry run %v: a refused import changed the database", dry)
		}
	}

	// --partial imports the one good row and still reports the others.
	if code, _, errs := s.run("", "client", "import", file, "--partial"); code != exitInvalid ||
		!strings.Contains(errs, "imported 1 client; 5 rows refused") || count() != before+1 {
		t.Errorf("--partial: exit %d, %d clients (want %d), %q", code, count(), before+1, errs)
	}
	before = count()

	// Fixed, the dry run passes and changes nothing; the import creates
	// every row with its audit entry.
	fixed := "full_name,email\nPaul Roy,paul@roy.fr\nOlga Roy,olga@roy.fr\n"
	if err := os.WriteFile(file, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := s.run("", "client", "import", file, "--dry-run"); code != 0 || !strings.Contains(errs, "2 clients would be imported") || count() != before {
		t.Errorf("clean dry run: exit %d, %q", code, errs)
	}
	if code, _, errs := s.run("", "client", "import", file); code != 0 || count() != before+2 {
		t.Errorf("import: exit %d, %q", code, errs)
	}
	got := s.audit(2)
	if len(got) != 2 || got[0].Action != "client.create" || got[1].Action != "client.create" || got[0].ActorName != "Léo Blanc" {
		t.Errorf("audit after import: %+v", got)
	}
	if code, _, errs := s.run("", "client", "import", file, "--dry-run"); code != exitInvalid || !strings.Contains(errs, "line 2: email: already used by client #") {
		t.Errorf("re-import: exit %d, %q", code, errs)
	}
	if code, _, errs := s.run("", "client", "import", filepath.Join(t.TempDir(), "none.csv")); code != exitUsage {
		t.Errorf("missing file: exit %d, %q", code, errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	_ = os.WriteFile(bad, []byte("full_name,emial\nA,a@b.fr\n"), 0o600)
	if code, _, errs := s.run("", "client", "import", bad); code != exitInvalid || !strings.Contains(errs, `unknown column "emial"`) {
		t.Errorf("misspelt column: exit %d, %q", code, errs)
	}
}

// exportRoundTrip fills a database with demo data, exports its clients and
// contracts, imports them into a fresh database through the commands, and
// checks that the second export says the same.
func exportRoundTrip(t *testing.T, from, to string) {
	a := newSandbox(t, from)
	demo := a.ok("", "demo")
	logins := map[string][2]string{}
	for _, l := range strings.Split(demo, "\n") {
		f := strings.Fields(l)
		if len(f) == 3 && strings.Contains(f[1], "@") {
			logins[f[0]] = [2]string{f[1], f[2]}
		}
	}
	manager := logins["management"]
	a.login(manager[0], manager[1])
	clients := a.ok("", "client", "list", "--all", "-o", "csv")
	contracts := a.ok("", "contract", "list", "--all", "-o", "csv")
	sales, err := csv.NewReader(strings.NewReader(a.ok("", "user", "list", "--role", "sales", "--all", "-o", "csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}

	b := newSandbox(t, to)
	b.ok(manager[1]+"\n", "user", "create", "--role", "management", "--email", manager[0], "--name", "Manager")
	b.login(manager[0], manager[1])
	for _, u := range sales[1:] {
		b.ok(leoPassword+"\n", "user", "create", "--role", "sales", "--email", u[3], "--name", u[2])
	}
	// Only sales create clients by default; the migration is a manager's,
	// who grants it to themselves first (audited like any grant).
	b.ok("", "role", "grant", "management", "client:create:any")
	dir := t.TempDir()
	for name, data := range map[string]string{"clients.csv": clients, "contracts.csv": contracts} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b.ok("", "client", "import", filepath.Join(dir, "clients.csv"))
	b.ok("", "contract", "import", filepath.Join(dir, "contracts.csv"))

	same := func(what, x, y string, drop ...string) {
		t.Helper()
		nx, ny := comparable(t, x, drop), comparable(t, y, drop)
		if len(nx) < 3 {
			t.Fatalf("%s: the export is nearly empty: %q", what, x)
		}
		if !slices.Equal(nx, ny) {
			t.Errorf("%s differ after the round trip:\n%s\n---\n%s", what, strings.Join(nx, "\n"), strings.Join(ny, "\n"))
		}
	}
	same("clients", clients, b.ok("", "client", "list", "--all", "-o", "csv"),
		"id", "sales_contact_id", "created_at", "updated_at", "version")
	same("contracts", contracts, b.ok("", "contract", "list", "--all", "-o", "csv"),
		"id", "client_id", "created_at", "signed_at", "signed_by", "event_id", "version")
}

// comparable is a CSV export without the columns that depend on the
// database (ids, dates), one sorted line per record.
func comparable(t *testing.T, data string, drop []string) []string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs[1:] {
		var keep []string
		for i, v := range r {
			if !slices.Contains(drop, recs[0][i]) {
				keep = append(keep, recs[0][i]+"="+v)
			}
		}
		out = append(out, strings.Join(keep, "|"))
	}
	slices.Sort(out)
	return out
}

func TestExportImportRoundTripSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo data takes a few seconds")
	}
	exportRoundTrip(t, "", "")
}

func TestExportImportRoundTripPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo data takes a few seconds")
	}
	from, to := pgDatabase(t), pgDatabase(t)
	for _, dsn := range []string{from, to} {
		s := newSandbox(t, dsn)
		s.ok("", "migrate", "up")
	}
	exportRoundTrip(t, from, to)
}

func TestCompletionAndManPage(t *testing.T) {
	s := newSandbox(t, "")
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out := s.ok("", "completion", shell)
		if len(out) < 1000 || !strings.Contains(out, "epic-events") {
			t.Errorf("%s completion: %d bytes", shell, len(out))
		}
	}
	man := s.ok("", "man")
	for _, want := range []string{".TH", "List clients", "assign-support", "Exit codes", "--filter"} {
		if !strings.Contains(strings.ToUpper(man), strings.ToUpper(want)) {
			t.Errorf("man page lacks %q", want)
		}
	}
	// Completion of a flag's values comes from the domain's allow-lists.
	out := s.ok("", "__complete", "contract", "list", "--filter", "")
	for _, want := range []string{"unsigned", "unpaid", "mine"} {
		if !strings.Contains(out, want) {
			t.Errorf("--filter completion lacks %s: %q", want, out)
		}
	}
}

// Every command has --help with an example, and the root's lists the exit
// codes.
func TestHelpHasExamples(t *testing.T) {
	e, _, _, _ := testEnv(t, nil)
	root := newRootCmd(e, &globals{})
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		all = append(all, c)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, c := range all {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || (c.HasParent() && c.Parent().Name() == "completion") {
			continue
		}
		if c.Example == "" {
			t.Errorf("%s has no example", c.CommandPath())
		}
	}
	s := newSandbox(t, "")
	out := s.ok("", "--help")
	for _, want := range []string{"7 not logged in", "8 database unavailable", "4 refused"} {
		if !strings.Contains(out, want) {
			t.Errorf("root --help lacks %q", want)
		}
	}
}

// Commands started together with an expired access token: the session
// file's lock makes one of them refresh and the others read its new
// tokens, instead of all presenting the same refresh token (the late ones
// would then end the session as a replay).
func TestParallelCommandsShareOneRefresh(t *testing.T) {
	e, _, _, _ := testEnv(t, nil)
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	open := func(later time.Duration) *app {
		t.Helper()
		a, err := openApp(ctx, e, cfg, openOptions{migrate: true, now: func() time.Time { return time.Now().Add(later) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		return a
	}
	a := open(0)
	in := domain.UserInput{FullName: "Ana Roux", Email: "ana.roux@epic-events.fr", Role: domain.RoleManagement}
	if _, err := a.svc.Sessions.Setup(ctx, in, anaPassword); err != nil {
		t.Fatal(err)
	}
	sess, err := a.svc.Sessions.Login(ctx, in.Email, anaPassword)
	if err != nil {
		t.Fatal(err)
	}
	sessionStore{a: a, path: sessionPath(cfg)}.save(sess)

	const n = 4
	apps := make([]*app, n)
	for i := range apps {
		apps[i] = open(20 * time.Minute) // the access token has expired
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, b := range apps {
		wg.Go(func() {
			s, err := sessionStore{a: b, path: sessionPath(cfg)}.load(ctx)
			if err == nil {
				_, err = b.svc.Sessions.Actor(ctx, s)
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("command %d: %v", i, err)
		}
	}
}
