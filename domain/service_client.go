package domain

import "context"

// ClientService manages clients.
type ClientService struct{ c *core }

// ClientInput is the editable part of a client.
type ClientInput struct {
	FullName, Email, Phone string
	CompanyID              *int64 // an existing company, or
	CompanyName            string // found case-insensitively or created in passing ("" and nil = none)
	SalesContactID         *int64 // create/update by management only; ignored for sales (creator is the contact)
}

// ClientDetail is a client with its related records and history.
type ClientDetail struct {
	Client    Client
	Contracts []Contract
	Events    []Event
	History   []AuditEntry
}

// List returns one page of clients.
func (s *ClientService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Client], error) {
	return Page[Client]{}, errPending
}

// Get returns one client.
func (s *ClientService) Get(ctx context.Context, sess *Session, id int64) (Client, error) {
	return Client{}, errPending
}

// Detail returns a client with its contracts, events and history.
func (s *ClientService) Detail(ctx context.Context, sess *Session, id int64) (ClientDetail, error) {
	return ClientDetail{}, errPending
}

// Create adds a client.
func (s *ClientService) Create(ctx context.Context, sess *Session, in ClientInput) (Client, error) {
	return Client{}, errPending
}

// Update edits a client.
func (s *ClientService) Update(ctx context.Context, sess *Session, id, version int64, in ClientInput) (Client, error) {
	return Client{}, errPending
}

// Reassign changes a client's sales contact.
func (s *ClientService) Reassign(ctx context.Context, sess *Session, id, version int64, salesID int64) (Client, error) {
	return Client{}, errPending
}

// Delete removes a client without signed contracts.
func (s *ClientService) Delete(ctx context.Context, sess *Session, id int64) error { return errPending }
