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

// confirmDialog asks a yes/no question over the current screen. Every
// question it asks changes or loses something (delete, discard, sign,
// deactivate, reload over typed values), so "no" is the answer selected at
// first: enter alone never does the irreversible thing. y and n answer
// directly; ←/→ or tab move the selection.
type confirmDialog struct {
	e        *env
	question string
	tag      string
	id       int64
	w        int
	yes      bool // the selected answer
	keys     struct{ Yes, No, Switch, Enter key.Binding }
}

// newConfirm asks question; yes hands confirmedMsg{tag, id} back.
func newConfirm(e *env, question, tag string, id int64) *confirmDialog {
	d := &confirmDialog{e: e, question: question, tag: tag, id: id}
	d.keys.Yes = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes"))
	d.keys.No = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no"))
	d.keys.Switch = key.NewBinding(key.WithKeys("left", "right", "tab", "shift+tab", "h", "l"), key.WithHelp("←/→", "choose"))
	d.keys.Enter = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "answer the selected"))
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
	return keyMap{short: []key.Binding{d.keys.Yes, d.keys.No, d.keys.Switch, d.keys.Enter}}
}

// Update implements Screen.
func (d *confirmDialog) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		ks := keyString(k.String())
		switch {
		case key.Matches(ks, d.keys.Yes), key.Matches(ks, d.keys.Enter) && d.yes:
			return d, back(confirmedMsg{tag: d.tag, id: d.id})
		case key.Matches(ks, d.keys.No), key.Matches(ks, d.keys.Enter):
			return d, back(nil)
		case key.Matches(ks, d.keys.Switch):
			d.yes = !d.yes
		}
	}
	return d, nil
}

// View implements Screen.
func (d *confirmDialog) View() string {
	st := d.e.st
	width := min(max(d.w-10, 30), 60)
	q := lipgloss.NewStyle().Width(width).Render(d.question)
	yes, no := st.Desc.Render("  Yes  "), st.Selected.Render("[ No ]")
	if d.yes {
		yes, no = st.Selected.Render("[ Yes ]"), st.Desc.Render("  No  ")
	}
	return st.Box.Render(q + "\n\n" + yes + "  " + no + "\n" +
		st.Desc.Render("y yes · n no · ←/→ choose · enter answers the selected"))
}
