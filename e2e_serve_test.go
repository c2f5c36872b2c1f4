package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/cli/loadtest"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// The TestE2ETwoServe tests start two real `serve` processes (the built
// binary) on one PostgreSQL database and drive them through SSH clients of
// the load harness: what is done through one server is seen through the
// other.

// serveProc is one `serve` process.
type serveProc struct {
	addr string
	cmd  *exec.Cmd
	out  *lockedBuffer
	done chan struct{} // closed when the process has exited
	err  error         // cmd.Wait's answer, once done
}

// lockedBuffer collects the process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServeProc is serveOn returning the address and the process, so a
// test can signal it. The process is killed at the end of the test if it
// is still running.
func startServeProc(t *testing.T, e *e2eEnv) *serveProc {
	t.Helper()
	p := &serveProc{addr: fmt.Sprintf("127.0.0.1:%d", freePort(t)), out: &lockedBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(e.bin, "serve", "--addr", p.addr)
	p.cmd.Env = e.env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("serve %s output:\n%s", p.addr, p.out.String())
		}
	})
	waitListening(t, p.addr, 30*time.Second)
	return p
}

// twoServe is a fresh PostgreSQL database with the demo data and two
// serve processes on it.
type twoServe struct {
	e      *e2eEnv
	dsn    string
	db     *store.DB
	logins map[string][2]string // role -> email, password
	a, b   *serveProc
}

func newTwoServe(t *testing.T) *twoServe {
	t.Helper()
	e := newE2E(t)
	dsn := storetest.CreateDatabase(t)
	e.env = append(e.env, "EPIC_DATABASE_URL="+dsn)
	e.run("migrate", "up")
	logins := e.demoLogins()
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ts := &twoServe{e: e, dsn: dsn, db: db, logins: logins}
	ts.a = startServeProc(t, e)
	ts.b = startServeProc(t, e)
	return ts
}

// user reads a demo user from the database.
func (ts *twoServe) user(t *testing.T, role string) domain.User {
	t.Helper()
	u, err := ts.db.Users().GetByEmail(context.Background(), ts.logins[role][0])
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// dial opens an SSH session on addr (from the loopback address local when
// not empty), closed at the end of the test.
func dial(t *testing.T, addr, local string) *loadtest.Client {
	t.Helper()
	c, err := loadtest.Dial(context.Background(), addr, loadtest.DialOptions{Local: local})
	if err != nil {
		t.Fatalf("dial %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	return c
}

// loginAs opens a session on addr and logs in as role.
func (ts *twoServe) loginAs(t *testing.T, addr, role string) *loadtest.Client {
	t.Helper()
	c := dial(t, addr, "")
	if err := c.Login(ts.logins[role][0], ts.logins[role][1], 30*time.Second); err != nil {
		t.Fatalf("%s logging in on %s: %v", role, addr, err)
	}
	return c
}

// see waits until the client's output shows one of texts and returns it.
// The output is a stream of screen updates, and the renderer writes only
// the cells that changed: a text that replaces one starting with the same
// letters arrives cut. So when the text is not there after two seconds, a
// window change (to the same size) makes the program repaint the whole
// screen, which writes every text on it in one piece. The texts must be
// new to this client's output (the stream keeps what was shown before).
func see(t *testing.T, c *loadtest.Client, timeout time.Duration, texts ...string) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		step := min(time.Until(deadline), 2*time.Second)
		got, err := c.WaitFor(step, texts...)
		if err == nil {
			return got
		}
		select {
		case <-c.Ended():
			t.Fatalf("the session ended: %v", err)
		default:
		}
		if !time.Now().Before(deadline) {
			t.Fatalf("not seen within %s: %v", timeout, err)
		}
		_ = c.Resize(loadtest.TermW, loadtest.TermH)
	}
}

// shown says whether the client's output already holds text.
func shown(c *loadtest.Client, text string) bool {
	_, err := c.WaitFor(time.Millisecond, text)
	return err == nil
}

// openClients opens the client list (2) and waits for it.
func openClients(t *testing.T, c *loadtest.Client) {
	t.Helper()
	typeKeys(t, c, "2")
	see(t, c, 20*time.Second, "filter: all")
}

// typeKeys sends keys, failing the test if the session is gone.
func typeKeys(t *testing.T, c *loadtest.Client, keys string) {
	t.Helper()
	if err := c.Type(keys); err != nil {
		t.Fatalf("typing %q: %v", keys, err)
	}
}

// failLogins makes failed logins through addr from the loopback address
// local, with password wrong and the email next(i) for the i-th attempt,
// until the row of the throttle table says want failures. An attempt made
// while the throttle holds is refused before any check and counts
// nothing: the loop waits the lock out and tries again.
func failLogins(t *testing.T, addr, local string, next func(i int) string, failures func() int, want int) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for i := 0; failures() < want; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("%d failures counted after 45 s, want %d", failures(), want)
		}
		c, err := loadtest.Dial(context.Background(), addr, loadtest.DialOptions{Local: local})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(next(i), fmt.Sprintf("not the password %d", i), 30*time.Second)
		c.Close()
		switch {
		case err != nil && strings.Contains(err.Error(), "wrong email or password"):
		case err != nil && strings.Contains(err.Error(), "too many failed"):
			time.Sleep(250 * time.Millisecond) // the lock lasts seconds: wait it out
		default:
			t.Fatalf("wrong password %d through %s: %v, want it refused", i, addr, err)
		}
	}
}

