package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2"
	"github.com/pires/go-proxyproto"
	gossh "golang.org/x/crypto/ssh"
)

// serveOptions are the limits and switches of `serve`.
type serveOptions struct {
	cfg  config
	Addr string
	// MaxSessions and MaxPerAddress bound the open connections, in all and
	// per source address; 0 turns a limit off.
	MaxSessions   int
	MaxPerAddress int
	// ProxyProtocol accepts a PROXY protocol (v1 or v2) header from a TCP
	// load balancer, so the limits and the log see the client's address.
	ProxyProtocol bool
	// AuthorizedKeys, when set, is an authorized_keys file: the SSH layer
	// then requires one of its public keys before the app's own login.
	AuthorizedKeys string
	// LoginConcurrency is how many password checks run at once (0: half
	// the cores, at least one); LoginQueue how many logins may wait.
	LoginConcurrency int
	LoginQueue       int

	HandshakeTimeout time.Duration // TCP accept to SSH session
	LoginIdle        time.Duration // a session with no login is closed after this
	WriteStall       time.Duration // see sessionWriteStall
	StopGrace        time.Duration // SIGTERM: notice shown this long before sessions end

	onListen func(net.Addr) // tests: where the server listens
}

// defaultServeOptions are what an operator of an internal service expects.
func defaultServeOptions() serveOptions {
	return serveOptions{
		Addr:             defaultSSHAddr,
		MaxSessions:      1000,
		MaxPerAddress:    20,
		LoginQueue:       200,
		HandshakeTimeout: 10 * time.Second,
		LoginIdle:        2 * time.Minute,
		WriteStall:       sessionWriteStall,
		StopGrace:        2 * time.Second,
	}
}

// refusedKey marks, in a connection's context, why it is refused; the
// session then shows that one line and ends.
var refusedKey = &struct{ name string }{"epic-refused"}

// maxRefusing bounds connections held only to show a refusal: beyond it
// they are closed at once, without the message.
const maxRefusing = 64

// sshServer holds the connection counts and the live sessions.
type sshServer struct {
	a   *app
	o   serveOptions
	srv *ssh.Server

	mu       sync.Mutex
	total    int
	refusing int
	perAddr  map[string]int
	live     map[*liveSession]struct{}
	stopping bool
}

// liveSession is what the server can do to a running session.
type liveSession struct {
	send func(tea.Msg)
	stop func()
}

func newSSHServer(a *app, o serveOptions) (*sshServer, error) {
	s := &sshServer{a: a, o: o, perAddr: map[string]int{}, live: map[*liveSession]struct{}{}}
	opts := []ssh.Option{
		wish.WithAddress(o.Addr),
		wish.WithHostKeyPath(filepath.Join(a.cfg.DataDir, HostKeyName)),
		wish.WithMiddleware(s.sessionMiddleware, s.a.sshLogging),
		func(srv *ssh.Server) error {
			srv.HandshakeTimeout = o.HandshakeTimeout
			// Logged-in sessions end by their own token expiry; this only
			// reaps connections on which nothing at all moves.
			srv.IdleTimeout = 30 * time.Minute
			srv.ConnCallback = s.admit
			return nil
		},
	}
	if o.AuthorizedKeys != "" {
		keys, err := readAuthorizedKeys(o.AuthorizedKeys)
		if err != nil {
			return nil, err
		}
		opts = append(opts, wish.WithPublicKeyAuth(func(_ ssh.Context, key ssh.PublicKey) bool {
			for _, k := range keys {
				if ssh.KeysEqual(k, key) {
					return true
				}
			}
			return false
		}))
	}
	srv, err := wish.NewServer(opts...)
	if err != nil {
		return nil, fmt.Errorf("ssh server: %w", err)
	}
	s.srv = srv
	return s, nil
}

// readAuthorizedKeys parses an OpenSSH authorized_keys file.
func readAuthorizedKeys(path string) ([]ssh.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--authorized-keys: %w", err)
	}
	var keys []ssh.PublicKey
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, _, _, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("--authorized-keys %s line %d: %v", path, n, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("--authorized-keys %s: no public key in the file (no one could connect)", path)
	}
	return keys, nil
}

