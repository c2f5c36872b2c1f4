package domain

import (
	"context"
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

// List returns one page of events.
func (s *EventService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Event], error) {
	return Page[Event]{}, errPending
}

// Get returns one event.
func (s *EventService) Get(ctx context.Context, sess *Session, id int64) (Event, error) {
	return Event{}, errPending
}

// Detail returns an event with its contract and history.
func (s *EventService) Detail(ctx context.Context, sess *Session, id int64) (EventDetail, error) {
	return EventDetail{}, errPending
}

// Create adds the event of a signed contract.
func (s *EventService) Create(ctx context.Context, sess *Session, in EventInput) (Event, error) {
	return Event{}, errPending
}

// Update edits an event.
func (s *EventService) Update(ctx context.Context, sess *Session, id, version int64, in EventInput) (Event, error) {
	return Event{}, errPending
}

// AssignSupport sets or clears (nil) the support contact.
func (s *EventService) AssignSupport(ctx context.Context, sess *Session, id, version int64, supportID *int64) (Event, error) {
	return Event{}, errPending
}

// Delete removes an event.
func (s *EventService) Delete(ctx context.Context, sess *Session, id int64) error { return errPending }