// pgCount runs a one-number query on the test database.
func pgCount(t *testing.T, dsn, query string, args ...any) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0
		}
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// TestE2ETwoServeThrottle: failed logins through server A lock the account
// through server B (and the lock is the row in the database); failed
// logins from one source address through A lock that address through B,
// for any account, while another address logs in.
func TestE2ETwoServeThrottle(t *testing.T) {
	ts := newTwoServe(t)
	email, pw := ts.logins["sales"][0], ts.logins["sales"][1]

	// Per account. Five failures lock for 1 s, the sixth for 2 s, the
	// seventh for 4 s: seven, so the check through B has time on a busy
	// machine. B's login screen is open before, so it follows at once.
	accountFailures := func() int {
		return pgCount(t, ts.dsn, `SELECT failures FROM login_attempts WHERE email = $1`, strings.ToLower(email))
	}
	onB := dial(t, ts.b.addr, "")
	see(t, onB, 30*time.Second, "Log in")
	failLogins(t, ts.a.addr, "", func(int) string { return email }, accountFailures, 7)
	err := onB.Login(email, pw, 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "too many failed") {
		t.Fatalf("right password through B after 7 failures through A: %v, want the throttle", err)
	}
	see(t, onB, 10*time.Second, "too many failed attempts: try again in ")
	if n := accountFailures(); n != 7 {
		t.Errorf("login_attempts holds %d failures for %s, want 7 (the refusal through B counts none)", n, email)
	}
	if n := pgCount(t, ts.dsn, `SELECT count(*) FROM login_attempts WHERE email = $1 AND last_failure > now() - interval '1 minute'`,
		strings.ToLower(email)); n != 1 {
		t.Errorf("no recent throttle row for %s in login_attempts", email)
	}

	// Per source address: 20 failures from one address lock it for 1 s,
	// the 22nd for 4 s. Each attempt tries another unknown email, so no
	// account's own throttle plays.
	const bad = "127.0.0.77"
	addressFailures := func() int {
		return pgCount(t, ts.dsn, `SELECT failures FROM login_address_attempts WHERE address = $1`, bad)
	}
	fromBadOnB := dial(t, ts.b.addr, bad)
	see(t, fromBadOnB, 30*time.Second, "Log in")
	failLogins(t, ts.a.addr, bad, func(i int) string { return fmt.Sprintf("nobody-%d@example.com", i) }, addressFailures, 22)
	sup := ts.logins["support"]
	err = fromBadOnB.Login(sup[0], sup[1], 30*time.Second)
	if err == nil || !strings.Contains(err.Error(), "too many failed") {
		t.Fatalf("right password from %s through B after 22 failures from it through A: %v, want the throttle", bad, err)
	}
	// Another address is not locked: the same account logs in through B.
	other := dial(t, ts.b.addr, "127.0.0.78")
	if err := other.Login(sup[0], sup[1], 30*time.Second); err != nil {
		t.Fatalf("login from another address through B: %v", err)
	}
}

