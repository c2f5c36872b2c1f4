package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/getsentry/sentry-go"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store/storetest"
)

// testEnv is a sandboxed environment: XDG directories in a temp dir and the
// given extra variables; nothing leaks in from the real environment.
func testEnv(t *testing.T, vars map[string]string) (env, *bytes.Buffer, *bytes.Buffer, string) {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{
		"HOME":           dir,
		"XDG_DATA_HOME":  filepath.Join(dir, "data"),
		"XDG_STATE_HOME": filepath.Join(dir, "state"),
	}
	for k, v := range vars {
		all[k] = v
	}
	var out, errb bytes.Buffer
	return env{
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errb,
		getenv: func(k string) string { return all[k] },
	}, &out, &errb, dir
}

func runCmd(t *testing.T, e env, stdin string, args ...string) int {
	t.Helper()
	e.stdin = strings.NewReader(stdin)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return run(ctx, e, args)
}

func TestHelpOnEveryCommand(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"user", "--help"},
		{"user", "create", "--help"}, {"demo", "--help"}, {"version", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			e, out, errb, _ := testEnv(t, nil)
			if code := runCmd(t, e, "", args...); code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errb.String())
			}
			if n := strings.Count(out.String(), "USAGE"); n != 1 {
				t.Errorf("usage printed %d times in %q", n, out.String())
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"migrate"}, "say up or status"},
		{[]string{"migrate", "sideways"}, `unknown subcommand "sideways"`},
		{[]string{"version", "extra"}, `unexpected argument "extra"`},
		{[]string{"user", "create", "--email", "a@b.fr"}, "missing --role, --name"},
		{[]string{"serve", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"user", "frobnicate"}, `unknown subcommand "frobnicate"`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			e, _, errb, _ := testEnv(t, nil)
			if code := runCmd(t, e, "", c.args...); code != 2 {
				t.Fatalf("exit %d, want 2 (stderr %q)", code, errb.String())
			}
			if !strings.Contains(errb.String(), c.want) {
				t.Errorf("stderr %q does not say %q", errb.String(), c.want)
			}
			if strings.Count(errb.String(), "\n") > 1 && !strings.Contains(c.want, "unknown command") {
				t.Errorf("more than one line for a usage error: %q", errb.String())
			}
		})
	}
}

func TestVersion(t *testing.T) {
	e, out, _, _ := testEnv(t, nil)
	if code := runCmd(t, e, "", "version"); code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !regexp.MustCompile(`^epic-events \S+.* go1\.\d+`).MatchString(out.String()) {
		t.Errorf("version output %q", out.String())
	}
	old := version
	version = "v9.8.7"
	defer func() { version = old }()
	if !strings.HasPrefix(versionString(), "v9.8.7") {
		t.Errorf("ldflags version not used: %q", versionString())
	}
}

