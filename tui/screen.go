package tui

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// Screen is one page of the UI: a main view, a detail, a form, a dialog.
// The App owns a stack of them and sends every message it does not handle
// itself to the top one only.
type Screen interface {
	// Init returns the first commands (usually the first load).
	Init() tea.Cmd
	// Update handles a message; no I/O here, only commands.
	Update(msg tea.Msg) (Screen, tea.Cmd)
	// View renders exactly the size given by SetSize.
	View() string
	// SetSize is called before Init and on every resize.
	SetSize(w, h int)
	// KeyMap lists the keys the actor may use now (help bar and `?`).
	KeyMap() help.KeyMap
}

// keyCapturer is implemented by screens that sometimes need every key
// (a focused search field, a form, a picker's filter): while CapturesKeys
// is true the App keeps only ctrl+c for itself; `esc` is the screen's.
type keyCapturer interface{ CapturesKeys() bool }

// modal is implemented by dialogs (confirm, picker): the App draws them
// centred over the screen below instead of replacing it.
type modal interface{ Modal() bool }

// callTimeout bounds every service call made from the UI.
const callTimeout = 10 * time.Second

// env is what every screen shares: services, session, actor, styles, clock.
// The App owns it; screens keep the pointer and read it in Update and View.
// Commands must copy what they need (svc, sess, ids) before returning the
// closure, never read env from the goroutine.
type env struct {
	svc   *domain.Services
	sess  *domain.Session
	actor domain.Actor
	// actorGen changes whenever actor is read again, so screens that cache
	// a key map built from the actor's permissions know to rebuild it.
	actorGen int
	st       *styles
	now      func() time.Time
	loc      *time.Location
	log      *slog.Logger
	dbLabel  string
	// notice is Options.Notice until the first login screen takes it.
	notice string
	logins *auth.Gate // nil: no admission
	done   <-chan struct{}
	// clientAddr is the SSH client's address ("" locally).
	clientAddr string
}

// sessionCtx is a context that ends with the session (Options.Done).
func (e *env) sessionCtx() context.Context {
	if e.done == nil {
		return context.Background()
	}
	return doneCtx{context.Background(), e.done}
}

// doneCtx is a context ended by a channel, without a goroutine to watch it.
type doneCtx struct {
	context.Context
	done <-chan struct{}
}

func (c doneCtx) Done() <-chan struct{} { return c.done }

func (c doneCtx) Err() error {
	select {
	case <-c.done:
		return context.Canceled
	default:
		return nil
	}
}

// tick is tea.Tick that gives up when the session ends (Options.Done), so
// a vanished SSH client leaves no timer goroutine behind.
func (e *env) tick(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	done := e.done
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case at := <-t.C:
			return fn(at)
		case <-done:
			return nil
		}
	}
}

// callCtx is the context of one service call. The call counts as under
// way (WaitCalls) until its cancel runs.
func callCtx() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	calls.Add(1)
	var once sync.Once
	return ctx, func() {
		cancel()
		once.Do(func() { calls.Add(-1) })
	}
}

// calls counts the service calls under way in this process's UIs.
var calls atomic.Int64

// CallsUnderWay is how many service calls made from the UIs of this
// process are under way.
func CallsUnderWay() int64 { return calls.Load() }

// WaitCalls waits until no service call made from a UI of this process
// is under way, or ctx ends (its error then). A server that stops calls it
// before closing the database: a save whose session has already quit
// still completes, instead of dying with the process.
func WaitCalls(ctx context.Context) error {
	for calls.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// fmtTime shows a UTC time in the user's zone.
func (e *env) fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return domain.FormatDateTime(t, e.loc)
}

// --- messages understood by the App -------------------------------------

// pushMsg puts a screen on top of the stack (a detail, a form, a dialog).
type pushMsg struct{ s Screen }

// popMsg removes the top screen; result (if not nil) is then delivered to
// the screen below, e.g. a pickedMsg or a savedMsg.
type popMsg struct{ result tea.Msg }

// statusMsg shows a line in the status bar for a few seconds.
type statusMsg struct {
	text string
	err  bool
	// aside: shown only when the status line is free, so a note about
	// someone's change never hides the answer to the user's own action
	// (the list reloading after one's own assignment).
	aside bool
}

// errorMsg reports a failed operation: the App logs err raw and shows
// userMessage(err); ErrUnauthenticated sends the user back to the login.
type errorMsg struct {
	op  string
	err error
	// quiet: the screen shows the sentence itself (a form's banner), the
	// status line stays as it is; the error is logged all the same.
	quiet bool
}

// focusMsg tells a screen it is on top again (after a pop or a view switch).
type focusMsg struct{}

// savedMsg is sent back to the screen below a form that saved a record, so
// it can reload and select it.
type savedMsg struct {
	kind string // "client", "contract", "event", "user", "payment"
	id   int64
}

// loggedInMsg tells the App a session started (login or setup).
type loggedInMsg struct{ sess *domain.Session }

// push returns a command that pushes s.
func push(s Screen) tea.Cmd { return func() tea.Msg { return pushMsg{s} } }

// back returns a command that pops the top screen and hands result to the
// screen below.
func back(result tea.Msg) tea.Cmd { return func() tea.Msg { return popMsg{result} } }

// info returns a command that shows a success message.
func info(text string) tea.Cmd { return func() tea.Msg { return statusMsg{text: text} } }

// aside is info for notes that must not hide a message being read.
func aside(text string) tea.Cmd { return func() tea.Msg { return statusMsg{text: text, aside: true} } }

// reportError returns a command that reports err (see errorMsg).
func reportError(op string, err error) tea.Cmd {
	return func() tea.Msg { return errorMsg{op: op, err: err} }
}

// msgCmd wraps a message in a command.
func msgCmd(m tea.Msg) tea.Cmd { return func() tea.Msg { return m } }

// mayMsg is the domain's answer to "may I?" asked before a form, a
// confirmation or a picker opens for an action on a record. The App runs
// open (in Update, so the screen it builds is made on the UI's goroutine)
// only when the answer is yes and the screen that asked is still on top;
// a refusal shows its sentence in the status line and opens nothing.
type mayMsg struct {
	from Screen
	op   string
	err  error
	open func() tea.Cmd
}

// ask asks the domain whether the actor may take action on the record id
// (see the domain.Act* constants for what id is) and opens what open
// returns only if so. The domain takes the same decision the action will
// take (the grant and the rules no grant lifts, on the record as stored
// now) and audits a refusal, so a key hidden from the help bar but
// pressed anyway is refused with its reason and on the record, and no
// dialog opens for an action that would be refused once confirmed.
func ask(e *env, from Screen, op, action string, id int64, open func() tea.Cmd) tea.Cmd {
	svc, sess := e.svc, e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		return mayMsg{from: from, op: op, err: svc.May(ctx, sess, action, id), open: open}
	}
}
