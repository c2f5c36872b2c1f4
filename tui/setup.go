package tui

import (
	"errors"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// setupScreen creates the first manager on an empty database, checking the
// password policy as it is typed, then logs them in.
type setupScreen struct {
	inputScreen // name, email, phone, password, repeat
	busy        bool
	fields      map[string]string // per-field errors from the service
	errTxt      string
}

// Field indexes and the service's field names.
const (
	setupName = iota
	setupEmail
	setupPhone
	setupPassword
	setupRepeat
)

var setupFieldNames = []string{"full_name", "email", "phone", "password", "repeat"}

type setupResultMsg struct {
	sess *domain.Session
	err  error
}

func newSetupScreen(e *env) Screen {
	s := &setupScreen{inputScreen: newInputScreen(e, 30, "next / create",
		newTextInput("Full name        ", "Ada Lovelace"),
		newTextInput("Email            ", "ada@epic-events.com"),
		newTextInput("Phone            ", "optional, +33 1 23 45 67 89"),
		newPasswordInput("Password         ", "at least 15 characters"),
		newPasswordInput("Repeat password  ", "")),
		fields: map[string]string{}}
	s.keys.Save.SetHelp("ctrl+s", "create")
	s.showSave = true
	return s
}

// Update implements Screen.
func (s *setupScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if msg, ok := msg.(setupResultMsg); ok {
		s.busy = false
		if msg.err == nil {
			return s, tea.Sequence(msgCmd(loggedInMsg{msg.sess}), info("welcome: your manager account is ready"))
		}
		var ve *domain.ValidationError
		if errors.As(msg.err, &ve) {
			s.fields = map[string]string{}
			for f, m := range ve.Fields {
				s.fields[f] = domain.StripControl(m)
			}
		}
		s.errTxt = userMessage(msg.err)
		return s, reportError("set up", msg.err)
	}
	focus := s.focus
	cmd, typed, problem := s.update(msg, s.submit)
	switch {
	case problem != "":
		s.fields[setupFieldNames[focus]] = problem
		return s, msgCmd(statusMsg{text: fieldMessage(s.label(focus), problem), err: true})
	case typed:
		delete(s.fields, setupFieldNames[focus])
		// The refusal was about the values then: the live check below
		// speaks for the values now.
		s.errTxt = ""
	}
	return s, cmd
}

// policy is the live password message ("" while nothing is typed).
func (s *setupScreen) policy() (msg string, ok bool) {
	pw := s.inputs[setupPassword].Value()
	if pw == "" {
		return "", false
	}
	if err := auth.CheckPassword(pw, s.inputs[setupEmail].Value()); err != nil {
		var ve *domain.ValidationError
		if errors.As(err, &ve) {
			return ve.Fields["password"], false
		}
		return "choose another password", false
	}
	rep := s.inputs[setupRepeat].Value()
	switch {
	case rep == "":
		return "password accepted — type it again below", true
	case rep != pw:
		return "the two passwords differ", false
	}
	return "password accepted", true
}

func (s *setupScreen) submit() tea.Cmd {
	name := strings.TrimSpace(s.inputs[setupName].Value())
	email := strings.TrimSpace(s.inputs[setupEmail].Value())
	phone := strings.TrimSpace(s.inputs[setupPhone].Value())
	pw := s.inputs[setupPassword].Value()
	if s.busy {
		return nil
	}
	if msg, ok := s.policy(); !ok {
		if msg == "" {
			msg = "choose a password"
		}
		s.errTxt = msg
		return nil
	}
	s.busy, s.errTxt = true, ""
	svc := s.e.svc
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		if _, err := svc.Sessions.Setup(ctx, domain.UserInput{FullName: name, Email: email, Phone: phone, Role: domain.RoleManagement}, pw); err != nil {
			return setupResultMsg{err: err}
		}
		sess, err := svc.Sessions.Login(ctx, email, pw)
		return setupResultMsg{sess: sess, err: err}
	}
}

// View implements Screen.
func (s *setupScreen) View() string {
	st := s.e.st
	var b strings.Builder
	b.WriteString(st.Title.Render("Welcome to Epic Events CRM"))
	b.WriteString("\n" + st.Dim.Render("Create the first manager account."))
	b.WriteString("\n\n")
	for i, in := range s.inputs {
		b.WriteString(in.View())
		b.WriteString("\n")
		if m := s.fields[setupFieldNames[i]]; m != "" {
			b.WriteString(st.Error.Render("  " + m))
			b.WriteString("\n")
		}
	}
	b.WriteString("\n")
	msg, ok := s.policy()
	switch {
	case s.busy:
		b.WriteString(st.Dim.Render("creating the account…"))
	case s.errTxt != "":
		b.WriteString(st.Error.Render(s.errTxt))
	case msg != "" && ok:
		b.WriteString(st.Success.Render(msg))
	case msg != "":
		b.WriteString(st.Error.Render(msg))
	default:
		b.WriteString(st.Dim.Render("15 to 128 characters, not a common password, not your email"))
	}
	width := min(s.w-4, 72)
	box := st.Box.Width(width).Render(lipgloss.NewStyle().Width(width - 4).Render(b.String()))
	return lipgloss.Place(s.w, s.h, lipgloss.Center, lipgloss.Center, box)
}
