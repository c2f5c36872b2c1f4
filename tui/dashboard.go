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

// dashboardScreen shows the figures of the actor's role and their next
// events; management can assign support to the next events without
// support right there with `a`.
type dashboardScreen struct {
	e       *env
	d       domain.Dashboard
	loaded  bool
	loading bool
	tbl     table
	w, h    int
	keys    struct{ Up, Down, Open, Assign, Reload key.Binding }
}

type dashboardMsg struct {
	d   domain.Dashboard
	err error
}

func newDashboardScreen(e *env) Screen {
	s := &dashboardScreen{e: e, tbl: newTable(e.st, eventColumns())}
	s.tbl.empty = "no upcoming event"
	s.keys.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	s.keys.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	s.keys.Open = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	s.keys.Assign = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign support"))
	s.keys.Reload = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload"))
	return s
}

// Init implements Screen.
func (s *dashboardScreen) Init() tea.Cmd { return s.load() }

func (s *dashboardScreen) load() tea.Cmd {
	s.loading = true
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		d, err := svc.Dashboard.Get(ctx, sess)
		return dashboardMsg{d, err}
	}
}

// SetSize implements Screen.
func (s *dashboardScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	if s.tbl.st != s.e.st {
		s.tbl.SetStyles(s.e.st)
	}
	s.tbl.SetSize(w, max(h-5, 2))
}

// KeyMap implements Screen.
func (s *dashboardScreen) KeyMap() help.KeyMap {
	b := []key.Binding{s.keys.Up, s.keys.Down, s.keys.Open}
	if ev, ok := s.selected(); ok && domain.CanAssignSupport(s.e.actor, ev) == nil {
		b = append(b, s.keys.Assign)
	}
	b = append(b, s.keys.Reload)
	return keyMap{short: b}
}

func (s *dashboardScreen) selected() (domain.Event, bool) {
	if len(s.d.NextEvents) == 0 {
		return domain.Event{}, false
	}
	return s.d.NextEvents[s.tbl.Cursor()], true
}

// Update implements Screen.
func (s *dashboardScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case dashboardMsg:
		s.loading = false
		if msg.err != nil {
			return s, reportError("load dashboard", msg.err)
		}
		s.d, s.loaded = msg.d, true
		rows := make([][]string, len(msg.d.NextEvents))
		for i, ev := range msg.d.NextEvents {
			rows[i] = eventRow(s.e, ev)
		}
		s.tbl.SetRows(rows)
		return s, nil
	case focusMsg:
		return s, s.load()
	case changesMsg:
		// Shown: the figures move; hidden: focusMsg reloads anyway.
		if msg.onTop && msg.touches(recordChanges...) {
			return s, s.load()
		}
	case pickedMsg:
		if msg.purpose != "support" {
			return s, nil
		}
		for _, ev := range s.d.NextEvents {
			if ev.ID == msg.forID {
				return s, assignSupport(s.e, ev, msg.id, msg.label)
			}
		}
	case supportAssignedMsg:
		if msg.err != nil {
			return s, reportError("assign support", msg.err)
		}
		return s, tea.Batch(info(assignedText(msg)), s.load())
	case savedMsg:
		return s, s.load()
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		ev, ok := s.selected()
		switch {
		case key.Matches(k, s.keys.Up):
			s.tbl.Move(-1)
		case key.Matches(k, s.keys.Down):
			s.tbl.Move(1)
		case key.Matches(k, s.keys.Reload):
			return s, s.load()
		case ok && key.Matches(k, s.keys.Open):
			return s, push(newEventDetail(s.e, ev.ID))
		case ok && key.Matches(k, s.keys.Assign):
			return s, openSupportPicker(s.e, ev)
		}
	}
	return s, nil
}

// figure renders "label value" for the figures line.
func (s *dashboardScreen) figure(label, value string) string {
	return s.e.st.Label.Render(label+" ") + s.e.st.Value.Render(value)
}

// View implements Screen.
func (s *dashboardScreen) View() string {
	st := s.e.st
	var b strings.Builder
	b.WriteString(st.Title.Render("Dashboard"))
	if s.loading {
		b.WriteString(st.Dim.Render("  loading…"))
	}
	b.WriteString("\n\n")
	stats := s.d.Stats
	var figs []string
	var tableTitle string
	switch s.e.actor.Role {
	case domain.RoleManagement:
		figs = []string{
			s.figure("Events without support", strconv.Itoa(stats.UnassignedEvents)),
			s.figure("Unpaid total", domain.FormatMoney(stats.UnpaidCents)),
			s.figure("Signed this month", strconv.Itoa(stats.SignedThisMonth)),
		}
		tableTitle = "Next events without support — a assigns support"
	case domain.RoleSales:
		figs = []string{
			s.figure("My clients", strconv.Itoa(stats.Clients)),
			s.figure("My draft contracts", strconv.Itoa(stats.DraftContracts)),
			s.figure("My outstanding balance", domain.FormatMoney(stats.OutstandingCents)),
		}
		tableTitle = "My clients' next events"
	default:
		figs = []string{s.figure("My upcoming events", strconv.Itoa(stats.UpcomingEvents))}
		tableTitle = "My next events"
	}
	// Figures side by side, or one per line when the window is narrow.
	line := strings.Join(figs, "    ")
	if lipgloss.Width(line) > s.w {
		line = strings.Join(figs, "\n")
	}
	b.WriteString(line)
	b.WriteString("\n\n")
	b.WriteString(st.Title.Render(tableTitle))
	headLines := strings.Count(b.String(), "\n") + 1
	head := fit(b.String(), s.w, headLines)
	if !s.loaded {
		return fit(head, s.w, s.h)
	}
	s.tbl.SetSize(s.w, max(s.h-headLines, 2))
	return fit(head+"\n"+s.tbl.View(), s.w, s.h)
}