// listen opens the listening socket, behind a PROXY protocol reader when
// asked. With the option set, a connection without a header is refused:
// accepting both would let any client spoof its address.
func (s *sshServer) listen() (net.Listener, error) {
	ln, err := net.Listen("tcp", s.o.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", s.o.Addr, err)
	}
	if !s.o.ProxyProtocol {
		return ln, nil
	}
	return &proxyproto.Listener{
		Listener:          ln,
		ReadHeaderTimeout: s.o.HandshakeTimeout,
		ConnPolicy: func(proxyproto.ConnPolicyOptions) (proxyproto.Policy, error) {
			return proxyproto.REQUIRE, nil
		},
	}, nil
}

// addrKey is the source address a per-address limit counts (the host,
// without the port).
func addrKey(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return host
}

// admit counts a new connection against the limits. Over a limit the
// connection is still taken through the SSH handshake, to show the
// client why, unless too many refusals are in flight already.
func (s *sshServer) admit(ctx ssh.Context, c net.Conn) net.Conn {
	key := addrKey(c.RemoteAddr())
	if raw := rawTCP(c); raw != nil {
		_ = raw.SetWriteBuffer(sendBuffer)
		if p := tcpProgressOf(raw); p != nil {
			ctx.SetValue(progressKey, p)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	reason := ""
	switch {
	case s.stopping:
		reason = "the server is stopping — try again in a few seconds"
	case s.o.MaxSessions > 0 && s.total >= s.o.MaxSessions:
		reason = fmt.Sprintf("the server is full (%d sessions) — try again later", s.o.MaxSessions)
	case s.o.MaxPerAddress > 0 && s.perAddr[key] >= s.o.MaxPerAddress:
		reason = fmt.Sprintf("too many sessions from %s (at most %d) — close one and try again", key, s.o.MaxPerAddress)
	}
	if reason != "" {
		if s.refusing >= maxRefusing {
			return nil
		}
		s.refusing++
		ctx.SetValue(refusedKey, reason)
		s.a.log.Warn("ssh refused", "remote", key, "reason", reason)
		return &countedConn{Conn: c, release: func() {
			s.mu.Lock()
			s.refusing--
			s.mu.Unlock()
		}}
	}
	s.total++
	s.perAddr[key]++
	return &countedConn{Conn: c, release: func() {
		s.mu.Lock()
		s.total--
		if s.perAddr[key]--; s.perAddr[key] <= 0 {
			delete(s.perAddr, key)
		}
		s.mu.Unlock()
	}}
}

// sendBuffer is the kernel send buffer of a connection. Left alone, Linux
// grows it up to 4 MiB for a client that stops reading: per connection,
// kernel memory, and 4 MiB more that a stalled client hides from the
// write deadline. A screen is a few KiB; 128 KiB still fills a 100 ms
// round trip at 1 MB/s.
const sendBuffer = 128 << 10

// rawTCP is the TCP connection under c (behind a PROXY protocol reader
// too), or nil.
func rawTCP(c net.Conn) *net.TCPConn {
	if p, ok := c.(*proxyproto.Conn); ok {
		c = p.Raw()
	}
	tc, _ := c.(*net.TCPConn)
	return tc
}

// progressKey holds, in a connection's context, the reader of its TCP
// progress (see tcpProgressOf).
var progressKey = &struct{ name string }{"epic-tcp-progress"}

// countedConn gives its slot back once, when closed.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// sessionMiddleware runs the UI of one session (see sshsession.go).
func (s *sshServer) sessionMiddleware(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		// One connection carries one session: once it is over, give the
		// client a moment to read its exit status, then close the
		// connection even if the client keeps it open.
		defer time.AfterFunc(2*time.Second, connCloser(sess))
		if reason, _ := sess.Context().Value(refusedKey).(string); reason != "" {
			wish.Fatalln(sess, "epic-events: "+reason)
			return
		}
		pty, winch, ok := sess.Pty()
		if !ok {
			wish.Fatalln(sess, "epic-events: this is a full-screen app and needs a terminal: connect with ssh -t")
			return
		}
		s.run(sess, pty, winch)
		next(sess)
	}
}

// connCloser closes the whole SSH connection of a session: one connection
// carries one session here, and closing the TCP socket is what releases a
// writer blocked on a client that stopped reading.
func connCloser(sess ssh.Session) func() {
	if c, ok := sess.Context().Value(ssh.ContextKeyConn).(interface{ Close() error }); ok {
		return func() { _ = c.Close() }
	}
	return func() { _ = sess.Close() }
}

// run runs the program of one session until it quits, the client goes
// away or the server stops it, and returns once its goroutines are done
// (the pump ends with the channel, right after).
func (s *sshServer) run(sess ssh.Session, pty ssh.Pty, winch <-chan ssh.Window) {
	kill := connCloser(sess)
	progress, _ := sess.Context().Value(progressKey).(func() (bool, uint64, bool))
	out := newSessionWriter(sess, func() {
		s.a.log.Warn("ssh client stalled: disconnected", "remote", sess.RemoteAddr().String(), "after", s.o.WriteStall.String())
		kill()
	}, s.o.WriteStall, progress)
	in := newSessionInput()

	var prog *tea.Program
	ended := make(chan struct{})
	// quitting ends the UI's timers and waits as soon as the session is
	// stopping, so none outlives it.
	quitting := make(chan struct{})
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			close(quitting)
			in.drain()
			go func() {
				select {
				case <-ended:
				case <-time.After(drainPause + drainWait):
					prog.Kill()
				}
			}()
		})
	}

	var idle *time.Timer
	if s.o.LoginIdle > 0 {
		idle = time.AfterFunc(s.o.LoginIdle, func() {
			prog.Send(noticeMsg{fmt.Sprintf("no login within %s: disconnected", s.o.LoginIdle)})
			stop()
		})
	}
	model := s.a.sessionModel(sess, quitting, func() {
		if idle != nil {
			idle.Stop()
		}
	}, func() {
		if idle != nil {
			idle.Reset(s.o.LoginIdle)
		}
	})
	prog = programFor(model, sess, pty, in, out, stop)
	ls := &liveSession{send: prog.Send, stop: stop}
	if !s.register(ls) {
		wish.Fatalln(sess, "epic-events: the server is stopping — try again in a few seconds")
		out.close()
		return
	}
	defer s.unregister(ls)

	go in.pump(sess, stop)
	windowRelay(winch, prog.Send, ended)
	if _, err := prog.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		s.a.log.Error("ssh session", "remote", sess.RemoteAddr().String(), "err", err)
	}
	close(ended)
	stopOnce.Do(func() { close(quitting) })
	if idle != nil {
		idle.Stop()
	}
	in.close()
	out.close()
}

func (s *sshServer) register(ls *liveSession) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopping {
		return false
	}
	s.live[ls] = struct{}{}
	return true
}

func (s *sshServer) unregister(ls *liveSession) {
	s.mu.Lock()
	delete(s.live, ls)
	s.mu.Unlock()
}

// shutdown tells every session the server is stopping, gives in-flight
// work StopGrace to finish (a save's result reaches its screen), ends the
// sessions and waits for them until ctx ends.
func (s *sshServer) shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	live := make([]*liveSession, 0, len(s.live))
	for ls := range s.live {
		live = append(live, ls)
	}
	s.mu.Unlock()
	for _, ls := range live {
		go ls.send(noticeMsg{"the server is stopping: your session ends in a moment — reconnect shortly"})
	}
	if len(live) > 0 {
		select {
		case <-time.After(s.o.StopGrace):
		case <-ctx.Done():
		}
	}
	for _, ls := range live {
		ls.stop()
	}
	err := s.srv.Shutdown(ctx)
	if err != nil {
		_ = s.srv.Close()
	}
	return err
}
