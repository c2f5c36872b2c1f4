package domain

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"
)

// EventService manages events.
type EventService struct{ c *core }

// EventInput is the editable part of an event.
type EventInput struct {
	ContractID            int64 // create only
	Name, Location, Notes string
	Start, End            time.Time
	Attendees             int
	Status                EventStatus // update only ("" = unchanged)
}

// EventDetail is an event with its contract and history.
type EventDetail struct {
	Event    Event
	Contract Contract
	History  []AuditEntry
}

func eventChanges(old, e Event) []Change {
	var ch changes
	ch.add("name", old.Name, e.Name)
	ch.add("start", timeText(old.Start), timeText(e.Start))
	ch.add("end", timeText(old.End), timeText(e.End))
	ch.add("location", old.Location, e.Location)
	if old.ID == 0 || e.ID == 0 || old.Attendees != e.Attendees {
		ch.add("attendees", attendeesText(old), attendeesText(e))
	}
	ch.add("notes", old.Notes, e.Notes)
	ch.add("status", string(old.Status), string(e.Status))
	if !sameID(old.SupportContactID, e.SupportContactID) {
		ch.add("support", old.SupportContactName, e.SupportContactName)
	}
	return ch
}

func attendeesText(e Event) string {
	if e.ID == 0 && e.Status == "" {
		return ""
	}
	return strconv.Itoa(e.Attendees)
}

// validateEvent cleans an event's input.
func validateEvent(in EventInput, update bool) (Event, error) {
	f := &form{}
	e := Event{
		Name:      f.text("name", in.Name, true, "the event's name", 200),
		Location:  f.text("location", in.Location, false, "", 300),
		Notes:     f.note("notes", in.Notes, 5000),
		Start:     in.Start.UTC(),
		End:       in.End.UTC(),
		Attendees: in.Attendees,
		Status:    in.Status,
	}
	if in.Start.IsZero() {
		f.add("start", "enter the start date and time")
	}
	if in.End.IsZero() {
		f.add("end", "enter the end date and time")
	}
	if !in.Start.IsZero() && !in.End.IsZero() && !in.End.After(in.Start) {
		f.add("end", "the end must be after the start")
	}
	switch {
	case in.Attendees < 0:
		f.add("attendees", "enter zero or more attendees")
	case in.Attendees > MaxAttendees:
		f.add("attendees", errAttendeesMax.Error())
	}
	if update && in.Status != "" && !slices.Contains(EventStatuses, in.Status) {
		f.add("status", "choose planned, confirmed, done or cancelled")
	}
	return e, f.err()
}

// List returns one page of events.
func (s *EventService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Event], error) {
	a, err := s.c.see(ctx, sess, "event", 0)
	if err != nil {
		return Page[Event]{}, err
	}
	if q, err = s.c.query("event", a, q); err != nil {
		return Page[Event]{}, err
	}
	p, err := s.c.store.Events().List(ctx, q)
	return p, wrap("list events", err)
}

// Get returns one event.
func (s *EventService) Get(ctx context.Context, sess *Session, id int64) (Event, error) {
	if _, err := s.c.see(ctx, sess, "event", id); err != nil {
		return Event{}, err
	}
	e, err := s.c.store.Events().Get(ctx, id)
	return e, wrap("event", err)
}

// Detail returns an event with its contract and history.
func (s *EventService) Detail(ctx context.Context, sess *Session, id int64) (EventDetail, error) {
	c := s.c
	a, err := c.see(ctx, sess, "event", id)
	if err != nil {
		return EventDetail{}, err
	}
	var d EventDetail
	if d.Event, err = c.store.Events().Get(ctx, id); err != nil {
		return EventDetail{}, wrap("event", err)
	}
	if a.Allowed("contract", "read", Scope{}) {
		if d.Contract, err = c.store.Contracts().Get(ctx, d.Event.ContractID); err != nil {
			return EventDetail{}, wrap("event contract", err)
		}
	}
	if d.History, err = c.history(ctx, "event", id); err != nil {
		return EventDetail{}, err
	}
	return d, nil
}