func TestConfigDirsAndDSN(t *testing.T) {
	vars := map[string]string{"HOME": "/home/ana", "XDG_STATE_HOME": "relative/ignored"}
	cfg, err := loadConfig(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.DataDir != "/home/ana/.local/share/epic-events" || cfg.StateDir != "/home/ana/.local/state/epic-events" {
		t.Errorf("dirs %q %q", cfg.DataDir, cfg.StateDir)
	}
	dsn, err := cfg.dsn()
	if err != nil || dsn != "/home/ana/.local/share/epic-events/epic.db" {
		t.Errorf("default dsn %q %v", dsn, err)
	}
	cfg.DatabaseURL = "rel/x.db"
	dsn, _ = cfg.dsn()
	if !filepath.IsAbs(dsn) || !strings.HasSuffix(dsn, "rel/x.db") {
		t.Errorf("relative path not made absolute: %q", dsn)
	}
	cfg.DatabaseURL = "postgres://app:s3cret@db.example:5432/crm?sslmode=require"
	dsn, _ = cfg.dsn()
	if dsn != cfg.DatabaseURL {
		t.Errorf("postgres URL changed: %q", dsn)
	}
}

func TestScrub(t *testing.T) {
	cases := map[string]string{
		`dial postgres://app:s3cret@db:5432/crm failed`:       `dial postgres://[redacted]@db:5432/crm failed`,
		`host=db user=app password=s3cret dbname=crm`:         `host=db user=app password=[redacted] dbname=crm`,
		`login failed for Lea.Martin@epic-events.fr`:          `login failed for [email]`,
		`token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh`: `token [token]`,
		`nothing to hide here`:                                `nothing to hide here`,
	}
	for in, want := range cases {
		if got := scrub(in); got != want {
			t.Errorf("scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubEventDropsPersonalData(t *testing.T) {
	e := &sentry.Event{
		Message:    "cannot reach postgres://u:pw@h/db for ana@x.fr",
		User:       sentry.User{Email: "ana@x.fr", IPAddress: "10.0.0.1"},
		ServerName: "laptop-of-ana",
		Exception:  []sentry.Exception{{Value: "password=hunter2hunter2"}},
		Tags:       map[string]string{"who": "ana@x.fr"},
		Contexts:   map[string]sentry.Context{"device": {"name": "ana-laptop"}, "runtime": {"name": "go"}},
	}
	got := scrubEvent(e)
	all := fmt.Sprintf("%+v", *got)
	for _, leak := range []string{"ana@x.fr", "pw@", "hunter2", "10.0.0.1", "laptop-of-ana", "ana-laptop"} {
		if strings.Contains(all, leak) {
			t.Errorf("event still holds %q: %s", leak, all)
		}
	}
	if _, ok := got.Contexts["runtime"]; !ok {
		t.Error("runtime context dropped")
	}
}

func TestLogRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	log, closeLog, err := openLog(dir, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	log.Info("x", "password", "hunter2hunter2", "err", "dial postgres://u:topsecret@h/db", "who", "ana@x.fr")
	closeLog()
	b, err := os.ReadFile(logPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"hunter2", "topsecret", "ana@x.fr"} {
		if bytes.Contains(b, []byte(leak)) {
			t.Errorf("log holds %q: %s", leak, b)
		}
	}
	st, _ := os.Stat(logPath(dir))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", st.Mode().Perm())
	}
}

func TestMigrateUserCreateDemoOnSQLite(t *testing.T) {
	e, out, errb, dir := testEnv(t, nil)
	reset := func() { out.Reset(); errb.Reset() }

	if code := runCmd(t, e, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, errb.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "epic-events", DBFileName)); err != nil {
		t.Fatalf("no database in the data dir: %v", err)
	}
	reset()
	if code := runCmd(t, e, "", "migrate", "status"); code != 0 || out.Len() == 0 {
		t.Fatalf("migrate status: exit %d, out %q, err %q", code, out.String(), errb.String())
	}

	create := []string{"user", "create", "--role", "management", "--email", "ana.roux@epic-events.fr", "--name", "Ana Roux"}
	for _, c := range []struct {
		name, stdin string
		args        []string
		code        int
		want        string
	}{
		{"bad role", "", []string{"user", "create", "--role", "boss", "--email", "a@b.fr", "--name", "A"}, exitInvalid, `unknown role "boss"`},
		{"first must be a manager", "a-long-enough-passphrase-42\n", []string{"user", "create", "--role", "sales", "--email", "a@b.fr", "--name", "A"}, exitRefused, "must be a manager"},
		{"weak password", "password\n", create, exitInvalid, "password"},
		{"no password", "", create, exitUsage, "no password on stdin"},
	} {
		reset()
		if code := runCmd(t, e, c.stdin, c.args...); code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("%s: exit %d, stderr %q, want %d and %q", c.name, code, errb.String(), c.code, c.want)
		}
	}

	reset()
	if code := runCmd(t, e, "velours-orage-cerise-42\n", create...); code != 0 {
		t.Fatalf("user create: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "created management collaborator") || !strings.Contains(out.String(), "ana.roux@epic-events.fr") {
		t.Errorf("user create said %q / %q", errb.String(), out.String())
	}

	// Once someone exists, a manager must vouch for the next one.
	sales := []string{"user", "create", "--role", "sales", "--email", "leo.blanc@epic-events.fr", "--name", "Léo Blanc"}
	reset()
	if code := runCmd(t, e, "x\n", sales...); code != exitSession || !strings.Contains(errb.String(), "--as") {
		t.Errorf("second user without --as: exit %d, %q", code, errb.String())
	}
	withAs := append(append([]string{}, sales...), "--as", "ana.roux@epic-events.fr")
	reset()
	if code := runCmd(t, e, "not-her-password-at-all\nbrume-falaise-galet-77\n", withAs...); code != exitSession || !strings.Contains(errb.String(), "wrong email or password") {
		t.Errorf("--as with a wrong password: exit %d, %q", code, errb.String())
	}
	reset()
	if code := runCmd(t, e, "velours-orage-cerise-42\nbrume-falaise-galet-77\n", withAs...); code != 0 {
		t.Fatalf("--as: exit %d: %s", code, errb.String())
	}
	dup := append(append([]string{}, withAs...), "--employee-no", "EE-9999")
	reset()
	if code := runCmd(t, e, "velours-orage-cerise-42\nbrume-falaise-galet-77\n", dup...); code != exitInvalid || !strings.Contains(strings.ToLower(errb.String()), "email") {
		t.Errorf("duplicate email: exit %d, %q", code, errb.String())
	}

	// demo refuses a database that already has people.
	reset()
	if code := runCmd(t, e, "", "demo"); code != 1 || !strings.Contains(errb.String(), "fresh database") {
		t.Errorf("demo on a used database: exit %d, %q", code, errb.String())
	}

	// The log was written and holds no password.
	b, err := os.ReadFile(filepath.Join(dir, "state", "epic-events", logFileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("velours")) || bytes.Contains(b, []byte("brume")) {
		t.Errorf("a password reached the log")
	}
}

func TestDemoOnFreshSQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("demo takes a few seconds")
	}
	db := filepath.Join(t.TempDir(), "demo.db")
	e, out, errb, _ := testEnv(t, map[string]string{envDatabaseURL: db})
	if code := runCmd(t, e, "", "demo"); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errb.String())
	}
	s := out.String()
	for _, want := range []string{"40 clients", "draft", "signed", "payments", "without support"} {
		if !strings.Contains(s, want) {
			t.Errorf("demo summary lacks %q:\n%s", want, s)
		}
	}
	re := regexp.MustCompile(`(?m)^\s+(management|sales|support)\s+\S+@epic-events\.fr\s+\S{15,}$`)
	if n := len(re.FindAllString(s, -1)); n != 3 {
		t.Errorf("want one login per role, got %d:\n%s", n, s)
	}
	out.Reset()
	errb.Reset()
	if code := runCmd(t, e, "", "demo"); code != 1 || !strings.Contains(errb.String(), "already holds clients") {
		t.Errorf("second demo: exit %d, %q", code, errb.String())
	}
}

