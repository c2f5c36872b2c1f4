package tui

import (
	"context"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// eventDetail shows an event with its contract and history. e edits it,
// a assigns or changes its support contact (management).
type eventDetail struct {
	detailScreen[domain.EventDetail]
	ev           *domain.Event
	edit, assign key.Binding
}

func newEventDetail(e *env, id int64) Screen {
	s := &eventDetail{}
	s.detailScreen = newDetailScreen(e, id, "event",
		func(ctx context.Context, svc *domain.Services, sess *domain.Session, id int64) (domain.EventDetail, error) {
			return svc.Events.Detail(ctx, sess, id)
		},
		func(d domain.EventDetail) []detailLine {
			ev := d.Event
			s.ev = &ev
			return s.lines(d)
		})
	s.edit = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	s.assign = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign support"))
	return s
}

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
	return s.keyMap(actions)
}

// Update implements Screen.
func (s *eventDetail) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, done := s.update(msg); done {
		return s, cmd
	}
	switch msg := msg.(type) {
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
		case s.ev == nil:
		case key.Matches(k, s.edit):
			ev := *s.ev
			return s, ask(s.e, s, "edit event", domain.ActEventUpdate, ev.ID, func() tea.Cmd {
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
