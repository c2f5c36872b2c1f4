package tui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/auth"
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
	ahead       int // logins before this one on a busy server
	errText     string
	// inputErr: errText is about a refused character, cleared by the next
	// accepted key.
	inputErr bool
}

type loginResultMsg struct {
	sess *domain.Session
	err  error
}

// loginQueuedMsg: the login still waits for its turn, ahead before it.
type loginQueuedMsg struct {
	ahead int
	t     *auth.Ticket
	email string
	pw    string
}

// busyText answers a login the server's queue cannot take.
const busyText = "the server is busy — try again in a few seconds"

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
	if msg, ok := msg.(loginQueuedMsg); ok {
		s.ahead = msg.ahead
		return s, s.awaitTurn(msg.t, msg.email, msg.pw)
	}
	if msg, ok := msg.(loginResultMsg); ok {
		s.busy, s.inputErr, s.ahead = false, false, 0
		if msg.err == nil {
			return s, msgCmd(loggedInMsg{msg.sess})
		}
		if errors.Is(msg.err, errLoginDropped) {
			s.errText = busyText
			return s, nil
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
	if s.e.logins == nil {
		s.busy, s.errText, s.inputErr = true, "", false
		return s.login(nil, email, pw)
	}
	t, err := s.e.logins.Enter()
	if err != nil {
		// The typed values stay: enter tries again.
		s.errText, s.inputErr = busyText, false
		return nil
	}
	s.busy, s.errText, s.inputErr, s.ahead = true, "", false, t.Ahead()
	return s.awaitTurn(t, email, pw)
}

// awaitTurn waits (a second at most, so no goroutine outlives a vanished
// session by more) for the login's turn; once admitted it logs in.
func (s *loginScreen) awaitTurn(t *auth.Ticket, email, pw string) tea.Cmd {
	login := s.login(t, email, pw)
	ctx := s.e.sessionCtx()
	return func() tea.Msg {
		ahead, ok, err := t.Wait(ctx, time.Second)
		switch {
		case err != nil:
			t.Leave()
			return loginResultMsg{err: errLoginDropped}
		case !ok:
			return loginQueuedMsg{ahead, t, email, pw}
		}
		return login()
	}
}

// errLoginDropped: the queue dropped a login whose screen stopped waiting.
var errLoginDropped = errors.New("login: dropped from the queue")

// login calls the service. Its deadline starts here, once admitted: time
// spent in line is not charged to the database.
func (s *loginScreen) login(t *auth.Ticket, email, pw string) tea.Cmd {
	svc, addr := s.e.svc, s.e.clientAddr
	return func() tea.Msg {
		if t != nil {
			defer t.Leave()
		}
		ctx, cancel := callCtx()
		defer cancel()
		if addr != "" {
			ctx = domain.WithClientAddress(ctx, addr)
		}
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
	case s.busy && s.ahead > 0:
		b.WriteString(st.Dim.Render(fmt.Sprintf("signing in — %d ahead", s.ahead)))
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
	return center(st.Box.Render(b.String()), s.w, s.h)
}

// center places a block of lines of equal width in the middle of a w×h
// window, by prefixing spaces and blank lines: what lipgloss.Place does
// without measuring and padding every line of the window, as a login
// screen is redrawn at every key and while it waits in line.
func center(block string, w, h int) string {
	lines := strings.Split(block, "\n")
	bw := lipgloss.Width(lines[0])
	for _, l := range lines[1:] {
		bw = max(bw, lipgloss.Width(l))
	}
	left, top := max(0, (w-bw)/2), max(0, (h-len(lines))/2)
	pad := strings.Repeat(" ", left)
	var b strings.Builder
	b.Grow(top + len(block) + len(lines)*(left+1))
	for range top {
		b.WriteByte('\n')
	}
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(pad)
		b.WriteString(l)
	}
	for range h - top - len(lines) {
		b.WriteByte('\n')
	}
	return b.String()
}
