package cli

import (
	"strings"

	tea "charm.land/bubbletea/v2"
)

// crashMsg tells the guard that a command panicked.
type crashMsg struct{}

// guard wraps the UI's root model so that a panic in Update, View or a
// command is reported (log + Sentry) and ends the program cleanly with a
// short message, instead of Bubble Tea printing a stack trace on the user's
// terminal (or, over SSH, on the server's stderr).
type guard struct {
	inner   tea.Model
	rep     *reporter
	where   string
	crashed bool
	notice  string // from the server (stopping, login timeout), over the bottom line
}

func newGuard(m tea.Model, rep *reporter, where string) *guard {
	return &guard{inner: m, rep: rep, where: where}
}

// crashText is shown after a crash, instead of a stack trace.
const crashText = "Epic Events hit an unexpected error and has to stop. It has been logged; please restart.\n"

func (g *guard) Init() (cmd tea.Cmd) {
	defer func() {
		if v := recover(); v != nil {
			g.rep.Panic(g.where+" init", v)
			g.crashed = true
			cmd = tea.Quit
		}
	}()
	return g.wrap(g.inner.Init())
}

func (g *guard) Update(msg tea.Msg) (_ tea.Model, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case crashMsg:
		g.crashed = true
		return g, tea.Quit
	case noticeMsg:
		g.notice = msg.text
		return g, nil
	}
	if g.crashed {
		return g, nil
	}
	defer func() {
		if v := recover(); v != nil {
			g.rep.Panic(g.where+" update", v)
			g.crashed = true
			cmd = tea.Quit
		}
	}()
	m, c := g.inner.Update(msg)
	g.inner = m
	return g, g.wrap(c)
}

func (g *guard) View() (v tea.View) {
	if g.crashed {
		return tea.NewView(crashText)
	}
	defer func() {
		if r := recover(); r != nil {
			g.rep.Panic(g.where+" view", r)
			g.crashed = true
			v = tea.NewView(crashText)
		}
	}()
	v = g.inner.View()
	if g.notice != "" {
		v.Content = withNotice(v.Content, g.notice)
	}
	return v
}

// withNotice replaces the last line of content with notice, in reverse
// video so it reads as the server speaking, not the app.
func withNotice(content, notice string) string {
	lines := strings.Split(content, "\n")
	lines[len(lines)-1] = "\x1b[7m " + notice + " \x1b[0m"
	return strings.Join(lines, "\n")
}

// wrap makes a command report its panic as a crashMsg. Batches are wrapped
// one level down, where most commands live.
func (g *guard) wrap(c tea.Cmd) tea.Cmd {
	if c == nil {
		return nil
	}
	return func() (msg tea.Msg) {
		defer func() {
			if v := recover(); v != nil {
				g.rep.Panic(g.where+" command", v)
				msg = crashMsg{}
			}
		}()
		msg = c()
		if b, ok := msg.(tea.BatchMsg); ok {
			out := make(tea.BatchMsg, len(b))
			for i, inner := range b {
				out[i] = g.wrap(inner)
			}
			return out
		}
		return msg
	}
}
