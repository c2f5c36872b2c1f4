// Package loadtest drives `epic-events serve` from outside, the way many
// users would: SSH clients (golang.org/x/crypto/ssh) with a PTY that log
// in and type, and clients that misbehave (drop the connection, never
// speak, stop reading). It only dials loopback addresses, and every mode
// is bounded in clients and time. The program in ./cmd runs it against a
// server it starts; the serve test of package cli runs a small set in CI.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"
	"golang.org/x/crypto/ssh"
)

// Term is the size of every client's terminal.
const (
	TermW = 100
	TermH = 30
)

// Client is one SSH connection with one session.
type Client struct {
	tcp  *stallConn
	c    *ssh.Client
	s    *ssh.Session
	in   io.Writer
	out  *watch
	done chan struct{} // closed when the output ended (session over)
	conn chan struct{} // closed when the session ended on the server's side
}

// watch collects what the server writes: its size, the time of its last
// byte, and the recent text for WaitFor.
type watch struct {
	mu      sync.Mutex
	n       int64
	raw     []byte
	notify  chan struct{}
	stalled chan struct{} // closed to stop reading (a client that stalls)
	stall   sync.Once
}

const keepRaw = 128 << 10

func (w *watch) read(r io.Reader, done, connDone chan struct{}) {
	defer close(done)
	buf := make([]byte, 32<<10)
	for {
		select {
		case <-w.stalled:
			// Read no more (the window fills) until the connection ends.
			<-connDone
			return
		default:
		}
		n, err := r.Read(buf)
		if n > 0 {
			w.mu.Lock()
			w.n += int64(n)
			w.raw = append(w.raw, buf[:n]...)
			if len(w.raw) > keepRaw {
				w.raw = append(w.raw[:0], w.raw[len(w.raw)-keepRaw/2:]...)
			}
			w.mu.Unlock()
			select {
			case w.notify <- struct{}{}:
			default:
			}
		}
		if err != nil {
			return
		}
	}
}

func (w *watch) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return ansi.Strip(string(w.raw))
}

// waitOverlap is how much already-searched output a search covers again,
// for a text split between two reads (with the escape sequences between
// its letters).
const waitOverlap = 4 << 10

// textSince is the screen text of what arrived after offset seen in the
// stream (with waitOverlap before it), and the stream's offset now. A
// search then costs what arrived, not the whole kept output: with a
// hundred clients waiting, stripping 128 KiB at every frame made the
// harness the busiest process on the machine.
func (w *watch) textSince(seen int64) (string, int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	start := len(w.raw) - int(w.n-seen) - waitOverlap
	if start < 0 || seen == 0 {
		start = 0
	}
	return ansi.Strip(string(w.raw[start:])), w.n
}

func (w *watch) count() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// DialOptions say how a client connects.
type DialOptions struct {
	NoPTY bool
	// SmallBuffer gives the socket a small receive buffer, so a client
	// that stalls stops the server's writes after a few frames instead of
	// megabytes.
	SmallBuffer bool
	// Local is the loopback source address (e.g. 127.0.0.7), so a run can
	// spread clients over addresses; empty picks the default.
	Local string
}

// ErrNotLoopback refuses a target beyond this machine.
var ErrNotLoopback = errors.New("loadtest: the target must be a loopback address")

// CheckLoopback refuses any address that is not loopback.
func CheckLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	ip := net.ParseIP(host)
	if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return ErrNotLoopback
	}
	return nil
}

// Dial connects, opens a session with a 100x30 PTY (unless NoPTY) and
// starts the shell.
func Dial(ctx context.Context, addr string, o DialOptions) (*Client, error) {
	if err := CheckLoopback(addr); err != nil {
		return nil, err
	}
	d := net.Dialer{Timeout: 15 * time.Second}
	if o.SmallBuffer {
		// Set before connecting, so the window the client advertises
		// (its scale included) stays small.
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
			})
			return errors.Join(err, serr)
		}
	}
	if o.Local != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(o.Local)}
	}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	tcp := &stallConn{Conn: raw, stalled: make(chan struct{}), dead: make(chan struct{})}
	cfg := &ssh.ClientConfig{
		User:            "load",
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), // loopback only, checked above
		Timeout:         15 * time.Second,
	}
	_ = tcp.SetDeadline(time.Now().Add(15 * time.Second))
	conn, chans, reqs, err := ssh.NewClientConn(tcp, addr, cfg)
	if err != nil {
		_ = tcp.Close()
		return nil, fmt.Errorf("ssh handshake: %w", err)
	}
	_ = tcp.SetDeadline(time.Time{})
	c := ssh.NewClient(conn, chans, reqs)
	s, err := c.NewSession()
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	cl := &Client{tcp: tcp, c: c, s: s, done: make(chan struct{}), conn: make(chan struct{}),
		out: &watch{notify: make(chan struct{}, 1), stalled: make(chan struct{})}}
	stdout, err := s.StdoutPipe()
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	s.Stderr = io.Discard
	in, err := s.StdinPipe()
	if err != nil {
		_ = c.Close()
		return nil, err
	}
	cl.in = in
	if !o.NoPTY {
		if err := s.RequestPty("xterm-256color", TermH, TermW, ssh.TerminalModes{}); err != nil {
			_ = c.Close()
			return nil, err
		}
	}
	if err := s.Shell(); err != nil {
		_ = c.Close()
		return nil, err
	}
	go func() {
		// The session is over when the server closes its channel (or the
		// connection dies).
		_ = s.Wait()
		close(cl.conn)
	}()
	go cl.out.read(stdout, cl.done, cl.conn)
	return cl, nil
}

