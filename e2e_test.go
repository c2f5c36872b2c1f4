package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epic-events/crm/cli"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// The end-to-end tests build the real binary and drive it in tmux, as a
// user would: they need tmux (and ssh for serve). Locally they skip without
// it; in CI (CI=true) a missing tool is a failure.

// needTool returns the path of a command or skips (fails in CI).
func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is required in CI: %v", name, err)
		}
		t.Skipf("%s not installed: end-to-end test skipped", name)
	}
	return p
}

// e2eEnv is a sandbox: its own XDG directories and a freshly built binary.
type e2eEnv struct {
	t   *testing.T
	dir string
	bin string
	env []string
}

// The binary is built once per test run, into a directory TestMain removes.
var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

func builtBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "epic-events-e2e-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "epic-events")
		out, err := exec.Command("go", "build", "-o", buildBin, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

func newE2E(t *testing.T) *e2eEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	dir := t.TempDir()
	bin := builtBinary(t)
	env := []string{
		"HOME=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"LANG=C.UTF-8",
		"TZ=Europe/Paris",
	}
	return &e2eEnv{t: t, dir: dir, bin: bin, env: env}
}

// run runs the binary to completion and returns its output.
func (e *e2eEnv) run(args ...string) string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = e.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		e.t.Fatalf("epic-events %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// demoLogins runs `demo` and returns role -> (email, password).
func (e *e2eEnv) demoLogins() map[string][2]string {
	e.t.Helper()
	out := e.run("demo")
	logins := map[string][2]string{}
	re := regexp.MustCompile(`(?m)^\s+(management|sales|support)\s+(\S+@\S+)\s+(\S+)\s*$`)
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		logins[m[1]] = [2]string{m[2], m[3]}
	}
	if len(logins) != 3 {
		e.t.Fatalf("demo printed %d logins, want one per role:\n%s", len(logins), out)
	}
	return logins
}

// tmux drives one tmux session on a private server socket.
type tmux struct {
	t      *testing.T
	bin    string
	socket string
	name   string
	env    []string
}

func newTmux(t *testing.T, e *e2eEnv, command string) *tmux {
	t.Helper()
	tm := &tmux{t: t, bin: needTool(t, "tmux"), socket: filepath.Join(e.dir, "tmux.sock"), name: "e2e", env: e.env}
	t.Cleanup(func() {
		_ = exec.Command(tm.bin, "-S", tm.socket, "kill-server").Run()
	})
	tm.start(command)
	return tm
}

// start runs command in a new 100×30 session (the previous one must have
// ended), with only the sandbox's environment.
func (tm *tmux) start(command string) {
	tm.t.Helper()
	shell := "env -i " + strings.Join(quoteAll(tm.env), " ") + " " + command
	tm.cmd("new-session", "-d", "-s", tm.name, "-x", "100", "-y", "30", shell)
}

// waitGone waits until the session's program has exited.
func (tm *tmux) waitGone(timeout time.Duration) {
	tm.t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if exec.Command(tm.bin, "-S", tm.socket, "has-session", "-t", tm.name).Run() != nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("the program did not exit within %s; screen:\n%s", timeout, tm.screen())
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return out
}

