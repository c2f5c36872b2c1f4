package tui

import (
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/domain"
)

// loginScreen asks for an email and a masked password. After too many
// failures it shows how long to wait, counting down.
type loginScreen struct {
	inputScreen // email, password
	busy        bool
	errText     string
	until       time.Time // throttled until
}

type loginResultMsg struct {
	sess *domain.Session
	err  error
}

type throttleTickMsg struct{}

func newLoginScreen(e *env) Screen {
	return &loginScreen{inputScreen: newInputScreen(e, 20, "log in",
		newTextInput("Email     ", "you@epic-events.com"),
		newPasswordInput("Password  ", ""))}
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
	}
	cmd, _ := s.update(msg, s.submit)
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
