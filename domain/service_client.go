package domain

import (
	"context"
	"errors"
)

// ClientService manages clients.
type ClientService struct{ c *core }

// ClientInput is the editable part of a client.
type ClientInput struct {
	FullName, Email, Phone string
	CompanyID              *int64 // an existing company, or
	CompanyName            string // found case-insensitively or created in passing ("" and nil = none)
	// SalesContactID: on create, used when the creator is not in sales (a
	// sales creator always becomes the contact); on update, nil = unchanged
	// and a different id needs client:reassign, like Reassign.
	SalesContactID *int64
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
	a, err := s.c.see(ctx, sess, "client", 0)
	if err != nil {
		return Page[Client]{}, err
	}
	if q, err = s.c.query("client", a, q); err != nil {
		return Page[Client]{}, err
	}
	p, err := s.c.store.Clients().List(ctx, q)
	return p, wrap("list clients", err)
}

// Get returns one client.
func (s *ClientService) Get(ctx context.Context, sess *Session, id int64) (Client, error) {
	if _, err := s.c.see(ctx, sess, "client", id); err != nil {
		return Client{}, err
	}
	cl, err := s.c.store.Clients().Get(ctx, id)
	return cl, wrap("get client", err)
}

// Detail returns a client with its contracts, events and history (each
// part only when the actor may read it).
func (s *ClientService) Detail(ctx context.Context, sess *Session, id int64) (ClientDetail, error) {
	c := s.c
	a, err := c.see(ctx, sess, "client", id)
	if err != nil {
		return ClientDetail{}, err
	}
	var d ClientDetail
	if d.Client, err = c.store.Clients().Get(ctx, id); err != nil {
		return ClientDetail{}, wrap("get client", err)
	}
	if a.Allowed("contract", "read", Scope{}) {
		if d.Contracts, err = allContracts(ctx, c.store, id); err != nil {
			return ClientDetail{}, wrap("get client", err)
		}
	}
	if a.Allowed("event", "read", Scope{}) {
		p, err := c.store.Events().List(ctx, ListQuery{ClientID: &id, Sort: SortStart, Limit: 500, ActorID: a.ID, Now: c.now()})
		if err != nil {
			return ClientDetail{}, wrap("get client", err)
		}
		d.Events = p.Items
	}
	if d.History, err = c.history(ctx, "client", id); err != nil {
		return ClientDetail{}, err
	}
	return d, nil
}

// history reads a record's audit entries, newest first.
func (c *core) history(ctx context.Context, entity string, id int64) ([]AuditEntry, error) {
	p, err := c.store.Audit().List(ctx, ListQuery{Entity: entity, EntityID: id, Sort: SortAt, Limit: 200, Now: c.now()})
	if err != nil {
		return nil, wrap("read history", err)
	}
	return p.Items, nil
}

// allContracts lists every contract of a client.
func allContracts(ctx context.Context, st Store, clientID int64) ([]Contract, error) {
	var out []Contract
	q := ListQuery{ClientID: &clientID, Sort: SortCreated, Limit: 500}
	for {
		p, err := st.Contracts().List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.Next == "" {
			return out, nil
		}
		q.After = p.Next
	}
}

// validateClient cleans a client's input.
func validateClient(in ClientInput) (Client, string, error) {
	f := &form{}
	cl := Client{
		FullName: f.text("full_name", in.FullName, true, "the client's full name", 200),
		Email:    f.email("email", in.Email),
		Phone:    f.phone("phone", in.Phone),
	}
	company := f.text("company", in.CompanyName, false, "", 200)
	return cl, company, f.err()
}

// salesContact checks that id is an active sales collaborator.
func salesContact(ctx context.Context, tx Store, id int64) (User, error) {
	u, err := tx.Users().Get(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return User{}, Invalid("sales_contact", "this collaborator no longer exists: choose another")
	}
	if err != nil {
		return User{}, err
	}
	if !u.Active || u.Role != RoleSales {
		return User{}, Invalid("sales_contact", "choose an active collaborator of the sales department")
	}
	return u, nil
}

func clientDupErr(err error) error {
	if errors.Is(err, ErrDuplicate) {
		return Invalid("email", "a client with this email already exists")
	}
	return err
}

func clientChanges(old, cl Client) []Change {
	var ch changes
	ch.add("full_name", old.FullName, cl.FullName)
	ch.add("email", old.Email, cl.Email)
	ch.add("phone", old.Phone, cl.Phone)
	ch.add("company", old.CompanyName, cl.CompanyName)
	ch.add("sales_contact", old.SalesContactName, cl.SalesContactName)
	return ch
}

