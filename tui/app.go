// Package tui is the full-screen terminal UI of Epic Events CRM (Bubble Tea
// v2). It talks to the domain services only.
//
// # How the UI is put together (read this before writing a screen)
//
// The App (this file) is the root tea.Model. It owns the screen stack, the
// window size, the styles, the session and actor, the status line and the
// global keys (ctrl+c, ?, esc, tab/shift+tab, 1–7, q, L). Every other
// message goes to the screen on top of the stack, and only to it.
//
// A screen (screen.go) is a small model: Init, Update(msg) (Screen,
// tea.Cmd), View() string, SetSize(w, h) and KeyMap() help.KeyMap. One file
// per screen, under ~400 lines. Constructors take the shared *env:
//
//	func newClientForm(e *env, c *domain.Client) Screen
//
// env holds svc (*domain.Services), sess, actor (domain.Actor, for the
// domain.Can* functions), st (*styles, from styles.go), now, loc, log. Read
// e.st in View and SetSize (SetSize is called again when the styles change).
//
// Service calls: never in Update or Init bodies. Write a method that copies
// what it needs and returns a tea.Cmd; the result comes back as a typed
// message handled in Update:
//
//	func (s *clientsScreen) deleteClient(id int64) tea.Cmd {
//		svc, sess := s.e.svc, s.e.sess
//		return func() tea.Msg {
//			ctx, cancel := callCtx()
//			defer cancel()
//			return clientDeletedMsg{id: id, err: svc.Clients.Delete(ctx, sess, id)}
//		}
//	}
//
// Errors: in Update, `return s, reportError("delete client", msg.err)`.
// The App logs the raw error and shows userMessage(err) (errors.go) in the
// status line for ~5 s; ErrUnauthenticated sends the user to the login.
// A form shows a *domain.ValidationError's Fields next to its inputs and
// may also report it. Success: `info("client saved")`. Never put err.Error()
// on the screen. Text read from the database goes through
// domain.StripControl (the table does it for its cells).
//
// Navigation: push(screen) puts a screen on top (a detail, a form);
// back(result) pops it and hands result to the screen below (a form returns
// back(savedMsg{kind, id}) so the list reloads and selects the record;
// a picker returns back(pickedMsg{...})). esc pops the top screen unless it
// captures keys (keyCapturer: a focused form or search field gets every key
// but ctrl+c, and handles esc itself — a changed form asks before
// discarding). A screen on top again receives focusMsg.
//
// Dialogs: confirm.go (confirmDialog: y/enter → back(confirmedMsg{tag,
// id}), n/esc → back(nil)) and picker.go (a filterable list → back(
// pickedMsg{...})). They implement modal and are drawn over the screen
// below.
//
// Keys: one key.Binding per key with key.WithHelp; KeyMap() returns only
// the bindings the actor may use on the current selection (check with
// domain.Can*), so the help bar and `?` hide what the services would
// refuse. Never disable a binding (a disabled binding stops matching): a
// key pressed anyway still goes to the service, which refuses and the
// status line says why.
//
// Views: registerViews (views.go) lists the seven main views and who may
// see them; forms and details are pushed directly by the screens that open
// them (push(newClientForm(e, nil))).
package tui

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// Options configures the UI.
type Options struct {
	Services *domain.Services
	// Session resumes a saved session; nil starts on login (or setup on an
	// empty database).
	Session *domain.Session
	// DBLabel describes the database in the status line (no secrets).
	DBLabel string
	// Notice is shown on the first login screen: why a saved session was
	// not resumed (ended elsewhere, file mode too open, another database).
	Notice string
	// OnLogin is called (from a command) after a login, to save the session
	// file; OnLogout after a logout or an ended session, to remove it.
	OnLogin  func(*domain.Session)
	OnLogout func()
	Now      func() time.Time // nil = time.Now
	Location *time.Location   // nil = time.Local
	NoColor  bool             // NO_COLOR: no colours, only bold/reverse
	Log      *slog.Logger     // nil = discard
	// Logins admits logins a few at a time on a shared server (the login
	// screen shows the place in line); nil logs in at once.
	Logins *auth.Gate
	// Done, closed when the session ends, stops the UI's timers at once
	// instead of each holding a goroutine until it fires; nil: never.
	Done <-chan struct{}
	// ClientAddress is the SSH client's source address, for the login
	// throttle per address ("" locally).
	ClientAddress string
}

