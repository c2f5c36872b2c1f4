package cli

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// crashMsg tells the guard that a command panicked.
type crashMsg struct{}

// guard wraps the UI's root model so that a panic in Init, Update, View or
// a command is reported (log with its stack, Sentry) and ends the program
// cleanly: Bubble Tea restores the terminal as on any quit, the last frame
// is blank, and the caller says what happened in one line (locally on
// stderr with a non-zero exit, over serve on the session before closing
// it, see crashLine). No panic reaches Bubble Tea's own handler, which
// would print a Go stack trace on the terminal.
type guard struct {
	inner   tea.Model
	rep     *reporter
	where   string
	crashed bool
	// View cannot return a command: a panic there closes viewCrash, which
	// a command started by Init waits on, to end the program all the same.
	ctx       context.Context // the program's life: the wait ends with it
	viewCrash chan struct{}
	once      sync.Once
	notice    string // from the server (stopping, login timeout), over the bottom line
	frames    frameLimit
}

// newGuard wraps m; ctx must end when the program does (the session's
// context over serve).
func newGuard(ctx context.Context, m tea.Model, rep *reporter, where string) *guard {
	return &guard{inner: m, rep: rep, where: where, ctx: ctx, viewCrash: make(chan struct{})}
}

// crashLine is the one line a user reads after a crash: what happened and
// where the details are.
func crashLine(logFile string) string {
	return "Epic Events hit an unexpected error and had to stop (unsaved typing is lost); details are in " + logFile
}

// crashLineRemote is crashLine over serve, where the log is the server's.
const crashLineRemote = "Epic Events hit an unexpected error and closed this session; it has been logged on the server. Connect again to go on."

func (g *guard) crash(in string, v any) {
	g.rep.Panic(g.where+" "+in, v)
	g.crashed = true
}

// Init implements tea.Model.
func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if v := recover(); v != nil {
			g.crash("init", v)
			cmd = tea.Quit
		}
	}()
	return tea.Batch(g.waitViewCrash, g.wrap(g.inner.Init()))
}

// waitViewCrash turns a panic in View into a crashMsg.
func (g *guard) waitViewCrash() tea.Msg {
	select {
	case <-g.viewCrash:
		return crashMsg{}
	case <-g.ctx.Done():
		return nil
	}
}

// Update implements tea.Model. The model result is always g: Bubble Tea
// renders whatever Update returns, and a nil model would panic in its
// renderer.
func (g *guard) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	m = g
	switch msg := msg.(type) {
	case crashMsg:
		g.crashed = true
		return g, tea.Quit
	case noticeMsg:
		g.notice = msg.text
		g.frames.redraw()
		return g, nil
	case redrawMsg:
		g.frames.redraw()
		return g, nil
	}
	if g.crashed {
		return g, nil
	}
	defer func() {
		if v := recover(); v != nil {
			g.crash("update", v)
			cmd = tea.Quit
		}
	}()
	inner, c := g.inner.Update(msg)
	if inner != nil {
		g.inner = inner
	}
	return g, tea.Batch(g.wrap(c), g.frames.afterUpdate(msg, time.Now()))
}

// View implements tea.Model: blank once crashed (the line is said by the
// caller once the terminal is restored).
func (g *guard) View() (v tea.View) {
	if g.crashed {
		return tea.NewView("")
	}
	defer func() {
		if r := recover(); r != nil {
			g.crash("view", r)
			g.once.Do(func() { close(g.viewCrash) })
			v = tea.NewView("")
		}
	}()
	if last, ok := g.frames.cached(); ok {
		return last
	}
	v = g.inner.View()
	if g.notice != "" {
		v.Content = withNotice(v.Content, g.notice)
	}
	g.frames.remember(v, time.Now())
	return v
}

// withNotice replaces the last line of content with notice, in reverse
// video so it reads as the server speaking, not the app.
func withNotice(content, notice string) string {
	lines := strings.Split(content, "\n")
	lines[len(lines)-1] = "\x1b[7m " + notice + " \x1b[0m"
	return strings.Join(lines, "\n")
}

// cmdType is the element type of tea.BatchMsg and of Bubble Tea's
// (unexported) sequence message.
var cmdType = reflect.TypeFor[tea.Cmd]()

// wrap makes a command report its panic as a crashMsg. The commands of a
// batch or a sequence run later on their own: they are wrapped too, at any
// depth, keeping the message's own type (a sequence must stay a
// sequence).
func (g *guard) wrap(c tea.Cmd) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if v := recover(); v != nil {
				// Another goroutine: Update marks the crash on crashMsg.
				g.rep.Panic(g.where+" command", v)
				msg = crashMsg{}
			}
		}()
		return g.wrapMsg(c())
	}
}

func (g *guard) wrapMsg(msg tea.Msg) tea.Msg {
	v := reflect.ValueOf(msg)
	if !v.IsValid() || v.Kind() != reflect.Slice || v.Type().Elem() != cmdType {
		return msg
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	for i := range v.Len() {
		inner, _ := v.Index(i).Interface().(tea.Cmd)
		out.Index(i).Set(reflect.ValueOf(g.wrap(inner)).Convert(cmdType))
	}
	return out.Interface()
}
