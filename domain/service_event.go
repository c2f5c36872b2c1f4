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
	if in.Attendees < 0 {
		f.add("attendees", "enter zero or more attendees")
	}
	if update && in.Status != "" && !slices.Contains(EventStatuses, in.Status) {
		f.add("status", "choose planned, confirmed, done or cancelled")
	}
	return e, f.err()
}

// List returns one page of events.
func (s *EventService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Event], error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Page[Event]{}, err
	}
	if err := CanRead(a, "event"); err != nil {
		return Page[Event]{}, s.c.deny(ctx, a, "event", 0, err)
	}
	if q, err = s.c.query("event", a, q); err != nil {
		return Page[Event]{}, err
	}
	p, err := s.c.store.Events().List(ctx, q)
	return p, wrap("list events", err)
}

// loadEvent reads an event for a permission check; one the actor may not
// read is not found.
func (c *core) loadEvent(ctx context.Context, a Actor, id int64) (Event, error) {
	if err := CanRead(a, "event"); err != nil {
		return Event{}, c.hidden(ctx, a, "event", id, err)
	}
	e, err := c.store.Events().Get(ctx, id)
	return e, wrap("event", err)
}

// Get returns one event.
func (s *EventService) Get(ctx context.Context, sess *Session, id int64) (Event, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Event{}, err
	}
	return s.c.loadEvent(ctx, a, id)
}

// Detail returns an event with its contract and history.
func (s *EventService) Detail(ctx context.Context, sess *Session, id int64) (EventDetail, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return EventDetail{}, err
	}
	var d EventDetail
	if d.Event, err = c.loadEvent(ctx, a, id); err != nil {
		return EventDetail{}, err
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

// Create adds the event of a signed contract (one per contract).
func (s *EventService) Create(ctx context.Context, sess *Session, in EventInput) (Event, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Event{}, err
	}
	if in.ContractID == 0 {
		if err := CanCreateEvent(a, Contract{}); err != nil {
			return Event{}, c.deny(ctx, a, "event", 0, err)
		}
		return Event{}, Invalid("contract", "choose the signed contract of the event")
	}
	k, err := c.loadContract(ctx, a, in.ContractID)
	if err != nil {
		return Event{}, err
	}
	if err := CanCreateEvent(a, k); err != nil {
		return Event{}, c.deny(ctx, a, "event", 0, err)
	}
	e, err := validateEvent(in, false)
	if err != nil {
		return Event{}, err
	}
	var out Event
	err = c.store.Tx(ctx, func(tx Store) error {
		k, err := tx.Contracts().Get(ctx, in.ContractID)
		if err != nil {
			return err
		}
		if err := CanCreateEvent(a, k); err != nil {
			return err
		}
		if k.Status != ContractSigned {
			return Invalid("contract", "the contract must be signed before its event is created")
		}
		errHasEvent := Invalid("contract", "this contract already has an event")
		if _, err := tx.Events().GetByContract(ctx, k.ID); err == nil {
			return errHasEvent
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		e.ContractID, e.ClientID, e.Status = k.ID, k.ClientID, EventPlanned
		if err := tx.Events().Create(ctx, &e, a.ID); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return errHasEvent
			}
			return err
		}
		if e, err = tx.Events().Get(ctx, e.ID); err != nil {
			return err
		}
		out = e
		return c.audit(ctx, tx, &a, "event.create", "event", e.ID, eventChanges(Event{}, e))
	})
	if err != nil {
		return Event{}, c.deny(ctx, a, "event", 0, wrap("create event", err))
	}
	return out, nil
}

// eventTx loads the event in tx, checks the version, applies change, saves
// and audits.
func (c *core) eventTx(ctx context.Context, a Actor, id, version int64, action string,
	change func(tx Store, e *Event) error) (Event, error) {
	var out Event
	err := c.store.Tx(ctx, func(tx Store) error {
		e, err := tx.Events().Get(ctx, id)
		if err != nil {
			return err
		}
		if e.Version != version {
			return conflict(e.UpdatedBy, e.UpdatedAt)
		}
		old := e
		if err := change(tx, &e); err != nil {
			return err
		}
		if err := tx.Events().Update(ctx, &e, a.ID); err != nil {
			if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
				if cur, gerr := tx.Events().Get(ctx, id); gerr == nil {
					return conflict(cur.UpdatedBy, cur.UpdatedAt)
				}
			}
			return err
		}
		if e, err = tx.Events().Get(ctx, id); err != nil {
			return err
		}
		out = e
		return c.audit(ctx, tx, &a, action, "event", id, eventChanges(old, e))
	})
	return out, err
}

// Update edits an event (support moves its status along).
func (s *EventService) Update(ctx context.Context, sess *Session, id, version int64, in EventInput) (Event, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Event{}, err
	}
	cur, err := c.loadEvent(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	if err := CanUpdateEvent(a, cur); err != nil {
		return Event{}, c.deny(ctx, a, "event", id, err)
	}
	ne, err := validateEvent(in, true)
	if err != nil {
		return Event{}, err
	}
	out, err := c.eventTx(ctx, a, id, version, "event.update", func(tx Store, e *Event) error {
		if err := CanUpdateEvent(a, *e); err != nil {
			return err
		}
		e.Name, e.Location, e.Notes = ne.Name, ne.Location, ne.Notes
		e.Start, e.End, e.Attendees = ne.Start, ne.End, ne.Attendees
		if ne.Status != "" {
			e.Status = ne.Status
		}
		return nil
	})
	if err != nil {
		return Event{}, c.deny(ctx, a, "event", id, wrap("update event", err))
	}
	return out, nil
}

// AssignSupport sets or clears (nil) the support contact, who must be an
// active support collaborator.
func (s *EventService) AssignSupport(ctx context.Context, sess *Session, id, version int64, supportID *int64) (Event, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Event{}, err
	}
	cur, err := c.loadEvent(ctx, a, id)
	if err != nil {
		return Event{}, err
	}
	if err := CanAssignSupport(a, cur); err != nil {
		return Event{}, c.deny(ctx, a, "event", id, err)
	}
	out, err := c.eventTx(ctx, a, id, version, "event.assign_support", func(tx Store, e *Event) error {
		if supportID == nil {
			e.SupportContactID, e.SupportContactName = nil, ""
			return nil
		}
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
		return nil
	})
	if err != nil {
		return Event{}, wrap("assign support", err)
	}
	return out, nil
}

// Delete removes an event.
func (s *EventService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	cur, err := c.loadEvent(ctx, a, id)
	if err != nil {
		return err
	}
	if err := CanDeleteEvent(a, cur); err != nil {
		return c.deny(ctx, a, "event", id, err)
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		e, err := tx.Events().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.Events().Delete(ctx, id); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "event.delete", "event", id, eventChanges(e, Event{}))
	})
	return wrap("delete event", err)
}