// pgDatabase creates a fresh PostgreSQL database for one test (dropped at
// cleanup) and returns its URL. Without EPIC_TEST_DATABASE_URL the test
// skips, or fails in CI.
func pgDatabase(t *testing.T) string {
	t.Helper()
	return storetest.CreateDatabase(t)
}

func TestPostgresNeedsMigrateUp(t *testing.T) {
	dsn := pgDatabase(t)
	e, out, errb, _ := testEnv(t, map[string]string{envDatabaseURL: dsn})
	create := []string{"user", "create", "--role", "management", "--email", "ana.roux@epic-events.fr", "--name", "Ana Roux"}

	// Before migrate up the app refuses, says what to run, and shows no DSN.
	if code := runCmd(t, e, "velours-orage-cerise-42\n", create...); code != 1 || !strings.Contains(errb.String(), "migrate up") {
		t.Fatalf("before migrate: exit %d, %q", code, errb.String())
	}
	if strings.Contains(errb.String(), "postgres://") {
		t.Errorf("the DSN reached the user: %q", errb.String())
	}
	errb.Reset()
	if code := runCmd(t, e, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, errb.String())
	}
	errb.Reset()
	out.Reset()
	if code := runCmd(t, e, "velours-orage-cerise-42\n", create...); code != 0 {
		t.Fatalf("user create: exit %d: %s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "created management") {
		t.Errorf("user create said %q", errb.String())
	}
}