// minWidth and minHeight are the smallest usable window.
const (
	minWidth  = 60
	minHeight = 15
	// chromeLines are the tab bar, the help bar and the status line.
	chromeLines = 3
	statusTTL   = 5 * time.Second
)

// App is the root model.
type App struct {
	opts  Options
	e     *env
	keys  globalKeys
	help  help.Model
	width int
	high  int

	isDark, noColor bool

	stack   []Screen
	views   []viewDef
	screens []Screen // one per view, built on first visit
	cur     int
	started bool // setup/login/views decided

	showHelp  bool
	status    string
	statusErr bool
	statusSeq int
	// msgRows is how many lines the status message takes above the help
	// bar (0: it fits on the status line beside who and where).
	msgRows int

	chrome chrome
	live   liveState
}

// New builds the root model.
func New(opts Options) *App {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	timeLocation.Store(opts.Location)
	a := &App{opts: opts, keys: newGlobalKeys(), help: help.New(), isDark: true, noColor: opts.NoColor}
	a.e = &env{
		svc: opts.Services, sess: opts.Session, now: opts.Now, loc: opts.Location,
		log: opts.Log, dbLabel: opts.DBLabel, st: newStyles(true, opts.NoColor), notice: opts.Notice,
		logins: opts.Logins, done: opts.Done, clientAddr: opts.ClientAddress,
	}
	a.help.Styles = a.e.st.Help
	return a
}

// Internal messages of the App.
type (
	setupCheckedMsg struct {
		needed bool
		err    error
	}
	actorMsg struct {
		actor domain.Actor
		err   error
	}
	// actorRefreshedMsg carries the actor's current permissions, re-read
	// when the user changes view or returns from a screen, and after a
	// grant or revoke, so the help bar never offers what was just revoked.
	actorRefreshedMsg struct {
		actor domain.Actor
		err   error
	}
	clearStatusMsg struct{ seq int }
	retryStartMsg  struct{}
)

// Init asks for the background colour and decides the first screen.
func (a *App) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, a.start())
}

func (a *App) start() tea.Cmd {
	if a.e.sess != nil {
		return a.loadActor()
	}
	svc := a.e.svc
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		needed, err := svc.Sessions.NeedsSetup(ctx)
		return setupCheckedMsg{needed, err}
	}
}

func (a *App) loadActor() tea.Cmd {
	svc, sess := a.e.svc, a.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		actor, err := svc.Sessions.Actor(ctx, sess)
		return actorMsg{actor, err}
	}
}

// refreshActor re-reads the actor's permissions without leaving the screen.
func refreshActor(svc *domain.Services, sess *domain.Session) tea.Cmd {
	if sess == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		actor, err := svc.Sessions.Actor(ctx, sess)
		return actorRefreshedMsg{actor, err}
	}
}

