package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/epic-events/crm/domain"
)

// auditScreen is the audit log, newest first, a page at a time; / searches
// (actor, action, entity), enter shows the changes of an entry.
type auditScreen struct {
	listScreen[domain.AuditEntry]
	km keyMap
}

func auditRow(e *env, a domain.AuditEntry) []string {
	who := a.ActorName
	if who == "" {
		who = "system"
	}
	target := a.Entity
	if a.EntityID != 0 {
		target += " #" + strconv.FormatInt(a.EntityID, 10)
	}
	parts := make([]string, 0, len(a.Changes))
	for _, c := range a.Changes {
		parts = append(parts, changeText(e, c))
	}
	return []string{e.fmtTime(a.At), who, a.Action, target, strings.Join(parts, " · ")}
}

func newAuditScreen(e *env) Screen {
	s := &auditScreen{listScreen: listScreen[domain.AuditEntry]{e: e}}
	s.list = newListModel(e, listSpec[domain.AuditEntry]{
		resource: "audit",
		title:    "Audit log",
		columns: []column{
			{title: "At", min: 16},
			{title: "Actor", min: 10, max: 24, grow: 1},
			{title: "Action", min: 14, max: 28, grow: 1},
			{title: "Record", min: 10, max: 20, prio: 2},
			{title: "Changes", min: 16, max: 30, grow: 3, prio: 1},
		},
		row: auditRow,
		id:  func(a domain.AuditEntry) int64 { return a.ID },
		load: func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[domain.AuditEntry], error) {
			ctx, cancel := callCtx()
			defer cancel()
			return svc.Audit.List(ctx, sess, q)
		},
	})
	k := &s.list.keys
	k.Open = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show changes"))
	s.km = listKeyMap(k, []key.Binding{k.Open})
	return s
}

// KeyMap implements Screen.
func (s *auditScreen) KeyMap() help.KeyMap {
	if s.list.searching {
		return searchKeyMap
	}
	if s.list.search.Value() != "" {
		return keyMap{short: append([]key.Binding{s.list.keys.ClearSearch}, s.km.short...), full: s.km.full}
	}
	return s.km
}

// Update implements Screen.
func (s *auditScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && !s.list.searching && key.Matches(keyString(k.String()), s.list.keys.Open) {
		if a, ok := s.list.Selected(); ok {
			return s, push(newAuditEntryView(s.e, a))
		}
		return s, nil
	}
	if _, ok := msg.(focusMsg); ok {
		// New entries are written all the time: show them on coming back.
		return s, s.list.Reload(0)
	}
	cmd, _ := s.list.Update(msg)
	return s, cmd
}

// auditEntryView shows one audit entry's changes over the log.
type auditEntryView struct {
	e      *env
	a      domain.AuditEntry
	w, h   int
	offset int
	keys   struct{ Up, Down, Close key.Binding }
}

func newAuditEntryView(e *env, a domain.AuditEntry) *auditEntryView {
	v := &auditEntryView{e: e, a: a}
	v.keys.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up"))
	v.keys.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down"))
	v.keys.Close = key.NewBinding(key.WithKeys("esc", "enter", "q"), key.WithHelp("esc", "close"))
	return v
}

// Init implements Screen.
func (v *auditEntryView) Init() tea.Cmd { return nil }

// Modal implements modal.
func (v *auditEntryView) Modal() bool { return true }

// CapturesKeys implements keyCapturer (q closes instead of quitting).
func (v *auditEntryView) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (v *auditEntryView) SetSize(w, h int) { v.w, v.h = w, h }

// KeyMap implements Screen.
func (v *auditEntryView) KeyMap() help.KeyMap {
	return keyMap{short: []key.Binding{v.keys.Up, v.keys.Down, v.keys.Close}}
}

// Update implements Screen.
func (v *auditEntryView) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		ks := keyString(k.String())
		switch {
		case key.Matches(ks, v.keys.Close):
			return v, back(nil)
		case key.Matches(ks, v.keys.Up):
			v.offset = max(v.offset-1, 0)
		case key.Matches(ks, v.keys.Down):
			_, body, rows := v.layout()
			v.offset = min(v.offset+1, max(len(body)-rows, 0))
		}
	}
	return v, nil
}

// width is the dialog's outer width.
func (v *auditEntryView) width() int { return min(max(v.w-8, 40), 90) }

// layout wraps the entry to the dialog's inner width: the header lines,
// the body lines (each change, its values indented under it) and how many
// body lines fit, so the dialog, border included, never grows past the
// window: the body scrolls instead.
func (v *auditEntryView) layout() (head, body []string, rows int) {
	st, a := v.e.st, v.a
	inner := v.width() - 4
	wrap := func(s string, w int) []string {
		return strings.Split(lipgloss.NewStyle().Width(max(w, 10)).Render(s), "\n")
	}
	who := a.ActorName
	if who == "" {
		who = "system"
	}
	head = append(head, wrap(st.Title.Render(domain.StripControl(a.Action)), inner)...)
	where := v.e.fmtTime(a.At) + " · " + domain.StripControl(who) + " · " + domain.StripControl(a.Entity)
	if a.EntityID != 0 {
		where += " #" + strconv.FormatInt(a.EntityID, 10)
	}
	if a.Label != "" {
		where += " · " + domain.StripControl(a.Label)
	}
	for _, l := range wrap(where, inner) {
		head = append(head, st.Dim.Render(l))
	}
	head = append(head, "")
	if len(a.Changes) == 0 {
		body = append(body, st.Dim.Render("no field changed"))
	}
	value := func(prefix, text string) {
		for i, l := range wrap(text, inner-len(prefix)) {
			if i == 0 {
				body = append(body, prefix+l)
			} else {
				body = append(body, strings.Repeat(" ", len(prefix))+l)
			}
		}
	}
	for _, c := range a.Changes {
		body = append(body, st.Label.Render(domain.StripControl(c.Field)))
		old, nw := changeValue(v.e, c.Old), changeValue(v.e, c.New)
		if old != "" {
			value("  was ", old)
		}
		if nw != "" {
			value("  now ", nw)
		} else {
			body = append(body, "  "+st.Dim.Render("now empty"))
		}
	}
	// Borders, the header and a line for "↓ more".
	rows = max(v.h-2-len(head)-1, 2)
	return head, body, rows
}

// View implements Screen.
func (v *auditEntryView) View() string {
	st := v.e.st
	head, body, rows := v.layout()
	v.offset = min(v.offset, max(len(body)-rows, 0))
	lines := append([]string{}, head...)
	end := min(v.offset+rows, len(body))
	lines = append(lines, body[v.offset:end]...)
	if end < len(body) {
		lines = append(lines, st.Dim.Render("↓ more"))
	}
	return st.Box.Width(v.width()).Render(strings.Join(lines, "\n"))
}
