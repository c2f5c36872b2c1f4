package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
)

// How one SSH session runs its Bubble Tea program. wish's bubbletea
// middleware hands the SSH channel to the program directly; three things
// then go wrong on a shared server, and this file does each differently:
//
//   - Window changes: wish forwards them with program.Send from the
//     goroutine that drains charm ssh's one-slot window channel. While the
//     renderer is blocked writing to a client that stopped reading (the
//     SSH channel window is full, the renderer holds its mutex), the resize
//     waits for that mutex, charm ssh's request handler waits on the full
//     window channel, x/crypto/ssh's request queue fills, and the goroutine
//     reading the TCP connection blocks. It then never reads the client's
//     window adjustments or its close: the session is stuck for good.
//     Here the window channel is drained by a goroutine that never blocks
//     (it keeps only the latest size) and a second one delivers it.
//   - Output: the renderer writes into a bounded per-session buffer that a
//     flusher goroutine copies to the channel under a write deadline; a
//     client that reads nothing for sessionWriteStall while output is
//     pending is disconnected, which releases everything waiting on it.
//     Pending includes what waits in the kernel's send queue: on Linux the
//     connection's TCP counters tell whether the client acknowledged
//     anything, so a client is not given the send buffer's worth of
//     output before its clock starts.
//   - Input: Bubble Tea's terminal reader (ultraviolet StreamEvents) sends
//     parsed events on the program's unbuffered message channel without
//     watching the program's context. Bytes that arrive as the program
//     stops (a client typing, then vanishing) leave that goroutine blocked
//     forever. Here input reaches the program through a pipe; to stop, the
//     pipe stops taking client bytes, gets a paste holding a per-session
//     nonce, then EOF. The program quits only on the end of that paste
//     (the last event its bytes make): by then every event before it has
//     been delivered and the reader has nothing left to send.

// Timings of a session.
const (
	// sessionWriteStall: a client that reads nothing for this long while
	// output waits is disconnected.
	sessionWriteStall = 30 * time.Second
	// sessionOutputMax bounds the output buffered for one client (a few
	// full frames); the renderer waits for room beyond it.
	sessionOutputMax = 256 << 10
	// drainPause lets the terminal reader flush a half-typed escape
	// sequence (its own timeout is uv.DefaultEscTimeout) before the nonce
	// paste follows it.
	drainPause = 2 * uv.DefaultEscTimeout
	// progressTick is how often a session with output waiting in the
	// kernel checks that the client still acknowledges some of it.
	progressTick = time.Second
	// drainWait is how long a stopping program may take to see the nonce
	// before it is killed (a wedged program; a busy one needs more than
	// the usual few milliseconds on an overloaded machine).
	drainWait = 5 * time.Second
)

// doneContext is a context that ends when done is closed, with no
// goroutine watching it.
func doneContext(done <-chan struct{}) context.Context {
	return chanContext{context.Background(), done}
}

type chanContext struct {
	context.Context
	done <-chan struct{}
}

func (c chanContext) Done() <-chan struct{} { return c.done }

func (c chanContext) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// noticeMsg puts a one-line notice over the bottom line of the screen
// (the server is stopping, the login screen timed out).
type noticeMsg struct{ text string }

// sessionInput is the program's input: client bytes copied through a pipe
// until drain, then the nonce paste and EOF.
type sessionInput struct {
	r     *io.PipeReader
	w     *io.PipeWriter
	nonce string

	mu       sync.Mutex // held while writing to w
	draining bool
	once     sync.Once
	drained  chan struct{} // closed when the nonce and EOF are written
}

func newSessionInput() *sessionInput {
	r, w := io.Pipe()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return &sessionInput{r: r, w: w, nonce: "epic-drain-" + hex.EncodeToString(b), drained: make(chan struct{})}
}

// pump copies the client's bytes into the pipe until the client's side
// ends, then calls end (which drains). It runs on its own goroutine and
// returns when the client's channel is closed.
func (in *sessionInput) pump(src io.Reader, end func()) {
	buf := make([]byte, 4096)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			in.mu.Lock()
			if !in.draining {
				_, _ = in.w.Write(buf[:n])
			}
			in.mu.Unlock()
		}
		if err != nil {
			end()
			return
		}
	}
}

