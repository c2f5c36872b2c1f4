package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// inputScreen is the plumbing the login and setup screens share: a column
// of text inputs that takes every key, tab / shift+tab (or down / up) to
// move between them, enter to go to the next one and, on the last, to
// submit; ctrl+s submits from any of them. The screen embeds it and states its inputs, its submit and its
// view.
type inputScreen struct {
	e      *env
	inputs []textinput.Model
	focus  int
	w, h   int
	margin int // the inputs are min(40, w-margin) wide
	keys   struct{ Next, Prev, Submit, Save key.Binding }
	// showSave puts ctrl+s in the help bar (a long form; on the login
	// screen enter says it all, ctrl+s works all the same).
	showSave bool
}

// newInputScreen focuses the first input; submitHelp describes enter.
func newInputScreen(e *env, margin int, submitHelp string, inputs ...textinput.Model) inputScreen {
	s := inputScreen{e: e, inputs: inputs, margin: margin}
	s.inputs[0].Focus()
	s.keys.Next = key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab", "next field"))
	s.keys.Prev = key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab", "previous field"))
	s.keys.Submit = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", submitHelp))
	// ctrl+s submits from any field, as in every form.
	s.keys.Save = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "submit"))
	return s
}

// newSteadyInput is an input whose cursor does not blink, without a
// length limit (the domain's length check speaks instead of a cut) and
// without the clipboard key (textguard.go). Update it with updateInput.
func newSteadyInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	st := in.Styles()
	st.Cursor.Blink = false
	in.SetStyles(st)
	safeInputKeys(&in)
	return in
}

// newTextInput is a steady input for a value.
func newTextInput(prompt, placeholder string) textinput.Model {
	return newSteadyInput(prompt, placeholder)
}

// newPasswordInput is a masked input.
func newPasswordInput(prompt, placeholder string) textinput.Model {
	in := newTextInput(prompt, placeholder)
	in.EchoMode, in.EchoCharacter = textinput.EchoPassword, '•'
	return in
}

// Init implements Screen.
func (s *inputScreen) Init() tea.Cmd { return nil }

// CapturesKeys implements keyCapturer: every letter is typed.
func (s *inputScreen) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (s *inputScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	for i := range s.inputs {
		s.inputs[i].SetWidth(min(40, w-s.margin))
	}
}

// KeyMap implements Screen.
func (s *inputScreen) KeyMap() help.KeyMap {
	keys := []key.Binding{s.keys.Submit}
	if s.showSave {
		keys = append(keys, s.keys.Save)
	}
	return keyMap{short: append(keys, s.keys.Next, s.keys.Prev,
		key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")))}
}

func (s *inputScreen) setFocus(i int) tea.Cmd {
	s.focus = (i + len(s.inputs)) % len(s.inputs)
	for j := range s.inputs {
		s.inputs[j].Blur()
	}
	return s.inputs[s.focus].Focus()
}

// label is the name of input i in a message ("email").
func (s *inputScreen) label(i int) string { return s.inputs[i].Prompt }

// update handles the movement keys and enter (submit on the last input);
// any other message goes to the focused input, and typed says whether its
// value changed (the paste start and end markers, a cursor blink, do not
// clear a message). A key or paste the input refuses (a control
// character) changes nothing and problem says why.
func (s *inputScreen) update(msg tea.Msg, submit func() tea.Cmd) (cmd tea.Cmd, typed bool, problem string) {
	if kp, ok := msg.(tea.KeyPressMsg); ok {
		k := keyString(kp.String())
		switch {
		case key.Matches(k, s.keys.Next):
			return s.setFocus(s.focus + 1), false, ""
		case key.Matches(k, s.keys.Prev):
			return s.setFocus(s.focus - 1), false, ""
		case key.Matches(k, s.keys.Save):
			return submit(), false, ""
		case key.Matches(k, s.keys.Submit):
			if s.focus < len(s.inputs)-1 {
				return s.setFocus(s.focus + 1), false, ""
			}
			return submit(), false, ""
		}
	}
	before := s.inputs[s.focus].Value()
	s.inputs[s.focus], cmd, problem = updateInput(s.inputs[s.focus], msg)
	return cmd, s.inputs[s.focus].Value() != before, problem
}
