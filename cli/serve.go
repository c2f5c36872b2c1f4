package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/spf13/cobra"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/tui"
)

// HostKeyName is the file of the SSH host key in the data directory.
const HostKeyName = "ssh_host_ed25519"

func newServeCmd(e env, g *globals) *cobra.Command {
	o := defaultServeOptions()
	if addr := e.getenv(envSSHAddr); addr != "" {
		o.Addr = addr
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the UI over SSH (each connection logs in)",
		Long: "Serve the UI over SSH: `ssh -p 23234 HOST` opens a login screen, each\n" +
			"connection with its own session. The database credentials stay on the\n" +
			"server. The host key is kept in the data directory (" + HostKeyName + ").\n" +
			"The SSH layer itself asks for no credentials (unless --authorized-keys):\n" +
			"the app's login does. docs/OPERATIONS.md describes the limits.",
		Example: "epic-events serve --addr 0.0.0.0:23234 --db postgres://crm@db.example/crm\n" +
			"epic-events serve --proxy-protocol --max-sessions-per-address 0   # behind a TCP load balancer\n" +
			"ssh -p 23234 crm.example",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config(e)
			if err != nil {
				return err
			}
			o.cfg = cfg
			return serve(cmd.Context(), e, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Addr, "addr", o.Addr, "listen address (env "+envSSHAddr+")")
	f.IntVar(&o.MaxSessions, "max-sessions", o.MaxSessions, "most open connections (0: no limit)")
	f.IntVar(&o.MaxPerAddress, "max-sessions-per-address", o.MaxPerAddress, "most open connections from one source address (0: no limit)")
	f.BoolVar(&o.ProxyProtocol, "proxy-protocol", o.ProxyProtocol, "require a PROXY protocol v1/v2 header on every connection (behind a TCP load balancer)")
	f.StringVar(&o.AuthorizedKeys, "authorized-keys", o.AuthorizedKeys, "authorized_keys FILE: the SSH layer also requires one of its keys")
	f.IntVar(&o.LoginConcurrency, "login-concurrency", o.LoginConcurrency, "password checks at once (0: half the cores, at least 1)")
	return cmd
}

// serve runs the SSH server until ctx ends (SIGINT/SIGTERM), then stops it
// as sshServer.shutdown describes, within 10 s.
func serve(ctx context.Context, e env, o serveOptions) error {
	if _, _, err := net.SplitHostPort(o.Addr); err != nil {
		return fmt.Errorf("--addr %q: want HOST:PORT, e.g. %s", o.Addr, defaultSSHAddr)
	}
	if o.MaxSessions < 0 || o.MaxPerAddress < 0 || o.LoginConcurrency < 0 {
		return errors.New("--max-sessions, --max-sessions-per-address and --login-concurrency take 0 (default, or no limit) or more")
	}
	a, err := openApp(ctx, e, o.cfg, openOptions{migrate: true, live: true, loginConcurrency: o.LoginConcurrency})
	if err != nil {
		return err
	}
	defer a.Close()
	a.gate = auth.NewGate(o.LoginConcurrency, o.LoginQueue, releaseMemory())
	reserveHashingThreads(a.gate.Slots())
	srv, err := newSSHServer(a, o)
	if err != nil {
		return err
	}
	ln, err := srv.listen()
	if err != nil {
		return err
	}
	if dbg := e.getenv(envDebugAddr); dbg != "" {
		if err := serveDebug(dbg, a); err != nil {
			_ = ln.Close()
			return err
		}
	}
	if o.onListen != nil {
		o.onListen(ln.Addr())
	}
	fmt.Fprintf(e.stdout, "serving Epic Events on ssh://%s (database: %s); ctrl+c stops\n", ln.Addr(), a.desc)
	a.log.Info("serve", "addr", ln.Addr().String(), "db", a.desc, "max_sessions", o.MaxSessions,
		"max_per_address", o.MaxPerAddress, "proxy_protocol", o.ProxyProtocol, "authorized_keys", o.AuthorizedKeys != "",
		"login_concurrency", a.gate.Slots())

	done := make(chan error, 1)
	go func() { done <- srv.srv.Serve(ln) }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, ssh.ErrServerClosed) {
			return fmt.Errorf("ssh server: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	fmt.Fprintln(e.stdout, "stopping: telling open sessions, waiting up to 10s")
	a.log.Info("serve stopping")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.shutdown(sctx); err != nil {
		a.log.Warn("serve stop", "err", err)
	}
	// A session drained while its save was running has quit; the call
	// goes on in its goroutine: let it finish before the database closes
	// and the process exits.
	if n := tui.CallsUnderWay(); n > 0 {
		fmt.Fprintf(e.stdout, "stopping: sessions ended, waiting for %d database call(s) under way\n", n)
		if err := tui.WaitCalls(sctx); err != nil {
			a.log.Warn("serve stop: service calls still running", "err", err)
		}
	}
	return nil
}

// sessionModel gives each connection its own UI with no session: it starts
// on the login screen (or setup on an empty database). onLogin and
// onLogout tell the server when the session has a user.
func (a *app) sessionModel(s ssh.Session, done <-chan struct{}, onLogin, onLogout func()) tea.Model {
	noColor := false
	for _, kv := range s.Environ() {
		if strings.HasPrefix(kv, "NO_COLOR=") && kv != "NO_COLOR=" {
			noColor = true
		}
	}
	model := newUIModel(tui.Options{
		Services: a.svc,
		DBLabel:  a.desc,
		Log:      a.log,
		NoColor:  noColor, // the client's, when its ssh sends it (SendEnv NO_COLOR)
		OnLogin:  func(*domain.Session) { onLogin() },
		OnLogout: onLogout,
		Logins:   a.gate,
		Done:     done,
		// The address the limits count (the PROXY header's, behind a
		// balancer).
		ClientAddress: addrKey(s.RemoteAddr()),
	})
	// The session's end (or its stopping) stops its share of the change
	// feed.
	go func() {
		select {
		case <-s.Context().Done():
		case <-done:
		}
		if c, ok := model.(interface{ Close() }); ok {
			c.Close()
		}
	}()
	g := newGuard(doneContext(done), model, a.rep, "serve")
	s.Context().SetValue(guardKey{}, g)
	return g
}

// guardKey finds a session's guard in its context, for sshLogging to say
// a crash once the program has ended.
type guardKey struct{}

// sshLogging records connections (remote address and duration only) and
// turns a panic in a session into a report instead of a dead server.
func (a *app) sshLogging(next ssh.Handler) ssh.Handler {
	return func(s ssh.Session) {
		start := time.Now()
		a.log.Info("ssh connect", "remote", s.RemoteAddr().String())
		defer func() {
			crashed := false
			if v := recover(); v != nil {
				a.rep.Panic("serve session", v)
				crashed = true
			}
			if g, ok := s.Context().Value(guardKey{}).(*guard); ok && g.crashed {
				crashed = true
			}
			if crashed {
				// The program has restored the client's terminal: one line,
				// then the session ends with a failure status.
				_, _ = fmt.Fprint(s, crashLineRemote+"\r\n")
				_ = s.Exit(1)
			}
			a.log.Info("ssh disconnect", "remote", s.RemoteAddr().String(), "duration", time.Since(start).Round(time.Millisecond).String())
		}()
		next(s)
	}
}

// reserveHashingThreads adds to GOMAXPROCS one processor per password
// check that may run at once. A check runs on a thread of lowest priority
// (auth.Hasher), which the system leaves waiting while sessions have work;
// the processor it holds meanwhile is then not one the sessions lack.
// Once per process.
var reserveHashingThreads = func() func(int) {
	var once sync.Once
	return func(slots int) {
		once.Do(func() { runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + slots) })
	}
}()

// releaseMemory returns what the gate calls when its last login ends:
// two seconds later, if no login came meanwhile, the argon2id blocks of a
// burst (19 MiB each, garbage by then) go back to the OS, which the
// runtime alone does only over minutes.
func releaseMemory() func() {
	var mu sync.Mutex
	var t *time.Timer
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if t == nil {
			t = time.AfterFunc(2*time.Second, debug.FreeOSMemory)
			return
		}
		t.Reset(2 * time.Second)
	}
}