// drain stops taking client bytes and, after drainPause, writes the nonce
// paste and EOF. It never blocks its caller (the program's event loop may
// call it from the message filter).
func (in *sessionInput) drain() {
	in.once.Do(func() {
		go func() {
			defer close(in.drained)
			in.mu.Lock()
			in.draining = true
			in.mu.Unlock()
			time.Sleep(drainPause)
			_, _ = in.w.Write([]byte("\x1b[200~" + in.nonce + "\x1b[201~"))
			_ = in.w.Close()
		}()
	})
}

// close ends the pipe for good, so no goroutine stays blocked writing to
// it once the program is gone.
func (in *sessionInput) close() {
	_ = in.r.Close()
}

// isNonce reports whether msg is the drain paste.
func (in *sessionInput) isNonce(msg tea.Msg) bool {
	p, ok := msg.(tea.PasteMsg)
	return ok && strings.Contains(p.Content, in.nonce)
}

// errClientStalled is why a client that stopped reading was disconnected.
var errClientStalled = errors.New("client read nothing while output was pending")

// sessionWriter buffers the program's output for one client (at most
// sessionOutputMax) and copies it to the channel on its own goroutine,
// each write under a deadline: a client that lets a write hang
// sessionWriteStall is disconnected (kill).
type sessionWriter struct {
	dst   io.Writer
	kill  func()
	stall time.Duration
	// progress, when known, reads the connection's TCP send queue (see
	// tcpProgressOf); nil leaves the write deadline alone.
	progress func() (pending bool, acked uint64, ok bool)

	mu      sync.Mutex
	cond    sync.Cond
	buf     []byte
	spare   []byte
	err     error // set once the destination failed or the writer closed
	flushed chan struct{}

	watching   bool      // a progress check is scheduled
	lastAcked  uint64    // bytes acknowledged at the last check
	ackedSince time.Time // when lastAcked last moved
}

func newSessionWriter(dst io.Writer, kill func(), stall time.Duration,
	progress func() (pending bool, acked uint64, ok bool)) *sessionWriter {
	// Both the write deadline and the progress check may find the client
	// stalled: it is disconnected (and logged) once.
	var once sync.Once
	w := &sessionWriter{dst: dst, kill: func() { once.Do(kill) }, stall: stall, progress: progress, flushed: make(chan struct{})}
	w.cond.L = &w.mu
	go w.flush()
	return w
}

// Write implements io.Writer for the renderer. It waits only while the
// buffer is full; the write deadline bounds that wait.
func (w *sessionWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.err == nil && len(w.buf) > 0 && len(w.buf)+len(p) > sessionOutputMax {
		w.cond.Wait()
	}
	if w.err != nil {
		return 0, w.err
	}
	w.buf = append(w.buf, p...)
	w.cond.Broadcast()
	return len(p), nil
}

func (w *sessionWriter) flush() {
	defer close(w.flushed)
	for {
		w.mu.Lock()
		for w.err == nil && len(w.buf) == 0 {
			w.cond.Wait()
		}
		if len(w.buf) == 0 { // closed and nothing left
			w.mu.Unlock()
			return
		}
		chunk := w.buf
		w.buf, w.spare = w.spare[:0], nil
		w.cond.Broadcast()
		w.mu.Unlock()

		timer := time.AfterFunc(w.stall, w.kill)
		_, err := w.dst.Write(chunk)
		stalled := !timer.Stop()

		w.mu.Lock()
		w.spare = chunk[:0]
		if err != nil && w.err == nil {
			w.err = err
			if stalled {
				w.err = errClientStalled
			}
		}
		failed := w.err != nil && !errors.Is(w.err, errWriterClosed)
		if failed {
			w.buf = nil
		}
		w.cond.Broadcast()
		w.mu.Unlock()
		if failed {
			return
		}
		w.watch()
	}
}

