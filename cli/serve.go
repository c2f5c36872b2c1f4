package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"charm.land/wish/v2/activeterm"
	bm "charm.land/wish/v2/bubbletea"
	"github.com/spf13/cobra"

	"github.com/epic-events/crm/tui"
)

// HostKeyName is the file of the SSH host key in the data directory.
const HostKeyName = "ssh_host_ed25519"

// serveOptions are the flags of serve.
type serveOptions struct {
	cfg  config
	addr string // listen address, HOST:PORT
}

func newServeCmd(e env, g *globals) *cobra.Command {
	var o serveOptions
	addr := e.getenv(envSSHAddr)
	if addr == "" {
		addr = defaultSSHAddr
	}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the UI over SSH (each connection logs in)",
		Long: "Serve the UI over SSH: `ssh -p 23234 HOST` opens a login screen, each\n" +
			"connection with its own session. The database credentials stay on the\n" +
			"server. The host key is kept in the data directory (" + HostKeyName + ").\n" +
			"The SSH layer itself asks for no credentials: the app's login does.",
		Example: "epic-events serve --addr 0.0.0.0:23234 --db postgres://crm@db.example/crm\n" +
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
	cmd.Flags().StringVar(&o.addr, "addr", addr, "listen address (env "+envSSHAddr+")")
	return cmd
}

// serve runs the SSH server until ctx ends, then waits a little for the
// open sessions.
func serve(ctx context.Context, e env, o serveOptions) error {
	cfg, addr := o.cfg, o.addr
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("--addr %q: want HOST:PORT, e.g. %s", addr, defaultSSHAddr)
	}
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true, live: true})
	if err != nil {
		return err
	}
	defer a.Close()

	srv, err := wish.NewServer(
		wish.WithAddress(addr),
		wish.WithHostKeyPath(filepath.Join(cfg.DataDir, HostKeyName)),
		wish.WithIdleTimeout(30*time.Minute),
		wish.WithMiddleware(
			bm.Middleware(a.sshHandler),
			activeterm.Middleware(),
			a.sshLogging,
		),
	)
	if err != nil {
		return fmt.Errorf("ssh server: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	fmt.Fprintf(e.stdout, "serving Epic Events on ssh://%s (database: %s); ctrl+c stops\n", ln.Addr(), a.desc)
	a.log.Info("serve", "addr", ln.Addr().String(), "db", a.desc)

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, ssh.ErrServerClosed) {
			return fmt.Errorf("ssh server: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	fmt.Fprintln(e.stdout, "stopping: waiting up to 10s for open sessions")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	return nil
}

// sshHandler gives each connection its own UI with no session: it starts
// on the login screen (or setup on an empty database).
func (a *app) sshHandler(s ssh.Session) (tea.Model, []tea.ProgramOption) {
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
	})
	// The session's end stops its share of the change feed.
	if c, ok := model.(interface{ Close() }); ok {
		go func() {
			<-s.Context().Done()
			c.Close()
		}()
	}
	g := newGuard(s.Context(), model, a.rep, "serve")
	s.Context().SetValue(guardKey{}, g)
	return g, nil
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
