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
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Page[Client]{}, err
	}
	if err := CanRead(a, "client"); err != nil {
		return Page[Client]{}, s.c.deny(ctx, a, "client", 0, err)
	}
	if q, err = s.c.query("client", a, q); err != nil {
		return Page[Client]{}, err
	}
	p, err := s.c.store.Clients().List(ctx, q)
	return p, wrap("list clients", err)
}

// Get returns one client.
func (s *ClientService) Get(ctx context.Context, sess *Session, id int64) (Client, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Client{}, err
	}
	if err := CanRead(a, "client"); err != nil {
		return Client{}, s.c.hidden(ctx, a, "client", id, err)
	}
	cl, err := s.c.store.Clients().Get(ctx, id)
	return cl, wrap("get client", err)
}

// Detail returns a client with its contracts, events and history (each
// part only when the actor may read it).
func (s *ClientService) Detail(ctx context.Context, sess *Session, id int64) (ClientDetail, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return ClientDetail{}, err
	}
	if err := CanRead(a, "client"); err != nil {
		return ClientDetail{}, c.hidden(ctx, a, "client", id, err)
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

// Create adds a client. A sales creator becomes its sales contact.
func (s *ClientService) Create(ctx context.Context, sess *Session, in ClientInput) (Client, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Client{}, err
	}
	if err := CanCreateClient(a); err != nil {
		return Client{}, c.deny(ctx, a, "client", 0, err)
	}
	salesID := in.SalesContactID
	if a.Role == RoleSales {
		salesID = &a.ID
	} else if salesID != nil {
		if err := CanReassignClient(a, Client{}); err != nil {
			return Client{}, c.deny(ctx, a, "client", 0, err)
		}
	}
	cl, company, err := validateClient(in)
	if err != nil {
		return Client{}, err
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		if salesID != nil {
			u, err := salesContact(ctx, tx, *salesID)
			if err != nil {
				return err
			}
			cl.SalesContactID, cl.SalesContactName = &u.ID, u.FullName
		}
		if cl.CompanyID, cl.CompanyName, err = c.resolveCompany(ctx, tx, a, in.CompanyID, company); err != nil {
			return err
		}
		if err := tx.Clients().Create(ctx, &cl, a.ID); err != nil {
			return clientDupErr(err)
		}
		if saved, err := tx.Clients().Get(ctx, cl.ID); err == nil {
			cl = saved
		}
		return c.audit(ctx, tx, &a, "client.create", "client", cl.ID, clientChanges(Client{}, cl))
	})
	if err != nil {
		return Client{}, c.deny(ctx, a, "client", 0, wrap("create client", err))
	}
	return cl, nil
}

// loadClient reads a client for a permission check; a client the actor may
// not read is not found.
func (c *core) loadClient(ctx context.Context, a Actor, id int64) (Client, error) {
	if err := CanRead(a, "client"); err != nil {
		return Client{}, c.hidden(ctx, a, "client", id, err)
	}
	cl, err := c.store.Clients().Get(ctx, id)
	return cl, wrap("client", err)
}

// clientTx loads the client in tx, checks the version, applies change,
// saves and audits.
func (c *core) clientTx(ctx context.Context, a Actor, id, version int64, action string,
	change func(tx Store, cl *Client) error) (Client, error) {
	var out Client
	err := c.store.Tx(ctx, func(tx Store) error {
		cl, err := tx.Clients().Get(ctx, id)
		if err != nil {
			return err
		}
		if cl.Version != version {
			return conflict(cl.UpdatedBy, cl.UpdatedAt)
		}
		old := cl
		if err := change(tx, &cl); err != nil {
			return err
		}
		if err := tx.Clients().Update(ctx, &cl, a.ID); err != nil {
			if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
				if cur, gerr := tx.Clients().Get(ctx, id); gerr == nil {
					return conflict(cur.UpdatedBy, cur.UpdatedAt)
				}
			}
			return clientDupErr(err)
		}
		if saved, err := tx.Clients().Get(ctx, id); err == nil {
			cl = saved
		}
		out = cl
		return c.audit(ctx, tx, &a, action, "client", id, clientChanges(old, cl))
	})
	return out, err
}

// Update edits a client.
func (s *ClientService) Update(ctx context.Context, sess *Session, id, version int64, in ClientInput) (Client, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Client{}, err
	}
	cur, err := c.loadClient(ctx, a, id)
	if err != nil {
		return Client{}, err
	}
	if err := CanUpdateClient(a, cur); err != nil {
		return Client{}, c.deny(ctx, a, "client", id, err)
	}
	reassign := in.SalesContactID != nil && !sameID(in.SalesContactID, cur.SalesContactID)
	if reassign {
		if err := CanReassignClient(a, cur); err != nil {
			return Client{}, c.deny(ctx, a, "client", id, err)
		}
	}
	nc, company, err := validateClient(in)
	if err != nil {
		return Client{}, err
	}
	out, err := c.clientTx(ctx, a, id, version, "client.update", func(tx Store, cl *Client) error {
		// Re-check against the record as it is in this transaction.
		if err := CanUpdateClient(a, *cl); err != nil {
			return err
		}
		if reassign {
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
		return nil
	})
	if err != nil {
		return Client{}, c.deny(ctx, a, "client", id, wrap("update client", err))
	}
	return out, nil
}

// Reassign changes a client's sales contact.
func (s *ClientService) Reassign(ctx context.Context, sess *Session, id, version int64, salesID int64) (Client, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Client{}, err
	}
	cur, err := c.loadClient(ctx, a, id)
	if err != nil {
		return Client{}, err
	}
	if err := CanReassignClient(a, cur); err != nil {
		return Client{}, c.deny(ctx, a, "client", id, err)
	}
	out, err := c.clientTx(ctx, a, id, version, "client.reassign", func(tx Store, cl *Client) error {
		u, err := salesContact(ctx, tx, salesID)
		if err != nil {
			return err
		}
		cl.SalesContactID, cl.SalesContactName = &u.ID, u.FullName
		return nil
	})
	if err != nil {
		return Client{}, wrap("reassign client", err)
	}
	return out, nil
}

// Delete removes a client without signed contracts, with its draft
// contracts.
func (s *ClientService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	cur, err := c.loadClient(ctx, a, id)
	if err != nil {
		return err
	}
	if err := CanDeleteClient(a, cur); err != nil {
		return c.deny(ctx, a, "client", id, err)
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		cl, err := tx.Clients().Get(ctx, id)
		if err != nil {
			return err
		}
		n, err := tx.Contracts().CountSigned(ctx, id)
		if err != nil {
			return err
		}
		if n > 0 {
			return Invalid("", "this client has "+plural(n, "signed contract")+" and cannot be deleted")
		}
		drafts, err := allContracts(ctx, tx, id)
		if err != nil {
			return err
		}
		for _, k := range drafts {
			if err := tx.Contracts().Delete(ctx, k.ID); err != nil {
				return err
			}
			if err := c.audit(ctx, tx, &a, "contract.delete", "contract", k.ID, contractChanges(k, Contract{})); err != nil {
				return err
			}
		}
		if err := tx.Clients().Delete(ctx, id); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "client.delete", "client", id, clientChanges(cl, Client{}))
	})
	return wrap("delete client", err)
}
