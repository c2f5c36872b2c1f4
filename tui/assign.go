package tui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// The support assignment flow, shared by the events list and the
// management dashboard: `a` → openSupportPicker (loads the active support
// collaborators with their upcoming-event count, then pushes a picker) →
// pickedMsg{purpose: "support"} → assignSupport → supportAssignedMsg.

// supportAssignedMsg is the result of Events.AssignSupport.
type supportAssignedMsg struct {
	event domain.Event
	name  string // chosen collaborator, for the status line
	err   error
}

// openSupportPicker loads the candidates and pushes the picker for ev.
func openSupportPicker(e *env, ev domain.Event) tea.Cmd {
	svc, sess := e.svc, e.sess
	title := "Support for " + domain.StripControl(ev.Name)
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		// Ask first: the picker never opens for an assignment the domain
		// would refuse once chosen.
		if err := svc.May(ctx, sess, domain.ActEventAssignSupport, ev.ID); err != nil {
			return errorMsg{op: "assign support", err: err}
		}
		users, err := svc.Users.Candidates(ctx, sess, domain.RoleSupport)
		if err != nil {
			return errorMsg{op: "load support collaborators", err: err}
		}
		if len(users) == 0 {
			return statusMsg{text: "there is no active support collaborator to assign", err: true}
		}
		items := make([]pickItem, 0, len(users)+1)
		for _, u := range users {
			n := "events"
			if u.UpcomingEvents == 1 {
				n = "event"
			}
			items = append(items, pickItem{id: u.ID, label: u.FullName,
				detail: fmt.Sprintf("%d upcoming %s", u.UpcomingEvents, n)})
		}
		if ev.SupportContactID != nil {
			items = append(items, pickItem{id: 0, label: "(nobody)", detail: "remove the support contact"})
		}
		return pushMsg{newPicker(e, title, "support", ev.ID, items)}
	}
}

// assignSupport saves the choice (id 0 = unassign).
func assignSupport(e *env, ev domain.Event, supportID int64, name string) tea.Cmd {
	svc, sess := e.svc, e.sess
	var sid *int64
	if supportID != 0 {
		sid = &supportID
	}
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		got, err := svc.Events.AssignSupport(ctx, sess, ev.ID, ev.Version, sid)
		return supportAssignedMsg{event: got, name: name, err: err}
	}
}

// assignedText is the status line after an assignment.
func assignedText(m supportAssignedMsg) string {
	ev := domain.StripControl(m.event.Name)
	if m.event.SupportContactID == nil {
		return "support removed from " + ev
	}
	return domain.StripControl(m.event.SupportContactName) + " now supports " + ev
}