// Update handles global messages and forwards the rest to the top screen.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if cmd, ok := a.updateLive(msg); ok {
		return a, cmd
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return a, a.handleKey(msg)
	case tea.WindowSizeMsg:
		a.width, a.high = msg.Width, msg.Height
		a.resize()
		return a, nil
	case tea.BackgroundColorMsg:
		a.isDark = msg.IsDark()
		a.restyle()
		return a, nil
	case tea.ColorProfileMsg:
		if msg.Profile == colorprofile.NoTTY || msg.Profile == colorprofile.ASCII {
			a.noColor = true
			a.restyle()
		}
		return a, nil
	case pushMsg:
		return a, a.pushScreen(msg.s)
	case popMsg:
		return a, a.pop(msg.result)
	case statusMsg:
		if msg.aside && a.status != "" {
			return a, nil
		}
		return a, a.setStatus(msg.text, msg.err)
	case clearStatusMsg:
		if msg.seq == a.statusSeq {
			a.clearStatus()
		}
		return a, nil
	case errorMsg:
		return a, a.handleError(msg)
	case setupCheckedMsg:
		if msg.err != nil {
			a.opts.Log.Error("setup check", "err", msg.err)
			return a, tea.Batch(a.setStatus(userMessage(msg.err), true),
				a.e.tick(3*time.Second, func(time.Time) tea.Msg { return retryStartMsg{} }))
		}
		a.started = true
		if msg.needed {
			return a, a.reset(newSetupScreen(a.e))
		}
		return a, a.reset(newLoginScreen(a.e))
	case retryStartMsg:
		return a, a.start()
	case mayMsg:
		if msg.err != nil {
			return a, a.handleError(errorMsg{op: msg.op, err: msg.err})
		}
		if a.top() != msg.from {
			return a, nil // the user moved on while the answer came
		}
		return a, msg.open()
	case loggedInMsg:
		a.e.sess = msg.sess
		a.clearStatus() // "logged out", "wrong email or password", "session ended": all past now
		onLogin := a.opts.OnLogin
		var save tea.Cmd
		if onLogin != nil {
			save = func() tea.Msg { onLogin(msg.sess); return nil }
		}
		return a, tea.Batch(save, a.loadActor())
	case actorMsg:
		if msg.err != nil {
			cmd := a.handleError(errorMsg{op: "resume session", err: msg.err})
			if a.e.sess != nil { // not an ended session: the database may be back soon
				cmd = tea.Batch(cmd, a.e.tick(3*time.Second, func(time.Time) tea.Msg { return retryStartMsg{} }))
			}
			return a, cmd
		}
		a.e.actor = msg.actor
		a.e.actorGen++
		a.started = true
		return a, tea.Batch(a.openViews(), a.startLive())
	case actorRefreshedMsg:
		if msg.err != nil {
			return a, a.handleError(errorMsg{op: "refresh permissions", err: msg.err})
		}
		if a.e.sess != nil && msg.actor.ID == a.e.actor.ID {
			a.e.actor = msg.actor
			a.e.actorGen++
			a.chrome.dirty = true
			return a, a.syncViews()
		}
		return a, nil
	}
	return a, a.forward(msg)
}

// forward sends msg to the top screen only.
func (a *App) forward(msg tea.Msg) tea.Cmd {
	if len(a.stack) == 0 {
		return nil
	}
	i := len(a.stack) - 1
	s, cmd := a.stack[i].Update(msg)
	a.stack[i] = s
	if i == 0 && a.loggedIn() {
		a.screens[a.cur] = s
	}
	return cmd
}

func (a *App) loggedIn() bool { return a.e.sess != nil && len(a.views) > 0 }

func (a *App) top() Screen {
	if len(a.stack) == 0 {
		return nil
	}
	return a.stack[len(a.stack)-1]
}

func (a *App) bodySize() (int, int) { return a.width, max(a.high-chromeLines-a.msgRows, 1) }

func (a *App) resize() {
	a.msgRows = a.statusRows()
	w, h := a.bodySize()
	for _, s := range a.stack {
		s.SetSize(w, h)
	}
	for _, s := range a.screens {
		if s != nil {
			s.SetSize(w, h)
		}
	}
	a.help.SetWidth(w)
	a.chrome.dirty = true
}

func (a *App) restyle() {
	a.e.st = newStyles(a.isDark, a.noColor)
	a.help.Styles = a.e.st.Help
	a.resize()
}

// reset replaces the whole stack with s (login, setup).
func (a *App) reset(s Screen) tea.Cmd {
	a.stack = a.stack[:0]
	return a.pushScreen(s)
}

func (a *App) pushScreen(s Screen) tea.Cmd {
	w, h := a.bodySize()
	s.SetSize(w, h)
	a.stack = append(a.stack, s)
	a.showHelp = false
	a.chrome.dirty = true
	return s.Init()
}

func (a *App) pop(result tea.Msg) tea.Cmd {
	if len(a.stack) <= 1 {
		return nil
	}
	a.stack = a.stack[:len(a.stack)-1]
	a.chrome.dirty = true
	var cmds []tea.Cmd
	if result != nil {
		cmds = append(cmds, a.forward(result))
	}
	cmds = append(cmds, a.forward(focusMsg{}), refreshActor(a.e.svc, a.e.sess))
	return tea.Batch(cmds...)
}

// openViews builds the actor's views and shows the dashboard.
func (a *App) openViews() tea.Cmd {
	a.views = a.views[:0]
	for _, v := range registerViews() {
		if v.allowed(a.e.actor) {
			a.views = append(a.views, v)
		}
	}
	a.screens = make([]Screen, len(a.views))
	a.cur = -1
	return a.switchView(0)
}

