package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// confirmedMsg is handed to the screen below a confirmDialog when the user
// said yes.
type confirmedMsg struct {
	tag string // what was confirmed ("sign", "delete", …)
	id  int64  // the record it applies to
}

// confirmDialog asks a yes/no question over the current screen.
type confirmDialog struct {
	e        *env
	question string
	tag      string
	id       int64
	w        int
	keys     struct{ Yes, No key.Binding }
}

// newConfirm asks question; yes hands confirmedMsg{tag, id} back.
func newConfirm(e *env, question, tag string, id int64) *confirmDialog {
	d := &confirmDialog{e: e, question: question, tag: tag, id: id}
	d.keys.Yes = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "yes"))
	d.keys.No = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no"))
	return d
}

// Init implements Screen.
func (d *confirmDialog) Init() tea.Cmd { return nil }

// Modal implements modal.
func (d *confirmDialog) Modal() bool { return true }

// CapturesKeys implements keyCapturer: the dialog answers every key.
func (d *confirmDialog) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (d *confirmDialog) SetSize(w, _ int) { d.w = w }

// KeyMap implements Screen.
func (d *confirmDialog) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{d.keys.Yes, d.keys.No}}
}

// Update implements Screen.
func (d *confirmDialog) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		ks := keyString(k.String())
		switch {
		case key.Matches(ks, d.keys.Yes):
			return d, back(confirmedMsg{tag: d.tag, id: d.id})
		case key.Matches(ks, d.keys.No):
			return d, back(nil)
		}
	}
	return d, nil
}

// View implements Screen.
func (d *confirmDialog) View() string {
	st := d.e.st
	width := min(max(d.w-10, 30), 60)
	q := lipgloss.NewStyle().Width(width).Render(d.question)
	return st.Box.Render(q + "\n\n" + st.Key.Render("y") + st.Desc.Render(" yes   ") +
		st.Key.Render("n") + st.Desc.Render(" no"))
}
