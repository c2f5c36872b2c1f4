package cli

import (
	"context"
	"errors"
	"net"
	"os"
	"os/signal"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/epic-events/crm/cli/loadtest"
)

// demoAccounts fills the database of e with the demo data set and returns
// its logins.
func demoAccounts(t *testing.T, e env) [][2]string {
	t.Helper()
	var out strings.Builder
	e.stdout = &out
	if code := runCmd(t, e, "", "demo"); code != 0 {
		t.Fatalf("demo: exit %d", code)
	}
	re := regexp.MustCompile(`(?m)^\s+(?:management|sales|support)\s+(\S+@epic-events\.fr)\s+(\S+)$`)
	var accts [][2]string
	for _, m := range re.FindAllStringSubmatch(out.String(), -1) {
		accts = append(accts, [2]string{m[1], m[2]})
	}
	if len(accts) == 0 {
		t.Fatalf("no demo login in:\n%s", out.String())
	}
	return accts
}

// startServe runs serve in this process on a free loopback port with o's
// limits (Addr is ignored) until the test ends.
func startServe(t *testing.T, e env, o serveOptions) loadtest.Target {
	t.Helper()
	tg, stop := startServeStoppable(t, e, o)
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Error(err)
		}
	})
	return tg
}

// startServeStoppable is startServe returning its stop: it ends serve's
// context as SIGTERM does and waits (15 s at most) for serve to return.
func startServeStoppable(t *testing.T, e env, o serveOptions) (loadtest.Target, func() error) {
	t.Helper()
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = e.getenv(envDatabaseURL)
	o.Addr = "127.0.0.1:0"
	addr := make(chan net.Addr, 1)
	o.onListen = func(a net.Addr) { addr <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out strings.Builder
	e.stdout = &out
	o.cfg = cfg
	go func() { done <- serve(ctx, e, o) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(15 * time.Second):
				stopErr = errors.New("serve did not stop within 15 s of its context ending")
			}
		})
		return stopErr
	}
	var a net.Addr
	select {
	case a = <-addr:
	case err := <-done:
		t.Fatalf("serve: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not listen within 30 s")
	}
	return loadtest.Target{
		Addr:             a.String(),
		Goroutines:       runtime.NumGoroutine,
		Dump:             dumpGoroutines,
		WriteStall:       o.WriteStall,
		HandshakeTimeout: o.HandshakeTimeout,
	}, stop
}

// TestServeUnderLoadAndFaults is the CI-sized run of the load harness: 20
// users log in together and type, then each fault mode once. It fails on
// any failed login, any session that stays stuck and any goroutine left
// behind after the clients are gone.
func TestServeUnderLoadAndFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and some 100 SSH clients")
	}
	e, _, _, dir := testEnv(t, nil)
	e.getenv = withVar(e.getenv, envDatabaseURL, dir+"/load.db")
	t0 := time.Now()
	accts := demoAccounts(t, e)
	t.Logf("demo data in %s", time.Since(t0).Round(time.Millisecond))

	o := defaultServeOptions()
	o.MaxPerAddress = 0 // every client comes from 127.0.0.1
	o.HandshakeTimeout = 3 * time.Second
	o.WriteStall = 2 * time.Second
	t0 = time.Now()
	tg := startServe(t, e, o)
	t.Logf("serving in %s", time.Since(t0).Round(time.Millisecond))
	tg.Accounts = accts
	ctx := context.Background()
	n := 20
	if raceEnabled {
		n = 4
		tg.ExtraSettle = 4 * time.Second
	}
	modes := []func() loadtest.Result{
		func() loadtest.Result { return loadtest.Burst(ctx, tg, n) },
		func() loadtest.Result { return loadtest.Typing(ctx, tg, n, time.Second, 2*time.Second, 9) },
		func() loadtest.Result { return loadtest.Storm(ctx, tg, n/4, n, false) },
		func() loadtest.Result { return loadtest.Drop(ctx, tg, 50) },
		func() loadtest.Result { return loadtest.MidFrame(ctx, tg, 5) },
		func() loadtest.Result { return loadtest.Silent(ctx, tg, 3) },
		func() loadtest.Result { return loadtest.Stalled(ctx, tg, true) },
		func() loadtest.Result { return loadtest.Stalled(ctx, tg, false) },
		func() loadtest.Result { return loadtest.NoPTY(ctx, tg) },
	}
	for _, mode := range modes {
		start := time.Now()
		r := mode()
		t.Logf("%s\n    (%s)", r, time.Since(start).Round(time.Millisecond))
		for _, f := range r.Failures {
			t.Errorf("%s: %s", r.Mode, f)
		}
	}
}

// withVar returns getenv with one more variable.
func withVar(getenv func(string) string, k, v string) func(string) string {
	return func(name string) string {
		if name == k {
			return v
		}
		return getenv(name)
	}
}