// syncViews follows a grant or revoke of a read permission: a view that
// became readable appears in the tabs, one that no longer is disappears
// (back to the dashboard if it was on screen). Views already built keep
// their state.
func (a *App) syncViews() tea.Cmd {
	if !a.loggedIn() {
		return nil
	}
	var views []viewDef
	for _, v := range registerViews() {
		if v.allowed(a.e.actor) {
			views = append(views, v)
		}
	}
	same := len(views) == len(a.views)
	for i := 0; same && i < len(views); i++ {
		same = views[i].key == a.views[i].key
	}
	if same {
		return nil
	}
	built := map[string]Screen{}
	for i, v := range a.views {
		built[v.key] = a.screens[i]
	}
	curKey := a.views[a.cur].key
	a.views, a.screens, a.cur = views, make([]Screen, len(views)), -1
	for i, v := range views {
		a.screens[i] = built[v.key]
		if v.key == curKey {
			a.cur = i
		}
	}
	a.chrome.dirty = true
	if a.cur < 0 {
		// The view on screen is no longer readable: its forms and dialogs
		// go with it.
		return a.switchView(0)
	}
	return nil
}

// switchView shows view i, building it on the first visit.
func (a *App) switchView(i int) tea.Cmd {
	if i < 0 || i >= len(a.views) || i == a.cur {
		return nil
	}
	if a.cur >= 0 {
		a.clearStatus() // a message about the view left behind
	}
	a.cur = i
	a.chrome.dirty = true
	if a.screens[i] == nil {
		s := a.views[i].build(a.e)
		a.screens[i] = s
		if a.started && len(a.stack) > 0 {
			return tea.Batch(a.reset(s), refreshActor(a.e.svc, a.e.sess))
		}
		return a.reset(s)
	}
	a.stack = append(a.stack[:0], a.screens[i])
	return tea.Batch(a.forward(focusMsg{}), refreshActor(a.e.svc, a.e.sess))
}

func (a *App) setStatus(text string, isErr bool) tea.Cmd {
	a.statusSeq++
	a.status, a.statusErr = text, isErr
	a.relayoutStatus()
	seq := a.statusSeq
	return a.e.tick(statusTTL, func(time.Time) tea.Msg { return clearStatusMsg{seq} })
}

// handleError logs the raw error and shows the user's sentence; an ended
// session goes back to the login screen.
func (a *App) handleError(m errorMsg) tea.Cmd {
	if errors.Is(m.err, domain.ErrUnauthenticated) && !errors.Is(m.err, domain.ErrWrongCredentials) {
		a.opts.Log.Info("session ended", "op", m.op, "err", m.err)
		return a.endSession(userMessage(m.err))
	}
	lvl := slog.LevelWarn
	if !errors.Is(m.err, domain.ErrInvalid) && !errors.Is(m.err, domain.ErrForbidden) &&
		!errors.Is(m.err, domain.ErrConflict) && !errors.Is(m.err, domain.ErrNotFound) &&
		!errors.Is(m.err, domain.ErrThrottled) && !errors.Is(m.err, domain.ErrUnauthenticated) {
		lvl = slog.LevelError
	}
	a.opts.Log.Log(context.Background(), lvl, "ui operation failed", "op", m.op, "err", m.err)
	if m.quiet {
		return nil
	}
	return a.setStatus(userMessage(m.err), true)
}

// endSession forgets the session and shows the login screen.
func (a *App) endSession(text string) tea.Cmd {
	sess, svc, onLogout := a.e.sess, a.e.svc, a.opts.OnLogout
	a.stopLive()
	a.e.sess, a.e.actor = nil, domain.Actor{}
	a.views, a.screens, a.cur = nil, nil, 0
	a.started = true
	cleanup := func() tea.Msg {
		if sess != nil {
			ctx, cancel := callCtx()
			defer cancel()
			_ = svc.Sessions.Logout(ctx, sess) // best effort: the token may already be revoked
		}
		if onLogout != nil {
			onLogout()
		}
		return nil
	}
	return tea.Batch(cleanup, a.reset(newLoginScreen(a.e)), a.setStatus(text, text != "logged out"))
}
