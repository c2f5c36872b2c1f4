package cli

import (
	"context"
	"net"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strings"
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
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop within 15 s of its context ending")
		}
	})
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
		WriteStall:       o.WriteStall,
		Dump:             dumpGoroutines,
		HandshakeTimeout: o.HandshakeTimeout,
	}
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

	modes := []func() loadtest.Result{
		func() loadtest.Result { return loadtest.Burst(ctx, tg, 20) },
		func() loadtest.Result { return loadtest.Typing(ctx, tg, 20, time.Second, 2*time.Second, 9) },
		func() loadtest.Result { return loadtest.Storm(ctx, tg, 5, 20, false) },
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

// dumpGoroutines lists this process's goroutines, grouped by stack.
func dumpGoroutines() string {
	var b strings.Builder
	_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
	return b.String()
}