// Create adds a client. A sales creator becomes its sales contact;
// anyone else choosing the contact needs client:reassign.
func (s *ClientService) Create(ctx context.Context, sess *Session, in ClientInput) (Client, error) {
	c := s.c
	var (
		cl      Client
		company string
	)
	_, err := c.run(ctx, sess, op{action: ActClientCreate, in: clientIn{salesID: in.SalesContactID},
		prepare: func(Actor, subject) error {
			var err error
			cl, company, err = validateClient(in)
			return err
		},
		change: func(tx Store, a Actor, _ subject) error {
			salesID := in.SalesContactID
			if a.Role == RoleSales {
				salesID = &a.ID
			}
			if salesID != nil {
				u, err := salesContact(ctx, tx, *salesID)
				if err != nil {
					return err
				}
				cl.SalesContactID, cl.SalesContactName = &u.ID, u.FullName
			}
			var err error
			if cl.CompanyID, cl.CompanyName, err = c.resolveCompany(ctx, tx, a, in.CompanyID, company); err != nil {
				return err
			}
			if err := tx.Clients().Create(ctx, &cl, a.ID); err != nil {
				return clientDupErr(err)
			}
			if saved, err := tx.Clients().Get(ctx, cl.ID); err == nil {
				cl = saved
			}
			return c.audit(ctx, tx, &a, ActClientCreate, "client", cl.ID, clientLabel(cl), clientChanges(Client{}, cl))
		}})
	if err != nil {
		return Client{}, wrap("create client", err)
	}
	return cl, nil
}

// saveClient saves cl over old (as read in tx, at the version the caller
// read), and audits action with what changed. Nothing changed: ErrNoChange
// and nothing written.
func (c *core) saveClient(ctx context.Context, tx Store, a Actor, old, cl Client, version int64, action string) (Client, error) {
	if old.Version != version {
		return Client{}, conflict(old.UpdatedBy, old.UpdatedAt)
	}
	if len(clientChanges(old, cl)) == 0 {
		return old, ErrNoChange
	}
	if err := tx.Clients().Update(ctx, &cl, a.ID); err != nil {
		if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
			if cur, gerr := tx.Clients().Get(ctx, old.ID); gerr == nil {
				return Client{}, conflict(cur.UpdatedBy, cur.UpdatedAt)
			}
		}
		return Client{}, clientDupErr(err)
	}
	if saved, err := tx.Clients().Get(ctx, old.ID); err == nil {
		cl = saved
	}
	return cl, c.audit(ctx, tx, &a, action, "client", old.ID, clientLabel(cl), clientChanges(old, cl))
}

// Update edits a client. Changing the sales contact is a reassignment
// (client:reassign), audited as client.reassign with the other changed
// fields in the same entry. A save that changes nothing answers
// ErrNoChange with the client as stored.
func (s *ClientService) Update(ctx context.Context, sess *Session, id, version int64, in ClientInput) (Client, error) {
	c := s.c
	action := ActClientUpdate
	cur, err := c.store.Clients().Get(ctx, id)
	if err == nil && in.SalesContactID != nil && !sameID(in.SalesContactID, cur.SalesContactID) {
		action = ActClientReassign
	}
	var (
		nc      Client
		company string
		out     Client
	)
	_, err = c.run(ctx, sess, op{action: action, id: id, in: clientIn{fields: true},
		prepare: func(Actor, subject) error {
			var err error
			nc, company, err = validateClient(in)
			return err
		},
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Client)
			cl := old
			if action == ActClientReassign {
				u, err := salesContact(ctx, tx, *in.SalesContactID)
				if err != nil {
					return err
				}
				cl.SalesContactID, cl.SalesContactName = &u.ID, u.FullName
			}
			var err error
			if cl.CompanyID, cl.CompanyName, err = c.resolveCompany(ctx, tx, a, in.CompanyID, company); err != nil {
				return err
			}
			cl.FullName, cl.Email, cl.Phone = nc.FullName, nc.Email, nc.Phone
			out, err = c.saveClient(ctx, tx, a, old, cl, version, action)
			return err
		}})
	if err != nil {
		return out, wrap("update client", err)
	}
	return out, nil
}

// Reassign changes a client's sales contact (client:reassign).
func (s *ClientService) Reassign(ctx context.Context, sess *Session, id, version int64, salesID int64) (Client, error) {
	c := s.c
	var out Client
	_, err := c.run(ctx, sess, op{action: ActClientReassign, id: id, in: clientIn{},
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Client)
			u, err := salesContact(ctx, tx, salesID)
			if err != nil {
				return err
			}
			cl := old
			cl.SalesContactID, cl.SalesContactName = &u.ID, u.FullName
			out, err = c.saveClient(ctx, tx, a, old, cl, version, ActClientReassign)
			return err
		}})
	if err != nil {
		return out, wrap("reassign client", err)
	}
	return out, nil
}

// Delete removes a client without signed contracts, with its draft
// contracts.
func (s *ClientService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	_, err := c.run(ctx, sess, op{action: ActClientDelete, id: id,
		change: func(tx Store, a Actor, s subject) error {
			cl := s.rec.(Client)
			drafts, err := allContracts(ctx, tx, id)
			if err != nil {
				return err
			}
			for _, k := range drafts {
				if err := tx.Contracts().Delete(ctx, k.ID); err != nil {
					return err
				}
				if err := c.audit(ctx, tx, &a, ActContractDelete, "contract", k.ID, contractSearchLabel(k), contractChanges(k, Contract{})); err != nil {
					return err
				}
			}
			if err := tx.Clients().Delete(ctx, id); err != nil {
				return err
			}
			return c.audit(ctx, tx, &a, ActClientDelete, "client", id, s.label, clientChanges(cl, Client{}))
		}})
	return wrap("delete client", err)
}