func (tm *tmux) cmd(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command(tm.bin, append([]string{"-S", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Tab, Escape, C-c …).
func (tm *tmux) keys(keys ...string) {
	tm.t.Helper()
	tm.cmd(append([]string{"send-keys", "-t", tm.name}, keys...)...)
}

// text types literal text.
func (tm *tmux) text(s string) {
	tm.t.Helper()
	tm.cmd("send-keys", "-t", tm.name, "-l", s)
}

// screen is what the pane shows now.
func (tm *tmux) screen() string {
	tm.t.Helper()
	out, err := exec.Command(tm.bin, "-S", tm.socket, "capture-pane", "-p", "-t", tm.name).CombinedOutput()
	if err != nil {
		// The program may have exited and taken the session with it.
		return "(capture failed: " + err.Error() + ")"
	}
	return string(out)
}

// waitFor polls the screen until re matches, and returns the screen.
func (tm *tmux) waitFor(re string, timeout time.Duration) string {
	tm.t.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(timeout)
	var s string
	for time.Now().Before(deadline) {
		s = tm.screen()
		if rx.MatchString(s) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	tm.t.Fatalf("screen never matched %q within %s; last screen:\n%s", re, timeout, s)
	return ""
}

// login fills the login screen.
// eventsWithoutSupport opens the Events view and cycles its filters to
// "without support", waiting for the demo backlog on screen.
func (tm *tmux) eventsWithoutSupport() {
	tm.t.Helper()
	tm.keys("4")
	tm.waitFor(`Events\s+1–\d+ of [\d ]+\s+filter: all`, 10*time.Second)
	for range 5 {
		tm.keys("f")
		time.Sleep(200 * time.Millisecond)
		if strings.Contains(tm.screen(), "filter: without support") {
			break
		}
	}
	tm.waitFor(`filter: without support(.|\n)*— none —`, 10*time.Second)
}

func (tm *tmux) login(email, password string) {
	tm.t.Helper()
	tm.waitFor(`Log in(.|\n)*Email(.|\n)*Password`, 20*time.Second)
	tm.text(email)
	tm.keys("Enter")
	tm.text(password)
	tm.keys("Enter")
}

func TestE2ELocalAssignSupportAndLogout(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	logins := e.demoLogins()
	mgr := logins["management"]
	sessionFile := filepath.Join(e.dir, "state", "epic-events", "session.json")

	tm := newTmux(t, e, e.bin)
	tm.login(mgr[0], mgr[1])
	tm.waitFor(`(?i)dashboard`, 20*time.Second)

	tm.eventsWithoutSupport()

	// Assign the selected event to the first support collaborator offered.
	before := unassignedEvents(t, e)
	tm.keys("a")
	tm.waitFor(`(Julien Moreau|Manon Simon|Lucas Michel)\s+\d+ upcoming event`, 10*time.Second)
	tm.keys("Enter")
	// The event leaves the "without support" list: its count drops by one.
	tm.waitFor(fmt.Sprintf(`of %s\s+filter: without support`, groupDigits(before-1)), 10*time.Second)
	if after := unassignedEvents(t, e); after != before-1 {
		t.Fatalf("events without support: %d before the assignment, %d after; want one less", before, after)
	}

	// Quit: the session file stays (private), and reopening skips the login.
	st, err := os.Stat(sessionFile)
	if err != nil {
		t.Fatalf("no session file after login: %v", err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("session file mode %v, want 0600", st.Mode().Perm())
	}
	tm.keys("q")
	tm.waitGone(10 * time.Second)
	tm.start(e.bin)
	tm.waitFor(`(?i)dashboard`, 20*time.Second)

	// Log out: back to the login screen, and the session file is gone.
	tm.keys("L")
	tm.waitFor(`Log in(.|\n)*Email(.|\n)*Password`, 10*time.Second)
	if _, err := os.Stat(sessionFile); !os.IsNotExist(err) {
		t.Errorf("session file still there after logout (stat err %v)", err)
	}
	tm.keys("C-c")
	tm.waitGone(10 * time.Second)
}

func TestE2EServeShowsLogin(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	sshBin := needTool(t, "ssh")
	logins := e.demoLogins()

	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, e.bin, "serve", "--addr", addr)
	srv.Env = e.env
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("serve output:\n%s", srvOut.String())
		}
	})
	waitListening(t, addr, 30*time.Second)

	ssh := fmt.Sprintf("%s -tt -p %d -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes 127.0.0.1", sshBin, port)
	tm := newTmux(t, e, ssh)
	sup := logins["support"]
	tm.login(sup[0], sup[1])
	tm.waitFor(`(?i)dashboard`, 20*time.Second)
	// The host key was created in the data directory, private.
	st, err := os.Stat(filepath.Join(e.dir, "data", "epic-events", cli.HostKeyName))
	if err != nil {
		t.Fatalf("host key: %v", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		t.Errorf("host key mode %v, want no group/other access", st.Mode().Perm())
	}
}

// unassignedEvents counts, in the sandbox's database, the upcoming events
// without a support contact.
func unassignedEvents(t *testing.T, e *e2eEnv) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(e.dir, "data", "epic-events", cli.DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	page, err := db.Events().List(ctx, domain.ListQuery{Filter: domain.FilterUnassigned, Now: time.Now(), Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(page.Items)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitListening(t *testing.T, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s after %s", addr, timeout)
}

// serveOn starts `serve` on a free port with the sandbox's environment plus
// extra, and returns the ssh command that connects to it.
func serveOn(t *testing.T, e *e2eEnv, extra ...string) string {
	t.Helper()
	sshBin := needTool(t, "ssh")
	port := freePort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithCancel(context.Background())
	srv := exec.CommandContext(ctx, e.bin, "serve", "--addr", addr)
	srv.Env = append(append([]string{}, e.env...), extra...)
	var out bytes.Buffer
	srv.Stdout, srv.Stderr = &out, &out
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		_ = srv.Wait()
		if t.Failed() {
			t.Logf("serve %s output:\n%s", addr, out.String())
		}
	})
	waitListening(t, addr, 30*time.Second)
	return fmt.Sprintf("%s -tt -p %d -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes 127.0.0.1", sshBin, port)
}

// Two serve processes on one PostgreSQL: a manager assigns an event on
// one; the support collaborator, connected to the other, sees the unread
// count of the inbox go to 1 within 2 seconds, without a key.
func TestE2ETwoServersLiveInbox(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	dsn := storetest.CreateDatabase(t)
	e.env = append(e.env, "EPIC_DATABASE_URL="+dsn)
	e.run("migrate", "up")
	logins := e.demoLogins()
	mgr, sup := logins["management"], logins["support"]
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	supUser, err := db.Users().GetByEmail(context.Background(), sup[0])
	if err != nil {
		t.Fatal(err)
	}

	sshA, sshB := serveOn(t, e), serveOn(t, e)
	support := &tmux{t: t, bin: needTool(t, "tmux"), socket: filepath.Join(e.dir, "tmux.sock"), name: "support", env: e.env}
	manager := newTmux(t, e, sshA)
	support.start(sshB)

	support.login(sup[0], sup[1])
	support.waitFor(`(?i)dashboard`, 20*time.Second)
	// Start from an empty inbox: what the demo data told them is read.
	support.keys("!")
	support.waitFor(`Inbox\s+\d+ unread`, 10*time.Second)
	support.keys("a")
	support.waitFor(`Inbox\s+0 unread`, 10*time.Second)
	support.keys("Escape")
	support.waitFor(`(?i)my upcoming events`, 10*time.Second)
	if strings.Contains(support.screen(), "! inbox") {
		t.Fatalf("unread count shown after marking all read:\n%s", support.screen())
	}

	manager.login(mgr[0], mgr[1])
	manager.waitFor(`(?i)dashboard`, 20*time.Second)
	manager.eventsWithoutSupport()
	manager.keys("a")
	manager.waitFor(regexp.QuoteMeta(supUser.FullName)+`\s+\d+ upcoming event`, 10*time.Second)
	manager.text(supUser.FullName)
	// Every letter reached the filter before enter picks.
	manager.waitFor(`filter: `+regexp.QuoteMeta(supUser.FullName), 10*time.Second)
	manager.keys("Enter")
	manager.waitFor(regexp.QuoteMeta(supUser.FullName)+" now supports", 10*time.Second)

	// The other server's session, no key pressed: the count within 2 s.
	support.waitFor(`! inbox 1\b`, 2*time.Second)
	support.keys("!")
	support.waitFor(`you now support .*, assigned by `, 5*time.Second)
}

// auditCount is the number of audit entries in the sandbox's database.
func auditCount(t *testing.T, e *e2eEnv) int {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(e.dir, "data", "epic-events", cli.DBFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	for q := (domain.ListQuery{Limit: 500, Now: time.Now()}); ; {
		p, err := db.Audit().List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		n += len(p.Items)
		if p.Next == "" {
			return n
		}
		q.After = p.Next
	}
}

// logSays waits until the app's log mentions text.
func logSays(t *testing.T, e *e2eEnv, text string) {
	t.Helper()
	path := filepath.Join(e.dir, "state", "epic-events", "epic-events.log")
	deadline := time.Now().Add(10 * time.Second)
	var b []byte
	for time.Now().Before(deadline) {
		b, _ = os.ReadFile(path)
		if bytes.Contains(b, []byte(text)) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the log never said %q:\n%s", text, b)
}

const loginScreen = `Log in(.|\n)*Email(.|\n)*Password`

// TestE2ECopiedSessionFileEndsAtLogout: a copy of the session file taken
// before L does not open the app after the logout: the relaunch shows the
// login screen, says why, and the old tokens write nothing.
func TestE2ECopiedSessionFileEndsAtLogout(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	mgr := e.demoLogins()["management"]
	sessionFile := filepath.Join(e.dir, "state", "epic-events", "session.json")

	tm := newTmux(t, e, e.bin)
	tm.login(mgr[0], mgr[1])
	tm.waitFor(`(?i)dashboard`, 20*time.Second)
	copied, err := os.ReadFile(sessionFile)
	if err != nil {
		t.Fatal(err)
	}
	tm.keys("L")
	tm.waitFor(loginScreen, 10*time.Second)
	tm.keys("C-c")
	tm.waitGone(10 * time.Second)

	if err := os.WriteFile(sessionFile, copied, 0o600); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, e)
	tm.start(e.bin)
	tm.waitFor(loginScreen, 20*time.Second)
	tm.waitFor("your session has ended: you logged out of this session", 10*time.Second)
	logSays(t, e, "you logged out of this session")
	if _, err := os.Stat(sessionFile); !os.IsNotExist(err) {
		t.Errorf("the ended session's file is still there (stat err %v)", err)
	}
	tm.keys("C-c")
	tm.waitGone(10 * time.Second)
	if after := auditCount(t, e); after != before {
		t.Fatalf("the copied session wrote %d audit entries after the logout", after-before)
	}
}

// TestE2ERefreshReuseEndsBothProcesses: the session file is copied, the
// session rotates its refresh token in one process, and the copy is
// replayed in another: the whole session ends — the replaying process
// shows the login screen, and the one still open is sent to it, with the
// reason, at its next action, writing nothing.
func TestE2ERefreshReuseEndsBothProcesses(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	mgr := e.demoLogins()["management"]
	sessionFile := filepath.Join(e.dir, "state", "epic-events", "session.json")

	first := newTmux(t, e, e.bin)
	first.login(mgr[0], mgr[1])
	first.waitFor(`(?i)dashboard`, 20*time.Second)
	copied, err := os.ReadFile(sessionFile)
	if err != nil {
		t.Fatal(err)
	}
	// A copy whose access token is unusable: opening it rotates the
	// refresh token (as an expired one would, 15 minutes later).
	stale := regexp.MustCompile(`"access":\s*"[^"]*"`).ReplaceAll(copied, []byte(`"access":"expired"`))
	if bytes.Equal(stale, copied) {
		t.Fatalf("no access token in the session file:\n%s", copied)
	}
	if err := os.WriteFile(sessionFile, stale, 0o600); err != nil {
		t.Fatal(err)
	}
	second := &tmux{t: t, bin: first.bin, socket: first.socket, name: "e2e-second", env: e.env}
	second.start(e.bin)
	second.waitFor(`(?i)dashboard`, 20*time.Second) // rotated and saved
	second.keys("q")
	second.waitGone(10 * time.Second)

	// Long after the rotation (past the grace given to a concurrent
	// refresh), the old refresh token comes back: a replay.
	time.Sleep(11 * time.Second)
	if err := os.WriteFile(sessionFile, stale, 0o600); err != nil {
		t.Fatal(err)
	}
	before := auditCount(t, e)
	second.start(e.bin)
	second.waitFor(loginScreen, 20*time.Second)
	logSays(t, e, "its refresh token was used twice")
	afterReplay := auditCount(t, e)
	if afterReplay != before+1 { // session.reuse_detected
		t.Fatalf("the replay wrote %d audit entries, want 1 (the reuse)", afterReplay-before)
	}

	// The first process still holds the family's first access token: its
	// next action ends on the login screen, saying why.
	first.keys("2")
	first.waitFor(`(?s)Log in.*refresh token was used twice`, 20*time.Second)
	if after := auditCount(t, e); after != afterReplay {
		t.Fatalf("the revoked session wrote %d audit entries", after-afterReplay)
	}
	first.keys("C-c")
	second.keys("C-c")
}

// TestE2ECommandsOnATerminal: on a terminal, login reads the password
// without echo, a command asks for the required fields it lacks (with the
// domain's messages), and a table fits the terminal's width.
func TestE2ECommandsOnATerminal(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")
	sales := e.demoLogins()["sales"]

	tm := newTmux(t, e, "sh")
	tm.text(e.bin + " login " + sales[0])
	tm.keys("Enter")
	tm.waitFor(`Password for `+regexp.QuoteMeta(sales[0]), 20*time.Second)
	tm.text(sales[1])
	tm.keys("Enter")
	if s := tm.waitFor(`logged in as .* \(sales\)`, 20*time.Second); strings.Contains(s, sales[1]) {
		t.Fatalf("the password was echoed:\n%s", s)
	}

	tm.text("clear; " + e.bin + " client create --phone '01 23 45 67 89'")
	tm.keys("Enter")
	tm.waitFor(`Full name(.|\n)*Email`, 20*time.Second)
	tm.keys("Enter") // nothing typed: the domain's sentence
	tm.waitFor(`enter the client's full name`, 10*time.Second)
	tm.text("Marie Curie")
	tm.keys("Enter")
	tm.text("marie@")
	tm.keys("Enter")
	tm.waitFor(`like name@example\.com`, 10*time.Second)
	tm.text("radium.fr")
	tm.keys("Enter")
	tm.waitFor(`created client #\d+ Marie Curie(.|\n)*sales contact\s+`, 20*time.Second)

	tm.text("clear; " + e.bin + " contract list --limit 5; echo done=$?")
	tm.keys("Enter")
	s := tm.waitFor(`done=0`, 20*time.Second)
	// Five rows under the header, none wrapped onto a second line.
	lines := strings.Split(s, "\n")
	rows := 0
	for i, l := range lines {
		if !strings.HasPrefix(l, "ID ") || !strings.Contains(l, "TOTAL") {
			continue
		}
		for _, r := range lines[i+1:] {
			if strings.HasPrefix(r, "done=") {
				break
			}
			if r == "" || r[0] < '0' || r[0] > '9' {
				t.Errorf("a table row did not fit the terminal: %q", r)
			}
			rows++
		}
	}
	if rows != 5 {
		t.Errorf("%d table rows, want 5:\n%s", rows, s)
	}
	tm.text("exit")
	tm.keys("Enter")
	tm.waitGone(10 * time.Second)
}

// groupDigits writes n as the lists do: a space between thousands.
func groupDigits(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + " " + s[i:]
	}
	return s
}

// TestE2EFirstRunAndLongLists: a start-up problem is one clear sentence
// and exit 1; the first-run form creates the manager with ctrl+s; on a
// generated data set G shows the list's true last row and g its first.
func TestE2EFirstRunAndLongLists(t *testing.T) {
	e := newE2E(t)
	needTool(t, "tmux")

	// A database in a directory that does not exist.
	missing := filepath.Join(e.dir, "nowhere", "crm.db")
	tm := newTmux(t, e, "sh -c '"+e.bin+" --db "+missing+"; echo EXIT=$?; sleep 60'")
	s := tm.waitFor(`EXIT=\d`, 20*time.Second)
	if !strings.Contains(s, "the directory "+filepath.Dir(missing)+" does not exist") || !strings.Contains(s, "mkdir -p") ||
		!strings.Contains(s, "EXIT=1") {
		t.Fatalf("start-up error:\n%s", s)
	}
	tm.keys("C-c")
	tm.waitGone(10 * time.Second)

	// First run: the setup form, saved with ctrl+s from the phone field.
	tm.start(e.bin)
	tm.waitFor(`Welcome to Epic Events CRM(.|\n)*Phone`, 20*time.Second)
	tm.text("Ada Lovelace")
	tm.keys("Tab")
	tm.text("ada@epic-events.fr")
	tm.keys("Tab")
	tm.keys("Tab")
	tm.text("velours-orage-cerise-42")
	tm.keys("Tab")
	tm.text("velours-orage-cerise-42")
	tm.keys("BTab", "BTab") // back to the phone
	tm.text("+33 6 12 34 56 78")
	tm.keys("C-s")
	tm.waitFor(`(?i)dashboard(.|\n)*Ada Lovelace · management`, 20*time.Second)
	tm.keys("C-c")
	tm.waitGone(10 * time.Second)

	// A generated data set: 3 000 clients.
	big := newE2E(t)
	out := big.run("demo", "--scale", "3000")
	m := regexp.MustCompile(`(?m)^\s+management\s+(\S+@\S+)\s+(\S+)\s*$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no management login in:\n%s", out)
	}
	first, last := clientEnds(t, filepath.Join(big.dir, "data", "epic-events", cli.DBFileName))
	tm2 := newTmux(t, big, big.bin)
	tm2.login(m[1], m[2])
	tm2.waitFor(`(?i)dashboard`, 20*time.Second)
	tm2.keys("2")
	tm2.waitFor(`Clients\s+1–25 of 3 000(.|\n)*`+regexp.QuoteMeta(first), 10*time.Second)
	tm2.keys("G")
	tm2.waitFor(`Clients\s+2 976–3 000 of 3 000(.|\n)*`+regexp.QuoteMeta(last), 10*time.Second)
	tm2.keys("g")
	tm2.waitFor(`Clients\s+1–25 of 3 000(.|\n)*`+regexp.QuoteMeta(first), 10*time.Second)
	tm2.keys("C-c")
	tm2.waitGone(10 * time.Second)
}

// clientEnds reads the emails of the first and last clients in the list's
// default order (name, then id), walking every page forward.
func clientEnds(t *testing.T, path string) (first, last string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	q := domain.ListQuery{Sort: domain.SortName, Limit: 500}
	for {
		p, err := db.Clients().List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if first == "" && len(p.Items) > 0 {
			first = p.Items[0].Email
		}
		if n := len(p.Items); n > 0 {
			last = p.Items[n-1].Email
		}
		if p.Next == "" {
			return first, last
		}
		q.After = p.Next
	}
}
