package tui

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/domain"
)

// loginScreen asks for an email and a masked password. After too many
// failures it shows how long to wait, counting down.
type loginScreen struct {
	e       *env
	inputs  []textinput.Model // email, password
	focus   int
	busy    bool
	errText string
	until   time.Time // throttled until
	w, h    int
	keys    struct{ Next, Prev, Submit key.Binding }
}

type loginResultMsg struct {
	sess *domain.Session
	err  error
}

type throttleTickMsg struct{}

func newTextInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.CharLimit = 254
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	return in
}

func newLoginScreen(e *env) Screen {
	s := &loginScreen{e: e}
	email := newTextInput("Email     ", "you@epic-events.com")
	pw := newTextInput("Password  ", "")
	pw.EchoMode = textinput.EchoPassword
	pw.EchoCharacter = '•'
	pw.CharLimit = 128
	email.Focus()
	s.inputs = []textinput.Model{email, pw}
	s.keys.Next = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field"))
	s.keys.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field"))
	s.keys.Submit = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "log in"))
	return s
}

// Init implements Screen.
func (s *loginScreen) Init() tea.Cmd { return nil }

// CapturesKeys implements keyCapturer: every letter is typed.
func (s *loginScreen) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (s *loginScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(min(40, w-20))
	}
}

// KeyMap implements Screen.
func (s *loginScreen) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{s.keys.Submit, s.keys.Next, s.keys.Prev,
		key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))}}
}

func (s *loginScreen) setFocus(i int) tea.Cmd {
	s.focus = (i + len(s.inputs)) % len(s.inputs)
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	return s.inputs[s.focus].Focus()
}

// Update implements Screen.
func (s *loginScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case loginResultMsg:
		s.busy = false
		if msg.err == nil {
			return s, msgCmd(loggedInMsg{msg.sess})
		}
		s.errText = userMessage(msg.err)
		var te *domain.ThrottledError
		if errors.As(msg.err, &te) {
			s.until = s.e.now().Add(te.Wait)
			s.errText = ""
			return s, tea.Batch(reportError("log in", msg.err), s.tick())
		}
		s.inputs[1].SetValue("")
		return s, tea.Batch(reportError("log in", msg.err), s.setFocus(1))
	case throttleTickMsg:
		if s.throttled() {
			return s, s.tick()
		}
		return s, nil
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		switch {
		case key.Matches(k, s.keys.Next):
			return s, s.setFocus(s.focus + 1)
		case key.Matches(k, s.keys.Prev):
			return s, s.setFocus(s.focus - 1)
		case key.Matches(k, s.keys.Submit):
			if s.focus == 0 {
				return s, s.setFocus(1)
			}
			return s, s.submit()
		}
	}
	var cmd tea.Cmd
	s.inputs[s.focus], cmd = s.inputs[s.focus].Update(msg)
	return s, cmd
}

func (s *loginScreen) throttled() bool { return s.e.now().Before(s.until) }

func (s *loginScreen) tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return throttleTickMsg{} })
}

func (s *loginScreen) submit() tea.Cmd {
	email, pw := strings.TrimSpace(s.inputs[0].Value()), s.inputs[1].Value()
	switch {
	case s.busy:
		return nil
	case s.throttled():
		return nil
	case email == "" || pw == "":
		s.errText = "type your email and your password"
		return nil
	}
	s.busy, s.errText = true, ""
	svc := s.e.svc
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		sess, err := svc.Sessions.Login(ctx, email, pw)
		return loginResultMsg{sess, err}
	}
}

// View implements Screen.
func (s *loginScreen) View() string {
	st := s.e.st
	var b strings.Builder
	b.WriteString(st.Title.Render("Log in"))
	b.WriteString("\n\n")
	b.WriteString(s.inputs[0].View())
	b.WriteString("\n")
	b.WriteString(s.inputs[1].View())
	b.WriteString("\n\n")
	switch {
	case s.throttled():
		wait := s.until.Sub(s.e.now())
		b.WriteString(st.Error.Render("too many failed attempts: try again in " + waitText(wait)))
	case s.busy:
		b.WriteString(st.Dim.Render("checking…"))
	case s.errText != "":
		b.WriteString(st.Error.Render(s.errText))
	default:
		b.WriteString(st.Dim.Render("enter: next field, then log in"))
	}
	box := st.Box.Render(b.String())
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, box)
}