// Create adds the event of in.ContractID, a signed contract (one event
// per contract).
func (s *EventService) Create(ctx context.Context, sess *Session, in EventInput) (Event, error) {
	c := s.c
	if in.ContractID == 0 {
		if _, err := c.actor(ctx, sess); err != nil {
			return Event{}, err
		}
		return Event{}, Invalid("contract", "choose the signed contract of the event")
	}
	var e Event
	_, err := c.run(ctx, sess, op{action: ActEventCreate, id: in.ContractID,
		prepare: func(Actor, subject) error {
			var err error
			e, err = validateEvent(in, false)
			return err
		},
		change: func(tx Store, a Actor, s subject) error {
			k := s.rec.(Contract)
			e.ContractID, e.ClientID, e.Status = k.ID, k.ClientID, EventPlanned
			if err := tx.Events().Create(ctx, &e, a.ID); err != nil {
				if errors.Is(err, ErrDuplicate) {
					return &Refusal{Action: ActEventCreate, Reason: ReasonContractHasEvent, Sentence: contractLabel(k) + " already has its event"}
				}
				return err
			}
			var err error
			if e, err = tx.Events().Get(ctx, e.ID); err != nil {
				return err
			}
			return c.audit(ctx, tx, &a, ActEventCreate, "event", e.ID, eventLabel(e), eventChanges(Event{}, e))
		}})
	if err != nil {
		return Event{}, wrap("create event", err)
	}
	return e, nil
}

// saveEvent saves e over old (as read in tx, at the version the caller
// read) and audits action. Nothing changed: ErrNoChange, nothing written.
func (c *core) saveEvent(ctx context.Context, tx Store, a Actor, old, e Event, version int64, action string) (Event, error) {
	if old.Version != version {
		return Event{}, conflict(old.UpdatedBy, old.UpdatedAt)
	}
	if len(eventChanges(old, e)) == 0 {
		return old, ErrNoChange
	}
	if err := tx.Events().Update(ctx, &e, a.ID); err != nil {
		if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
			if cur, gerr := tx.Events().Get(ctx, old.ID); gerr == nil {
				return Event{}, conflict(cur.UpdatedBy, cur.UpdatedAt)
			}
		}
		return Event{}, err
	}
	e, err := tx.Events().Get(ctx, old.ID)
	if err != nil {
		return Event{}, err
	}
	return e, c.audit(ctx, tx, &a, action, "event", old.ID, eventLabel(e), eventChanges(old, e))
}

// Update edits an event (support moves its status along). A save that
// changes nothing answers ErrNoChange with the event as stored.
func (s *EventService) Update(ctx context.Context, sess *Session, id, version int64, in EventInput) (Event, error) {
	c := s.c
	var (
		ne  Event
		out Event
	)
	_, err := c.run(ctx, sess, op{action: ActEventUpdate, id: id,
		prepare: func(Actor, subject) error {
			var err error
			ne, err = validateEvent(in, true)
			return err
		},
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Event)
			e := old
			e.Name, e.Location, e.Notes = ne.Name, ne.Location, ne.Notes
			e.Start, e.End, e.Attendees = ne.Start, ne.End, ne.Attendees
			if ne.Status != "" {
				e.Status = ne.Status
			}
			var err error
			out, err = c.saveEvent(ctx, tx, a, old, e, version, ActEventUpdate)
			return err
		}})
	if err != nil {
		return out, wrap("update event", err)
	}
	return out, nil
}

// AssignSupport sets or clears (nil) the support contact, who must be an
// active support collaborator.
func (s *EventService) AssignSupport(ctx context.Context, sess *Session, id, version int64, supportID *int64) (Event, error) {
	c := s.c
	var out Event
	_, err := c.run(ctx, sess, op{action: ActEventAssignSupport, id: id,
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Event)
			e := old
			if supportID == nil {
				e.SupportContactID, e.SupportContactName = nil, ""
			} else {
				u, err := tx.Users().Get(ctx, *supportID)
				if errors.Is(err, ErrNotFound) {
					return Invalid("support", "this collaborator no longer exists: choose another")
				}
				if err != nil {
					return err
				}
				if !u.Active || u.Role != RoleSupport {
					return Invalid("support", "choose an active collaborator of the support department")
				}
				e.SupportContactID, e.SupportContactName = &u.ID, u.FullName
			}
			var err error
			out, err = c.saveEvent(ctx, tx, a, old, e, version, ActEventAssignSupport)
			return err
		}})
	if err != nil {
		return out, wrap("assign support", err)
	}
	return out, nil
}

// Delete removes an event.
func (s *EventService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	_, err := c.run(ctx, sess, op{action: ActEventDelete, id: id,
		change: func(tx Store, a Actor, s subject) error {
			e := s.rec.(Event)
			if err := tx.Events().Delete(ctx, id); err != nil {
				return err
			}
			return c.audit(ctx, tx, &a, ActEventDelete, "event", id, s.label, eventChanges(e, Event{}))
		}})
	return wrap("delete event", err)
}
