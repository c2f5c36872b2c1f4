package tui

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/domain"
)

// loginScreen asks for an email and a masked password. Every attempt goes
// to the service, which reads the stored throttle wait: the screen keeps
// no lock of its own, so a wait that has passed (or that an operator
// cleared) never outlives itself here. A refusal for throttling says how
// long to wait and until when.
type loginScreen struct {
	inputScreen // email, password
	busy        bool
	errText     string
	// inputErr: errText is about a refused character, cleared by the next
	// accepted key.
	inputErr bool
}

type loginResultMsg struct {
	sess *domain.Session
	err  error
}

func newLoginScreen(e *env) Screen {
	s := &loginScreen{inputScreen: newInputScreen(e, 20, "log in",
		newTextInput("Email     ", "you@epic-events.com"),
		newPasswordInput("Password  ", ""))}
	// Why the saved session was not resumed, once: a later logout shows
	// its own status instead.
	s.errText, e.notice = domain.StripControl(e.notice), ""
	return s
}

// Update implements Screen.
func (s *loginScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if msg, ok := msg.(loginResultMsg); ok {
		s.busy, s.inputErr = false, false
		if msg.err == nil {
			return s, msgCmd(loggedInMsg{msg.sess})
		}
		s.errText = userMessage(msg.err)
		var te *domain.ThrottledError
		if errors.As(msg.err, &te) {
			// The password stays: enter tries again once the wait is over.
			s.errText += " (at " + s.e.now().Add(te.Wait).In(s.e.loc).Format("15:04:05") + ")"
			return s, reportError("log in", msg.err)
		}
		s.inputs[1].SetValue("")
		return s, tea.Batch(reportError("log in", msg.err), s.setFocus(1))
	}
	cmd, typed, problem := s.update(msg, s.submit)
	switch {
	case problem != "":
		s.errText, s.inputErr = fieldMessage(s.label(s.focus), problem), true
	case typed && s.inputErr:
		s.errText, s.inputErr = "", false
	}
	return s, cmd
}

func (s *loginScreen) submit() tea.Cmd {
	email, pw := strings.TrimSpace(s.inputs[0].Value()), s.inputs[1].Value()
	switch {
	case s.busy:
		return nil
	case email == "" || pw == "":
		s.errText = "type your email and your password"
		return nil
	}
	s.busy, s.errText, s.inputErr = true, "", false
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
	case s.busy:
		b.WriteString(st.Dim.Render("checking…"))
	case s.errText != "":
		// A long message (a notice naming a file's path) wraps inside the
		// box instead of widening it past the window.
		style := st.Error
		if room := max(min(s.w-8, 64), 20); lipgloss.Width(s.errText) > room {
			style = style.Width(room)
		}
		b.WriteString(style.Render(s.errText))
	default:
		b.WriteString(st.Dim.Render("enter: next field, then log in"))
	}
	box := st.Box.Render(b.String())
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, box)
}