// TestE2ETwoServeRevocation: a permission a manager revokes in the Roles
// view of server A is refused at the next action of a session on server B;
// a user the manager deactivates in the Team view of A is sent to the
// login screen of B, with the reason, at their next action.
func TestE2ETwoServeRevocation(t *testing.T) {
	ts := newTwoServe(t)
	ctx := context.Background()
	sales := ts.user(t, "sales")
	mgr := ts.loginAs(t, ts.a.addr, "management")
	onB := ts.loginAs(t, ts.b.addr, "sales")

	// Before: the sales user may create clients (n opens the form), in
	// another session on B.
	pre := ts.loginAs(t, ts.b.addr, "sales")
	openClients(t, pre)
	typeKeys(t, pre, "n")
	see(t, pre, 20*time.Second, "New client")
	pre.Close()
	openClients(t, onB)

	// The manager, on A, revokes client:create:any from sales: the 7th
	// permission (the matrix's order), second column.
	perms, err := ts.db.Perms().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	row := slices.IndexFunc(perms, func(p domain.Permission) bool { return p.Code == "client:create:any" })
	if row < 0 {
		t.Fatal("no client:create:any permission")
	}
	typeKeys(t, mgr, "6")
	see(t, mgr, 20*time.Second, "Roles & permissions")
	typeKeys(t, mgr, strings.Repeat("j", row))
	see(t, mgr, 10*time.Second, "create:any — create clients")
	typeKeys(t, mgr, "l ")
	see(t, mgr, 20*time.Second, "client:create:any revoked from sales")
	codes, err := ts.db.Perms().ForRole(ctx, domain.RoleSales)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(codes, "client:create:any") {
		t.Fatal("sales still holds client:create:any in the database")
	}

	// B's session: its next n is refused, with the reason.
	typeKeys(t, onB, "n")
	see(t, onB, 10*time.Second, "no department may create clients", "only management may create clients",
		"may not create clients")

	// The manager, on A, deactivates the sales user in the Team view.
	typeKeys(t, mgr, "5")
	see(t, mgr, 20*time.Second, "filter: all")
	typeKeys(t, mgr, "/"+sales.Email+"\r")
	see(t, mgr, 20*time.Second, "1–1 of 1")
	typeKeys(t, mgr, "x")
	see(t, mgr, 20*time.Second, "Deactivate "+sales.FullName+"?")
	typeKeys(t, mgr, "y")
	see(t, mgr, 20*time.Second, sales.FullName+" deactivated")
	deactivated := time.Now()
	if u, err := ts.db.Users().Get(ctx, sales.ID); err != nil || u.Active {
		t.Fatalf("after the deactivation through A the user is active=%v (err %v)", u.Active, err)
	}

	// B's session ends at its next action (if the change feed has not
	// ended it already): the login screen, with the reason.
	typeKeys(t, onB, "1")
	see(t, onB, 10*time.Second, "your account was deactivated")
	if d := time.Since(deactivated); d > 5*time.Second {
		t.Errorf("the session on B ended %s after the deactivation, want a couple of seconds", d.Round(time.Millisecond))
	}
	// And the account no longer logs in through B.
	again := dial(t, ts.b.addr, "")
	if err := again.Login(sales.Email, ts.logins["sales"][1], 30*time.Second); err == nil ||
		!strings.Contains(err.Error(), "wrong email or password") {
		t.Fatalf("the deactivated user logging in again through B: %v, want it refused", err)
	}
}