// WaitFor waits until the screen text (escape sequences removed) holds
// one of texts and returns it.
func (c *Client) WaitFor(timeout time.Duration, texts ...string) (string, error) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	var seen int64
	for {
		var t string
		t, seen = c.out.textSince(seen)
		for _, s := range texts {
			if strings.Contains(t, s) {
				return s, nil
			}
		}
		select {
		case <-c.out.notify:
		case <-c.done:
			t := c.out.text()
			for _, s := range texts {
				if strings.Contains(t, s) {
					return s, nil
				}
			}
			return "", fmt.Errorf("session ended before %q (screen: %q)", texts, tail(t))
		case <-deadline.C:
			return "", fmt.Errorf("no %q within %s (screen: %q)", texts, timeout, tail(c.out.text()))
		}
	}
}

func tail(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 160 {
		return s[len(s)-160:]
	}
	return s
}

// Type sends keys as typed.
func (c *Client) Type(keys string) error {
	_, err := io.WriteString(c.in, keys)
	return err
}

// Login types email and password on the login screen and waits for the
// dashboard; a refusal comes back as an error holding its sentence.
func (c *Client) Login(email, password string, timeout time.Duration) error {
	if _, err := c.WaitFor(timeout, "Log in"); err != nil {
		return err
	}
	if err := c.Type(email + "\r" + password + "\r"); err != nil {
		return err
	}
	got, err := c.WaitFor(timeout, "Dashboard", "wrong email or password", "busy", "taking too long",
		"unreachable", "too many failed", "went wrong")
	if err != nil {
		return err
	}
	if got != "Dashboard" {
		return fmt.Errorf("login refused: %s", got)
	}
	return nil
}

// Key sends key and returns the time to the first byte the server writes
// after it.
func (c *Client) Key(key string, timeout time.Duration) (time.Duration, error) {
	before := c.out.count()
	// Drop a stale wake-up so the wait below is for this key's output.
	select {
	case <-c.out.notify:
	default:
	}
	start := time.Now()
	if err := c.Type(key); err != nil {
		return 0, err
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for c.out.count() == before {
		select {
		case <-c.out.notify:
		case <-c.done:
			return 0, errors.New("session ended")
		case <-deadline.C:
			return 0, fmt.Errorf("%w within %s after %q", errNoOutput, timeout, key)
		}
	}
	return time.Since(start), nil
}

// errNoOutput: the server wrote nothing after a key.
var errNoOutput = errors.New("no output")

// Resize sends a window change.
func (c *Client) Resize(w, h int) error {
	return c.s.WindowChange(h, w)
}

// Stall stops reading anything from the server, as a frozen client
// (a suspended ssh, a hung terminal) does: the socket buffers fill and the
// server can write no more. The client still writes; it learns that the
// server closed the connection when a write fails.
func (c *Client) Stall() {
	c.out.stall.Do(func() { close(c.out.stalled) })
	c.tcp.stall()
}

// stallConn is the client's TCP connection, which can stop reading.
type stallConn struct {
	net.Conn
	once, deadOnce sync.Once
	stalled        chan struct{}
	dead           chan struct{} // a write failed: the server is gone
}

func (c *stallConn) stall() { c.once.Do(func() { close(c.stalled) }) }

func (c *stallConn) Read(b []byte) (int, error) {
	select {
	case <-c.stalled:
		<-c.dead
		return 0, io.EOF
	default:
	}
	return c.Conn.Read(b)
}

func (c *stallConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.deadOnce.Do(func() { close(c.dead) })
	}
	return n, err
}

func (c *stallConn) Close() error {
	c.deadOnce.Do(func() { close(c.dead) })
	return c.Conn.Close()
}

// Ended is closed once the session is over.
func (c *Client) Ended() <-chan struct{} { return c.conn }

// Drop closes the TCP connection without an SSH goodbye, as a client
// that loses its network or is killed.
func (c *Client) Drop() { _ = c.tcp.Close() }

// Close ends the session and the connection politely.
func (c *Client) Close() {
	_ = c.s.Close()
	_ = c.c.Close()
}

// ServerClosed waits until the server closed the connection (the client
// reads EOF) and says whether it did within timeout. It reads nothing
// the client would show: it is for clients that stalled or never spoke.
func ServerClosed(conn net.Conn, timeout time.Duration) bool {
	_ = conn.SetReadDeadline(time.Now().Add(timeout))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			var ne net.Error
			return !(errors.As(err, &ne) && ne.Timeout())
		}
	}
}

// Unread is how many bytes the server sent that wait unread in the
// client's socket (-1 when the system cannot tell): for a stalled client,
// it stops growing once the server can write no more.
func (c *Client) Unread() int { return unread(c.tcp.Conn) }