// loggedIn connects to addr and logs in as acct (email, password); the
// connection closes with the test.
func loggedIn(t *testing.T, addr string, acct [2]string) *loadtest.Client {
	t.Helper()
	c, err := loadtest.Dial(context.Background(), addr, loadtest.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Login(acct[0], acct[1], 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return c
}

// dumpGoroutines lists this process's goroutines, grouped by stack.
func dumpGoroutines() string {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}

// TestServeStopTellsSessions: on SIGTERM (the context ending) a logged-in
// user is told the server is stopping, the session ends, and serve
// returns within 10 s.
func TestServeStopTellsSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	e, _, _, dir := testEnv(t, nil)
	e.getenv = withVar(e.getenv, envDatabaseURL, dir+"/stop.db")
	accts := demoAccounts(t, e)
	o := defaultServeOptions()
	o.StopGrace = 500 * time.Millisecond
	tg, stop := startServeStoppable(t, e, o)
	c := loggedIn(t, tg.Addr, accts[0])
	start := time.Now()
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	if _, err := c.WaitFor(10*time.Second, "the server is stopping"); err != nil {
		t.Errorf("no stopping notice: %v", err)
	}
	select {
	case <-c.Ended():
	case <-time.After(10 * time.Second):
		t.Error("the session is still open 10 s after the stop")
	}
	if err := <-stopped; err != nil {
		t.Errorf("serve: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("serve took %s to stop, want at most 10 s", d)
	}
}

// TestServeSignalIsServes: a SIGTERM to the process is serve's alone (its
// context, fang's handler in the binary): the sessions' programs install no
// handler of their own, so a session still takes keys after the signal,
// until serve's shutdown drains it. With Bubble Tea's handler every
// program quit at the signal, before the notice's grace, dropping the keys
// in flight (a ctrl+s pressed just before: the save never happened).
func TestServeSignalIsServes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	e, _, _, dir := testEnv(t, nil)
	e.getenv = withVar(e.getenv, envDatabaseURL, dir+"/signal.db")
	accts := demoAccounts(t, e)
	tg := startServe(t, e, defaultServeOptions())
	c := loggedIn(t, tg.Addr, accts[0])
	// The test catches the signal, so that the test process survives it
	// (serve's context here is the test's, not tied to signals).
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	defer signal.Stop(sig)
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-sig:
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM not delivered within 10 s")
	}
	// The session goes on: two views, each answering its key. The
	// renderer sends only the cells that changed, so a text that misses
	// is asked again of a full repaint (a window change).
	for _, step := range [][2]string{{"2", "filter: all"}, {"4", "Support"}} {
		if err := c.Type(step[0]); err != nil {
			t.Fatalf("typing %q after SIGTERM: %v", step[0], err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for {
			_, err := c.WaitFor(2*time.Second, step[1])
			if err == nil {
				break
			}
			select {
			case <-c.Ended():
				t.Fatalf("after SIGTERM, %q: %v (the session's program took the signal)", step[0], err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("after SIGTERM, %q: %v", step[0], err)
			}
			_ = c.Resize(loadtest.TermW, loadtest.TermH)
		}
	}
	select {
	case <-c.Ended():
		t.Fatal("the session ended after SIGTERM, without serve stopping")
	default:
	}
}

// TestTwoServersShareTheThrottle: two serve processes' worth of servers on
// one PostgreSQL database; failed logins through one lock the account
// through the other.
func TestTwoServersShareTheThrottle(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	dsn := pgDatabase(t)
	e, _, _, _ := testEnv(t, map[string]string{envDatabaseURL: dsn})
	if code := runCmd(t, e, "", "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d", code)
	}
	accts := demoAccounts(t, e)
	o := defaultServeOptions()
	a := startServe(t, e, o)
	b := startServe(t, e, o)
	email, pw := accts[1][0], accts[1][1]
	// B's login screen is open before the failures, so the attempt through
	// it follows the fifth within the 1 s wait (it costs no hashing).
	onB, err := loadtest.Dial(context.Background(), b.Addr, loadtest.DialOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer onB.Close()
	if _, err := onB.WaitFor(30*time.Second, "Log in"); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		c, err := loadtest.Dial(context.Background(), a.Addr, loadtest.DialOptions{})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Login(email, "not the password "+strconv.Itoa(i), 30*time.Second)
		c.Close()
		if err == nil || !strings.Contains(err.Error(), "wrong email or password") {
			t.Fatalf("wrong password %d through A: %v", i, err)
		}
	}
	if err := onB.Login(email, pw, 30*time.Second); err == nil || !strings.Contains(err.Error(), "too many failed") {
		t.Errorf("right password through B after 5 failures through A: %v, want the throttle", err)
	}
}