// watch starts, unless one runs, a check every progressTick that lasts
// while output waits in the kernel: a client that acknowledges nothing
// of it for the stall time is disconnected.
func (w *sessionWriter) watch() {
	if w.progress == nil {
		return
	}
	w.mu.Lock()
	busy := w.watching || w.err != nil
	w.mu.Unlock()
	if busy {
		return
	}
	pending, acked, ok := w.progress()
	if !ok || !pending {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.watching || w.err != nil {
		return
	}
	w.watching = true
	w.lastAcked, w.ackedSince = acked, time.Now()
	time.AfterFunc(progressTick, w.check)
}

func (w *sessionWriter) check() {
	pending, acked, ok := w.progress()
	w.mu.Lock()
	if !ok || !pending || w.err != nil {
		w.watching = false
		w.mu.Unlock()
		return
	}
	now := time.Now()
	if acked != w.lastAcked {
		w.lastAcked, w.ackedSince = acked, now
	}
	stalled := now.Sub(w.ackedSince) >= w.stall
	if stalled {
		w.err = errClientStalled
		w.buf = nil
		w.watching = false
		w.cond.Broadcast()
	} else {
		time.AfterFunc(progressTick, w.check)
	}
	w.mu.Unlock()
	if stalled {
		w.kill()
	}
}

var errWriterClosed = errors.New("session output closed")

// close stops taking output and waits (at most the write deadline) for
// what is buffered to reach the client, e.g. the program's last frame.
func (w *sessionWriter) close() {
	w.mu.Lock()
	if w.err == nil {
		w.err = errWriterClosed
	}
	w.cond.Broadcast()
	w.mu.Unlock()
	<-w.flushed
}

// windowRelay forwards window sizes to the program without ever blocking
// the goroutine that drains charm ssh's window channel: it keeps only the
// latest size, and a second goroutine sends it to the program.
func windowRelay(winch <-chan ssh.Window, send func(tea.Msg), done <-chan struct{}) {
	var latest atomic.Pointer[ssh.Window]
	wake := make(chan struct{}, 1)
	go func() {
		// Ranges until charm ssh closes the channel (when the SSH channel's
		// requests end), so its request handler never waits on it.
		for w := range winch {
			latest.Store(&w)
			select {
			case wake <- struct{}{}:
			default:
			}
		}
	}()
	go func() {
		for {
			select {
			case <-done:
				return
			case <-wake:
				if w := latest.Load(); w != nil {
					send(tea.WindowSizeMsg{Width: w.Width, Height: w.Height})
				}
			}
		}
	}()
}

// sessionEnv is the program's environment: the client's variables and the
// terminal type of its PTY.
func sessionEnv(s ssh.Session, pty ssh.Pty) []string {
	return append(s.Environ(), "TERM="+pty.Term)
}

// programFor builds the program of one session on in and out.
func programFor(model tea.Model, s ssh.Session, pty ssh.Pty, in *sessionInput, out io.Writer, stop func()) *tea.Program {
	env := sessionEnv(s, pty)
	var stopping, sawNonce atomic.Bool
	filter := func(_ tea.Model, msg tea.Msg) tea.Msg {
		switch msg.(type) {
		case tea.QuitMsg:
			// The program wants to stop: drain first, quit on the nonce.
			stopping.Store(true)
			stop()
			return nil
		case tea.SuspendMsg:
			// There is no shell to suspend to over SSH.
			return tea.ResumeMsg{}
		case tea.PasteMsg:
			if in.isNonce(msg) {
				sawNonce.Store(true)
				return nil
			}
		case tea.PasteEndMsg:
			// The paste's last event, so the reader has nothing left to
			// send: only now may the program stop.
			if sawNonce.Load() {
				return tea.QuitMsg{}
			}
		}
		if stopping.Load() {
			// Draining: the screen gets nothing more from the client.
			if _, ok := msg.(tea.KeyMsg); ok {
				return nil
			}
		}
		return msg
	}
	return tea.NewProgram(model,
		tea.WithInput(in.r),
		tea.WithOutput(out),
		tea.WithEnvironment(env),
		tea.WithColorProfile(colorprofile.Env(env)),
		tea.WithWindowSize(pty.Window.Width, pty.Window.Height),
		tea.WithFilter(filter),
		// The process's signals are serve's: SIGTERM and SIGINT end its
		// context, and sshServer.shutdown tells the sessions, gives them
		// StopGrace and drains them. Bubble Tea's own handler would turn
		// the signal into a QuitMsg in every session at once: each would
		// drain at once, dropping the keys still in flight (a ctrl+s
		// pressed just before) and ending before the notice's grace.
		tea.WithoutSignalHandler(),
	)
}