func TestSessionFileFollowsTheDatabase(t *testing.T) {
	e, _, _, dir := testEnv(t, nil)
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	in := domain.UserInput{FullName: "Ana Roux", Email: "ana.roux@epic-events.fr", Role: domain.RoleManagement}
	if _, err := a.svc.Sessions.Setup(ctx, in, "velours-orage-cerise-42"); err != nil {
		t.Fatal(err)
	}
	sess, err := a.svc.Sessions.Login(ctx, in.Email, "velours-orage-cerise-42")
	if err != nil {
		t.Fatal(err)
	}
	files := sessionStore{a: a, path: filepath.Join(dir, "session.json")}
	files.save(sess)
	st, err := os.Stat(files.path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("session file after login: %v, %v", st, err)
	}
	if got, _ := files.resume(ctx); got == nil {
		t.Fatal("a session saved for this database was not resumed")
	}

	// The same file seen by the app opened on another database: ignored,
	// and left in place for the database it belongs to.
	other := *a
	other.desc = "sqlite /somewhere/else.db"
	if got, _ := (sessionStore{a: &other, path: files.path}).resume(ctx); got != nil {
		t.Error("a session of another database was resumed")
	}
	if _, err := os.Stat(files.path); err != nil {
		t.Errorf("the other database's session file was removed: %v", err)
	}

	// A copy of the file taken before the logout: not resumed, the reason
	// is given for the login screen, and the file goes.
	copied, err := os.ReadFile(files.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.svc.Sessions.Logout(ctx, sess); err != nil {
		t.Fatal(err)
	}
	files.remove()
	if _, err := os.Stat(files.path); !os.IsNotExist(err) {
		t.Errorf("session file still there after logout: %v", err)
	}
	if got, _ := files.resume(ctx); got != nil {
		t.Error("resumed without a session file")
	}
	if err := os.WriteFile(files.path, copied, 0o600); err != nil {
		t.Fatal(err)
	}
	got, ended := files.resume(ctx)
	if got != nil || ended != "your session has ended: you logged out of this session" {
		t.Errorf("the copied file after logout: session %v, reason %q", got != nil, ended)
	}
	if _, err := os.Stat(files.path); !os.IsNotExist(err) {
		t.Errorf("the ended session's file is still there: %v", err)
	}
}

// A saved session whose access token has expired is resumed by rotating its
// refresh token; the file must then hold the new one, or the next start
// would present the rotated token again and lose the session.
func TestResumeAfterExpiryKeepsTheFileInStep(t *testing.T) {
	e, _, _, dir := testEnv(t, nil)
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
	if _, err := a.svc.Sessions.Setup(ctx, in, "velours-orage-cerise-42"); err != nil {
		t.Fatal(err)
	}
	sess, err := a.svc.Sessions.Login(ctx, in.Email, "velours-orage-cerise-42")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "session.json")
	sessionStore{a: a, path: path}.save(sess)
	before, err := auth.LoadSession(path)
	if err != nil {
		t.Fatal(err)
	}

	// Next morning's start (access token long expired), then the one after.
	for i, later := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		b := open(later)
		got, _ := sessionStore{a: b, path: path}.resume(ctx)
		if got == nil {
			t.Fatalf("start %d: the saved session was not resumed", i+1)
		}
		if _, err := b.svc.Sessions.Actor(ctx, got); err != nil {
			t.Fatalf("start %d: resumed session refused: %v", i+1, err)
		}
		after, err := auth.LoadSession(path)
		if err != nil {
			t.Fatal(err)
		}
		if after.Refresh == before.Refresh {
			t.Fatalf("start %d: the session file still holds the rotated refresh token", i+1)
		}
		before = after
	}
}