// supportedBy lists the ids of the events whose support contact is user.
func supportedBy(t *testing.T, dsn string, user int64) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM events WHERE support_contact_id = $1 ORDER BY id`, user)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestE2ETwoServeAssignment: a manager assigns a support collaborator to
// an event in the Events view of server A (filter "without support", a,
// the collaborator, enter); the collaborator, with the inbox open on
// server B, sees "you now support <event>" and the unread count arrive
// without a key, and the database holds the assignment.
func TestE2ETwoServeAssignment(t *testing.T) {
	ts := newTwoServe(t)
	ctx := context.Background()
	sup := ts.user(t, "support")
	mgr := ts.loginAs(t, ts.a.addr, "management")
	onB := ts.loginAs(t, ts.b.addr, "support")

	// B: the inbox, with what the demo data told them marked read, so
	// the assignment is the one unread notification.
	// The header reads "Inbox  0 unread · 0 shown" while the list loads:
	// the loaded one has the database's counts.
	unread := func() int {
		return pgCount(t, ts.dsn, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, sup.ID)
	}
	u := unread()
	shownN := min(pgCount(t, ts.dsn, `SELECT count(*) FROM notifications WHERE user_id = $1`, sup.ID), 200)
	if u == 0 || shownN == 0 {
		t.Fatalf("the demo data gives %s %d notifications, %d unread; want some unread", sup.FullName, shownN, u)
	}
	typeKeys(t, onB, "!")
	see(t, onB, 20*time.Second, fmt.Sprintf("Inbox  %d unread · %d shown", u, shownN))
	typeKeys(t, onB, "a")
	see(t, onB, 20*time.Second, fmt.Sprintf("Inbox  0 unread · %d shown", shownN))
	if n := unread(); n != 0 {
		t.Fatalf("%d unread notifications in the database after marking all read, want 0", n)
	}
	before := supportedBy(t, ts.dsn, sup.ID)

	// A: Events, its filters cycled (all, upcoming, past) to "without
	// support". The header says "1–12 of 12  filter: without support":
	// the count is the whole filtered list's, past events included.
	unassigned := func() int {
		return pgCount(t, ts.dsn, `SELECT count(*) FROM events WHERE support_contact_id IS NULL`)
	}
	n := unassigned()
	if n == 0 {
		t.Fatal("the demo data has no event without support")
	}
	typeKeys(t, mgr, "4")
	see(t, mgr, 20*time.Second, "filter: all")
	typeKeys(t, mgr, "fff")
	see(t, mgr, 20*time.Second, fmt.Sprintf("of %s  filter: without support", groupDigits(n)))
	// The first row is selected: a opens the picker for it.
	typeKeys(t, mgr, "a")
	see(t, mgr, 20*time.Second, "Support for ")
	see(t, mgr, 20*time.Second, sup.FullName)
	typeKeys(t, mgr, sup.FullName)
	typeKeys(t, mgr, "\r")
	see(t, mgr, 20*time.Second, sup.FullName+" now supports ")
	// The event leaves the filtered list.
	see(t, mgr, 20*time.Second, fmt.Sprintf("of %s  filter: without support", groupDigits(n-1)))

	// The database: one more event supported by them, which had none.
	after := supportedBy(t, ts.dsn, sup.ID)
	var added []int64
	for _, id := range after {
		if !slices.Contains(before, id) {
			added = append(added, id)
		}
	}
	if len(added) != 1 || len(after) != len(before)+1 {
		t.Fatalf("events supported by %s: %v before, %v after; want one more", sup.FullName, before, after)
	}
	if got := unassigned(); got != n-1 {
		t.Errorf("%d events without support after the assignment, want %d", got, n-1)
	}
	ev, err := ts.db.Events().Get(ctx, added[0])
	if err != nil {
		t.Fatal(err)
	}
	if ev.SupportContactID == nil || *ev.SupportContactID != sup.ID {
		t.Fatalf("event #%d's support id is %v, want %d", ev.ID, ev.SupportContactID, sup.ID)
	}

	// B, no key pressed: the open inbox shows the notification, unread.
	see(t, onB, 20*time.Second, "you now support "+domain.StripControl(ev.Name))
	see(t, onB, 20*time.Second, fmt.Sprintf("Inbox  1 unread · %d shown", min(shownN+1, 200)))
	if n := unread(); n != 1 {
		t.Errorf("%d unread notifications for %s in the database, want 1", n, sup.FullName)
	}
}

// TestE2ETwoServeStop: SIGTERM to server A's process right after a user
// pressed ctrl+s on a filled form, while another user's save waits on a
// row the test holds locked: A's sessions are told the server is
// stopping; the first save completes within the notice's grace (in the
// database, and said on screen); the second is still running when its
// session ends, and completes once the lock goes; a form left unsaved
// writes nothing; the process exits with status 0 within 10 s of the
// signal, and server B goes on serving.
func TestE2ETwoServeStop(t *testing.T) {
	ts := newTwoServe(t)
	ctx := context.Background()
	sales := ts.user(t, "sales")
	saver := ts.loginAs(t, ts.a.addr, "sales")
	slow := ts.loginAs(t, ts.a.addr, "sales")
	typing := ts.loginAs(t, ts.a.addr, "sales")
	onA := []*loadtest.Client{saver, slow, typing}

	// One session has typed into a new client's form, unsaved.
	openClients(t, typing)
	typeKeys(t, typing, "n")
	see(t, typing, 20*time.Second, "New client")
	typeKeys(t, typing, "Unsaved Person")
	see(t, typing, 20*time.Second, "Unsaved Person")

	// One edits a client of theirs (the name gets " Junior") and saves
	// while the test holds the client's row: the save waits on the lock.
	var (
		mine             int64
		mineName, mineAt string
	)
	conn, err := pgx.Connect(ctx, ts.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := conn.QueryRow(ctx, `SELECT id, full_name, email FROM clients WHERE sales_contact_id = $1 ORDER BY id LIMIT 1`,
		sales.ID).Scan(&mine, &mineName, &mineAt); err != nil {
		t.Fatalf("a client of %s: %v", sales.FullName, err)
	}
	openClients(t, slow)
	typeKeys(t, slow, "/"+mineAt+"\r")
	see(t, slow, 20*time.Second, "1–1 of 1")
	typeKeys(t, slow, "e")
	see(t, slow, 20*time.Second, "Edit client "+mineName)
	lock, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = lock.Rollback(ctx) }()
	if _, err := lock.Exec(ctx, `SELECT id FROM clients WHERE id = $1 FOR UPDATE`, mine); err != nil {
		t.Fatal(err)
	}
	typeKeys(t, slow, "\x05 Junior\x13") // ctrl+e: the end of the name
	see(t, slow, 20*time.Second, "saving…")

	// The sales user fills a new client's form (full name, email, phone)
	// and presses ctrl+s; SIGTERM follows at once, the keys still on
	// their way.
	email := fmt.Sprintf("grace-%d@example.com", time.Now().UnixNano())
	openClients(t, saver)
	typeKeys(t, saver, "n")
	see(t, saver, 20*time.Second, "New client")
	typeKeys(t, saver, "Grace Hopper\t"+email+"\t01 23 45 67 89\x13")
	if err := ts.a.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	signalled := time.Now()

	for _, c := range onA {
		if _, err := c.WaitFor(10*time.Second, "the server is stopping"); err != nil {
			t.Errorf("no stopping notice: %v", err)
		}
	}
	// The locked save's session ends (the grace is over) with its call
	// still waiting. The lock goes once serve says it waits for the call
	// (or has exited: then the call died with it, and the check below
	// fails).
	select {
	case <-slow.Ended():
	case <-time.After(10 * time.Second):
		t.Fatal("the session of the locked save is still open 10 s after SIGTERM")
	}
	const waiting = "stopping: sessions ended, waiting for 1 database call(s) under way"
	for !strings.Contains(ts.a.out.String(), waiting) {
		select {
		case <-ts.a.done:
			t.Errorf("serve exited without waiting for the locked save:\n%s", ts.a.out.String())
		case <-time.After(20 * time.Millisecond):
			if time.Since(signalled) > 15*time.Second {
				t.Fatalf("serve never said it waits for the locked save:\n%s", ts.a.out.String())
			}
			continue
		}
		break
	}
	if n := pgCount(t, ts.dsn, `SELECT count(*) FROM clients WHERE id = $1 AND full_name = $2`, mine, mineName+" Junior"); n != 0 {
		t.Fatal("the locked save went through while the row was locked")
	}
	if err := lock.Rollback(ctx); err != nil {
		t.Fatal(err)
	}

	select {
	case <-ts.a.done: // cmd.Wait returned
	case <-time.After(20 * time.Second):
		t.Fatalf("serve still running 20 s after SIGTERM")
	}
	if d := time.Since(signalled); d > 10*time.Second {
		t.Errorf("serve exited %s after SIGTERM, want at most 10 s", d.Round(time.Millisecond))
	} else {
		t.Logf("serve exited %s after SIGTERM", d.Round(time.Millisecond))
	}
	if ts.a.err != nil {
		t.Errorf("serve after SIGTERM: %v, want exit status 0", ts.a.err)
	}
	for _, c := range onA {
		select {
		case <-c.Ended():
		case <-time.After(5 * time.Second):
			t.Error("a session is still open 5 s after serve exited")
		}
	}
	if !strings.Contains(ts.a.out.String(), "stopping: telling open sessions") {
		t.Errorf("serve did not say it was stopping:\n%s", ts.a.out.String())
	}

	// The save pressed before SIGTERM is in the database, and was said.
	cl, err := ts.db.Clients().GetByEmail(ctx, email)
	if err != nil {
		t.Fatalf("the client saved just before SIGTERM is not in the database: %v", err)
	}
	if cl.FullName != "Grace Hopper" || cl.Phone != "01 23 45 67 89" {
		t.Errorf("saved client %q, phone %q; want Grace Hopper, 01 23 45 67 89", cl.FullName, cl.Phone)
	}
	if !shown(saver, "client Grace Hopper saved") {
		t.Error("the saver never saw that the client was saved")
	}
	// The save still running when its session ended completed.
	if got, err := ts.db.Clients().Get(ctx, mine); err != nil || got.FullName != mineName+" Junior" {
		t.Errorf("client #%d after the locked save: %q (err %v), want %q", mine, got.FullName, err, mineName+" Junior")
	}
	// The unsaved form wrote nothing.
	if n := pgCount(t, ts.dsn, `SELECT count(*) FROM clients WHERE full_name = $1`, "Unsaved Person"); n != 0 {
		t.Errorf("%d clients named Unsaved Person: the unsaved form was saved", n)
	}

	// B is still serving.
	ts.loginAs(t, ts.b.addr, "support")
}
