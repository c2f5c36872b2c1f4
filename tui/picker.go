package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// pickItem is one choice of a picker.
type pickItem struct {
	id     int64
	label  string // searched and shown
	detail string // shown dimmed after the label
}

// pickedMsg is handed to the screen below a picker when the user chose.
type pickedMsg struct {
	purpose string // what the picker was for ("support", …)
	forID   int64  // the record it was opened for
	id      int64  // the chosen item
	label   string
}

// picker is a modal list with a type-to-filter field (support contacts,
// sales contacts, clients…). enter picks, esc cancels.
type picker struct {
	e       *env
	title   string
	purpose string
	forID   int64
	items   []pickItem
	shown   []int // indexes of items matching the filter
	cursor  int
	filter  textinput.Model
	w, h    int
	keys    struct{ Up, Down, Pick, Cancel key.Binding }
}

// newPicker builds a picker; the chosen item comes back as pickedMsg.
func newPicker(e *env, title, purpose string, forID int64, items []pickItem) *picker {
	p := &picker{e: e, title: title, purpose: purpose, forID: forID, items: items}
	p.filter = newSteadyInput("filter: ", "type to filter")
	p.filter.Focus()
	p.keys.Up = key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up"))
	p.keys.Down = key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down"))
	p.keys.Pick = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose"))
	p.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	p.refilter()
	return p
}

// Init implements Screen.
func (p *picker) Init() tea.Cmd { return nil }

// Modal implements modal.
func (p *picker) Modal() bool { return true }

// CapturesKeys implements keyCapturer: typed letters go to the filter.
func (p *picker) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (p *picker) SetSize(w, h int) {
	p.w, p.h = w, h
	p.filter.SetWidth(p.boxWidth() - 10)
}

func (p *picker) boxWidth() int { return min(max(p.w-8, 40), 70) }

// KeyMap implements Screen.
func (p *picker) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{p.keys.Up, p.keys.Down, p.keys.Pick, p.keys.Cancel}}
}

func (p *picker) refilter() {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.shown = p.shown[:0]
	for i, it := range p.items {
		if q == "" || strings.Contains(strings.ToLower(it.label), q) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = min(p.cursor, max(len(p.shown)-1, 0))
}

// Update implements Screen.
func (p *picker) Update(msg tea.Msg) (Screen, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return p, p.edit(msg)
	}
	ks := keyString(k.String())
	switch {
	case key.Matches(ks, p.keys.Cancel):
		return p, back(nil)
	case key.Matches(ks, p.keys.Up):
		p.cursor = max(p.cursor-1, 0)
		return p, nil
	case key.Matches(ks, p.keys.Down):
		p.cursor = min(p.cursor+1, max(len(p.shown)-1, 0))
		return p, nil
	case key.Matches(ks, p.keys.Pick):
		if len(p.shown) == 0 {
			return p, nil
		}
		it := p.items[p.shown[p.cursor]]
		return p, back(pickedMsg{purpose: p.purpose, forID: p.forID, id: it.id, label: it.label})
	}
	return p, p.edit(msg)
}

// edit gives a key or a paste to the filter; a refused character says so
// in the status line.
func (p *picker) edit(msg tea.Msg) tea.Cmd {
	var (
		cmd     tea.Cmd
		problem string
	)
	p.filter, cmd, problem = updateInput(p.filter, msg)
	if problem != "" {
		return msgCmd(statusMsg{text: fieldMessage("filter", problem), err: true})
	}
	p.refilter()
	return cmd
}

// View implements Screen.
func (p *picker) View() string {
	st := p.e.st
	bw := p.boxWidth()
	inner := bw - 4
	rows := max(min(p.h-8, 12), 3)
	var b strings.Builder
	b.WriteString(st.Title.Render(p.title))
	b.WriteString("\n")
	b.WriteString(p.filter.View())
	b.WriteString("\n")
	start := 0
	if p.cursor >= rows {
		start = p.cursor - rows + 1
	}
	if len(p.shown) == 0 {
		b.WriteString("\n" + st.Dim.Render("no match"))
	}
	for i := start; i < len(p.shown) && i < start+rows; i++ {
		it := p.items[p.shown[i]]
		label := domain.StripControl(it.label)
		detail := domain.StripControl(it.detail)
		gap := max(inner-ansi.StringWidth(label)-ansi.StringWidth(detail), 1)
		line := ansi.Truncate(label+strings.Repeat(" ", gap)+detail, inner, "…")
		b.WriteString("\n")
		if i == p.cursor {
			b.WriteString(st.Selected.Render(line))
		} else {
			b.WriteString(line)
		}
	}
	return st.Box.Width(bw).Render(b.String())
}
