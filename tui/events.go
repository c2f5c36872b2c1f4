package tui

import (
	"strconv"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// eventsScreen is the events list: filters by time, support and "mine",
// `a` assigns support right from the list.
type eventsScreen struct {
	listScreen[domain.Event]
	assign key.Binding
}

// eventColumns are shared with the dashboard's next-events table.
func eventColumns() []column {
	return []column{
		{title: "#", min: 2, right: true, prio: 3},
		{title: "Event", min: 14, max: 40, grow: 3},
		{title: "Client", min: 10, max: 28, grow: 2, prio: 2},
		{title: "Start", min: 16},
		{title: "End", min: 16, prio: 7},
		{title: "Location", min: 10, max: 32, grow: 1, prio: 5},
		{title: "Guests", min: 6, right: true, prio: 6},
		{title: "Status", min: 9, prio: 4},
		{title: "Support", min: 10, max: 24, grow: 2, prio: 1},
	}
}

// eventRow renders an event's cells (the table strips control characters).
func eventRow(e *env, ev domain.Event) []string {
	support := ev.SupportContactName
	if ev.SupportContactID == nil {
		support = "— none —"
	}
	client := ev.ClientName
	if ev.CompanyName != "" {
		client += " (" + ev.CompanyName + ")"
	}
	return []string{
		strconv.FormatInt(ev.ID, 10), ev.Name, client, e.fmtTime(ev.Start), e.fmtTime(ev.End),
		ev.Location, strconv.Itoa(ev.Attendees), string(ev.Status), support,
	}
}

// eventFilters: "without support" is management's, "mine" is for those an
// event can be theirs (support contact, or sales contact of the client).
func eventFilters(r domain.Role) []string {
	var out []string
	for _, f := range domain.ListFilters["event"] {
		switch {
		case f == domain.FilterUnassigned && r != domain.RoleManagement:
		case f == domain.FilterMine && r == domain.RoleManagement:
		default:
			out = append(out, f)
		}
	}
	return out
}

func newEventsScreen(e *env) Screen {
	s := &eventsScreen{listScreen: listScreen[domain.Event]{e: e}}
	s.list = newListModel(e, listSpec[domain.Event]{
		resource: "event",
		title:    "Events",
		columns:  eventColumns(),
		row:      eventRow,
		id:       func(ev domain.Event) int64 { return ev.ID },
		open:     func(e *env, id int64) tea.Cmd { return push(newEventDetail(e, id)) },
		load: func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[domain.Event], error) {
			ctx, cancel := callCtx()
			defer cancel()
			return svc.Events.List(ctx, sess, q)
		},
		filters: eventFilters,
	})
	s.assign = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "assign support"))
	return s
}

// KeyMap implements Screen: edit, delete and assign only when the actor
// may do them on the selected event. Rebuilt only when the selection moves
// to another event (or version of it).
func (s *eventsScreen) KeyMap() help.KeyMap {
	return s.keyMap(func(ev domain.Event) int64 { return ev.Version }, func(ev domain.Event, ok bool) keyMap {
		k := &s.list.keys
		actions := []key.Binding{k.Open}
		if ok && domain.CanUpdateEvent(s.e.actor, ev) == nil {
			actions = append(actions, k.Edit)
		}
		if ok && domain.CanAssignSupport(s.e.actor, ev) == nil {
			actions = append(actions, s.assign)
		}
		if ok && domain.CanDeleteEvent(s.e.actor, ev) == nil {
			actions = append(actions, k.Delete)
		}
		return listKeyMap(k, actions, k.Open, k.Edit, s.assign, k.Delete)
	})
}

type eventDeletedMsg struct {
	id  int64
	err error
}

// Update implements Screen.
func (s *eventsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, ok := s.takeKey(msg, s.key); ok {
		return s, cmd
	}
	switch msg := msg.(type) {
	case pickedMsg:
		if msg.purpose == "support" {
			ev, ok := s.find(msg.forID)
			if !ok {
				return s, nil
			}
			return s, assignSupport(s.e, ev, msg.id, msg.label)
		}
	case supportAssignedMsg:
		if msg.err != nil {
			return s, reportError("assign support", msg.err)
		}
		s.kmCache.reset()
		s.list.replace(msg.event, s.list.query().Filter == domain.FilterUnassigned && msg.event.SupportContactID != nil)
		return s, info(assignedText(msg))
	case confirmedMsg:
		if msg.tag == "delete event" {
			return s, s.deleteEvent(msg.id)
		}
	case eventDeletedMsg:
		if msg.err != nil {
			return s, reportError("delete event", msg.err)
		}
		return s, tea.Batch(info("event deleted"), s.list.Reload(0))
	case savedMsg:
		return s, s.list.Reload(msg.id)
	}
	cmd, _ := s.list.Update(msg)
	return s, cmd
}

// key handles the event keys; a key the actor may not use still asks the
// domain, which refuses it with its reason (and audits the refusal).
func (s *eventsScreen) key(k keyString) (tea.Cmd, bool) {
	ev, ok := s.list.Selected()
	keys := &s.list.keys
	switch {
	case !ok:
		return nil, false
	case key.Matches(k, keys.Open):
		return push(newEventDetail(s.e, ev.ID)), true
	case key.Matches(k, s.assign):
		return openSupportPicker(s.e, ev), true
	case key.Matches(k, keys.Edit):
		return ask(s.e, s, "edit event", domain.ActEventUpdate, ev.ID, func() tea.Cmd {
			return push(newEventForm(s.e, &ev, nil))
		}), true
	case key.Matches(k, keys.Delete):
		return ask(s.e, s, "delete event", domain.ActEventDelete, ev.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Delete the event "+domain.StripControl(ev.Name)+"?", "delete event", ev.ID))
		}), true
	}
	return nil, false
}

func (s *eventsScreen) deleteEvent(id int64) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		return eventDeletedMsg{id: id, err: svc.Events.Delete(ctx, sess, id)}
	}
}
