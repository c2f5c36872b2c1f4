package tui

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

func init() { hooks.EventDetail = newEventDetail }

// eventDetail shows an event with its contract and history. e edits it,
// a assigns or changes its support contact (management).
type eventDetail struct {
	e            *env
	id           int64
	d            detailPage
	ev           *domain.Event
	edit, assign key.Binding
}

type eventDetailMsg struct {
	id     int64
	detail domain.EventDetail
	err    error
}

func newEventDetail(e *env, id int64) Screen {
	s := &eventDetail{e: e, id: id, d: newDetailPage(e)}
	s.edit = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	s.assign = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign support"))
	return s
}

// Init implements Screen.
func (s *eventDetail) Init() tea.Cmd { return s.load() }

func (s *eventDetail) load() tea.Cmd {
	svc, sess, id := s.e.svc, s.e.sess, s.id
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		d, err := svc.Events.Detail(ctx, sess, id)
		return eventDetailMsg{id: id, detail: d, err: err}
	}
}

// SetSize implements Screen.
func (s *eventDetail) SetSize(w, h int) { s.d.w, s.d.h = w, h }

// View implements Screen.
func (s *eventDetail) View() string { return s.d.view() }

// KeyMap implements Screen.
func (s *eventDetail) KeyMap() help.KeyMap {
	var actions []key.Binding
	if s.ev != nil {
		if domain.CanUpdateEvent(s.e.actor, *s.ev) == nil {
			actions = append(actions, s.edit)
		}
		if domain.CanAssignSupport(s.e.actor, *s.ev) == nil {
			actions = append(actions, s.assign)
		}
	}
	if _, ok := s.d.selected(); ok {
		actions = append(actions, s.d.keys.Open)
	}
	actions = append(actions, s.d.keys.Reload)
	short := append([]key.Binding{s.d.keys.Up, s.d.keys.Down}, actions...)
	return keyMap{short: short, full: [][]key.Binding{s.d.navigation(), actions}}
}

// Update implements Screen.
func (s *eventDetail) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case eventDetailMsg:
		if msg.id != s.id {
			return s, nil
		}
		if msg.err != nil {
			s.d.loading = false
			return s, reportError("load event", msg.err)
		}
		ev := msg.detail.Event
		s.ev = &ev
		s.d.setLines(s.lines(msg.detail))
	case savedMsg:
		return s, s.load()
	case pickedMsg:
		if msg.purpose == "support" && s.ev != nil && msg.forID == s.ev.ID {
			return s, assignSupport(s.e, *s.ev, msg.id, msg.label)
		}
	case supportAssignedMsg:
		if msg.err != nil {
			return s, reportError("assign support", msg.err)
		}
		return s, tea.Batch(info(assignedText(msg)), s.load())
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		switch {
		case s.d.move(k):
		case key.Matches(k, s.d.keys.Open):
			return s, s.d.open()
		case key.Matches(k, s.d.keys.Reload):
			return s, s.load()
		case s.ev == nil:
		case key.Matches(k, s.edit):
			ev := *s.ev
			return s, checkThen(s.e, func(a domain.Actor) error { return domain.CanUpdateEvent(a, ev) }, func() tea.Cmd {
				return push(newEventForm(s.e, &ev, nil))
			})
		case key.Matches(k, s.assign):
			return s, openSupportPicker(s.e, *s.ev)
		}
	}
	return s, nil
}

func (s *eventDetail) lines(d domain.EventDetail) []detailLine {
	b := &detailBuilder{e: s.e}
	ev, c := d.Event, d.Contract
	e := s.e
	b.title("Event " + ev.Name)
	b.field("Status", string(ev.Status))
	b.field("Start", e.fmtTime(ev.Start))
	b.field("End", e.fmtTime(ev.End))
	b.field("Location", ev.Location)
	b.field("Attendees", strconv.Itoa(ev.Attendees))
	support := ev.SupportContactName
	if ev.SupportContactID == nil {
		support = "— none —"
	}
	b.field("Support", support)
	client := domain.StripControl(ev.ClientName)
	if ev.CompanyName != "" {
		client += " (" + domain.StripControl(ev.CompanyName) + ")"
	}
	b.link("client", ev.ClientID, e.st.Label.Render(padRight("Client", labelWidth))+client+"  ›")
	b.add(e.st.Label.Render("Notes"))
	if strings.TrimSpace(ev.Notes) == "" {
		b.dim("  no notes")
	}
	for _, l := range strings.Split(strings.TrimRight(ev.Notes, "\n"), "\n") {
		if l != "" {
			b.add("  " + domain.StripControl(l))
		}
	}

	b.section("Contract")
	b.link("contract", c.ID, contractLine(c))
	b.history(d.History)
	return b.lines
}
