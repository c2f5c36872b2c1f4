package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// subject is the record an action is about, as the decision sees it.
type subject struct {
	entity string // audit entity: client, contract, event, user, company, role
	id     int64
	label  string // what the audit search finds it by (names, emails, numbers)
	rec    any    // Client, Contract, Event, User, Company, or nil (creates)
}

// op is one action through the authorization path.
type op struct {
	action string
	id     int64 // the record the action is about (see the Act* constants)
	in     any   // the input, for the rules that depend on it; nil for May
	// prepare runs after a positive decision, outside the transaction:
	// validation and slow work (password hashing). Its error is returned.
	prepare func(a Actor, s subject) error
	// change runs in one transaction with the record as the transaction
	// reads it, after the decision is taken again there (so a record that
	// changed hands meanwhile is refused, and audited, all the same). It
	// writes the change and its audit entry. nil = only decide (May).
	change func(tx Store, a Actor, s subject) error
}

// run is the one authorization path every action takes: session → actor
// → load the target (a record the actor may not read is not found) →
// decide (the grant, and the rules no grant lifts) → on refusal one
// <action>.denied audit row and the *Refusal; on success the change and its
// audit entry in one transaction.
func (c *core) run(ctx context.Context, sess *Session, o op) (Actor, error) {
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Actor{}, err
	}
	s, err := c.load(ctx, c.store, a, o.action, o.id, true)
	if err != nil {
		return a, err
	}
	r, err := c.decide(ctx, c.store, a, o.action, s, o.in)
	if err != nil {
		return a, wrap(o.action, err)
	}
	if r != nil {
		return a, c.refuse(ctx, a, o.action, s, r)
	}
	if o.prepare != nil {
		if err := o.prepare(a, s); err != nil {
			if errors.As(err, &r) {
				return a, c.refuse(ctx, a, o.action, s, r)
			}
			return a, err
		}
	}
	if o.change == nil {
		return a, nil
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		s, err := c.load(ctx, tx, a, o.action, o.id, false)
		if err != nil {
			return err
		}
		r, err := c.decide(ctx, tx, a, o.action, s, o.in)
		if err != nil {
			return err
		}
		if r != nil {
			return r
		}
		return o.change(tx, a, s)
	})
	if errors.As(err, &r) {
		return a, c.refuse(ctx, a, o.action, s, r)
	}
	return a, err
}

// see is the path of a read: the actor and their read grant on resource.
// A refused read of one record (id != 0) answers ErrNotFound, so a record
// one may not see looks like one that does not exist.
func (c *core) see(ctx context.Context, sess *Session, resource string, id int64) (Actor, error) {
	a, err := c.run(ctx, sess, op{action: resource + ".read", id: id})
	var r *Refusal
	if id != 0 && errors.As(err, &r) {
		return a, fmt.Errorf("%s %d: %w", resource, id, ErrNotFound)
	}
	return a, err
}

// isRead reports whether action is a read (resource.read).
func isRead(action string) bool { return strings.HasSuffix(action, ".read") }

// loadKind names the kind of record an action's id refers to ("" = none).
func loadKind(action string) string {
	switch action {
	case ActClientUpdate, ActClientReassign, ActClientDelete, ActContractCreate:
		return "client"
	case ActContractUpdate, ActContractSign, ActContractDelete, ActPaymentCreate, ActEventCreate:
		return "contract"
	case ActEventUpdate, ActEventAssignSupport, ActEventDelete:
		return "event"
	case ActUserUpdate, ActUserDeactivate, ActUserReactivate, ActUserDelete, ActUserResetPassword:
		return "user"
	case ActCompanyUpdate:
		return "company"
	}
	return ""
}

// load reads the record an action is about. With check, a record the actor
// may not read is not found, and the refused read is audited.
func (c *core) load(ctx context.Context, st Store, a Actor, action string, id int64, check bool) (subject, error) {
	kind := loadKind(action)
	if kind == "" {
		res, _, _ := strings.Cut(action, ".")
		return subject{entity: res, id: id}, nil
	}
	if check {
		if r := permit(a, kind+".read", nil); r != nil {
			_ = c.refuse(ctx, a, r.Action, subject{entity: kind, id: id}, r)
			return subject{}, fmt.Errorf("%s %d: %w", kind, id, ErrNotFound)
		}
	}
	s := subject{entity: kind, id: id}
	var err error
	switch kind {
	case "client":
		var cl Client
		cl, err = st.Clients().Get(ctx, id)
		s.rec, s.label = cl, clientLabel(cl)
	case "contract":
		var k Contract
		k, err = st.Contracts().Get(ctx, id)
		s.rec, s.label = k, contractSearchLabel(k)
	case "event":
		var e Event
		e, err = st.Events().Get(ctx, id)
		s.rec, s.label = e, eventLabel(e)
	case "user":
		var u User
		u, err = st.Users().Get(ctx, id)
		u.PasswordHash = ""
		s.rec, s.label = u, userLabel(u)
	case "company":
		var co Company
		co, err = st.Companies().Get(ctx, id)
		s.rec, s.label = co, co.Name
	}
	if err != nil {
		return subject{}, wrap(kind, err)
	}
	return s, nil
}

// Labels are what the audit log's search finds a record by.
func clientLabel(c Client) string { return joinLabel(c.FullName, c.Email) }

func contractSearchLabel(k Contract) string {
	return joinLabel("contract #"+itoa(k.ID), k.ClientName)
}

func eventLabel(e Event) string { return joinLabel(e.Name, e.ClientName) }

func userLabel(u User) string { return joinLabel(u.FullName, u.Email, u.EmployeeNo) }

func joinLabel(parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, " · ")
}

// clientIn is the input of a client action, for the rules that need it.
type clientIn struct {
	salesID *int64 // the sales contact asked for (create by a non-seller)
	fields  bool   // other fields change too (an update that reassigns)
}

// userIn is the department a collaborator's update asks for.
type userIn struct{ role Role }

// roleIn is the grant or revoke asked for.
type roleIn struct {
	role Role
	code string
}

// decide is the decision of an action on its subject: the grant and the
// rules no grant lifts. It reads through st (the transaction, when there
// is one) and writes nothing. in is nil when only asking (May).
func (c *core) decide(ctx context.Context, st Store, a Actor, action string, s subject, in any) (*Refusal, error) {
	r, err := c.rule(ctx, st, a, action, s, in)
	if err != nil || r == nil {
		return nil, err
	}
	if r.Reason == ReasonNoPermission {
		if h, err := c.holders(ctx, r.Action); err == nil {
			r = noPermission(a, r.Action, h)
		}
	}
	return r, nil
}

func (c *core) rule(ctx context.Context, st Store, a Actor, action string, s subject, in any) (*Refusal, error) {
	if isRead(action) {
		return permit(a, action, nil), nil
	}
	switch rec := s.rec.(type) {
	case Client:
		return c.clientRule(ctx, st, a, action, rec, in)
	case Contract:
		return contractRule(a, action, rec), nil
	case Event:
		return permit(a, action, rec), nil
	case User:
		return c.userRule(ctx, st, a, action, rec, in)
	}
	if r := permit(a, action, nil); r != nil {
		return r, nil
	}
	switch action {
	case ActClientCreate:
		if ci, ok := in.(clientIn); ok && ci.salesID != nil && a.Role != RoleSales {
			// Choosing someone else as the contact is a reassignment.
			return permit(a, ActClientReassign, Client{}), nil
		}
	case ActRoleRevoke:
		if ri, ok := in.(roleIn); ok && ri.role == RoleManagement && ri.code == "role:grant:any" {
			return &Refusal{Action: action, Reason: ReasonKeepGrant,
				Sentence: "management always keeps role:grant:any, so someone can always repair the permissions"}, nil
		}
	}
	return nil, nil
}

func (c *core) clientRule(ctx context.Context, st Store, a Actor, action string, cl Client, in any) (*Refusal, error) {
	if r := permit(a, action, cl); r != nil {
		return r, nil
	}
	switch action {
	case ActClientReassign:
		if ci, ok := in.(clientIn); ok && ci.fields {
			return permit(a, ActClientUpdate, cl), nil
		}
	case ActClientDelete:
		n, err := st.Contracts().CountSigned(ctx, cl.ID)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			return &Refusal{Action: action, Reason: ReasonSignedContracts,
				Sentence: cl.FullName + " has " + plural(n, "signed contract") + " and stays on the record: only a client without signed contracts can be deleted"}, nil
		}
	}
	return nil, nil
}

func (c *core) userRule(ctx context.Context, st Store, a Actor, action string, u User, in any) (*Refusal, error) {
	if r := permit(a, action, nil); r != nil {
		return r, nil
	}
	self := func(what string) *Refusal {
		return &Refusal{Action: action, Reason: ReasonSelf, Sentence: "you cannot " + what + " yourself: ask another manager"}
	}
	switch action {
	case ActUserUpdate:
		ui, ok := in.(userIn)
		if !ok || !ui.role.Valid() || ui.role == u.Role {
			return nil, nil
		}
		if u.ID == a.ID {
			return &Refusal{Action: action, Reason: ReasonSelf,
				Sentence: "you cannot move yourself to another department: ask another manager"}, nil
		}
		return lastManager(ctx, st, action, u, "moved to another department")
	case ActUserDeactivate:
		if u.ID == a.ID {
			return self("deactivate"), nil
		}
		return lastManager(ctx, st, action, u, "deactivated")
	case ActUserDelete:
		if u.ID == a.ID {
			return self("delete"), nil
		}
		if r, err := lastManager(ctx, st, action, u, "deleted"); r != nil || err != nil {
			return r, err
		}
		clients, err := st.Users().CountClients(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		events, err := st.Users().CountFutureEvents(ctx, u.ID, c.now())
		if err != nil {
			return nil, err
		}
		if clients > 0 || events > 0 {
			return &Refusal{Action: action, Reason: ReasonHasContacts, Sentence: contactsSentence(u, clients, events)}, nil
		}
	}
	return nil, nil
}

// contactsSentence says why a collaborator cannot be deleted, and what to
// do instead.
func contactsSentence(u User, clients, events int) string {
	var what []string
	if clients > 0 {
		what = append(what, "the sales contact of "+plural(clients, "client"))
	}
	if events > 0 {
		what = append(what, "the support contact of "+plural(events, "upcoming event"))
	}
	return fmt.Sprintf("%s is %s: reassign them first, or deactivate %s instead",
		u.FullName, strings.Join(what, " and "), u.FullName)
}

// lastManager refuses removing the last active manager.
func lastManager(ctx context.Context, st Store, action string, u User, what string) (*Refusal, error) {
	if u.Role != RoleManagement || !u.Active {
		return nil, nil
	}
	n, err := st.Users().CountActiveManagers(ctx)
	if err != nil {
		return nil, err
	}
	if n <= 1 {
		return &Refusal{Action: action, Reason: ReasonLastManager,
			Sentence: u.FullName + " is the last active manager and cannot be " + what + ": make someone else a manager first"}, nil
	}
	return nil, nil
}

// holders lists the departments holding any grant for action, as stored now.
func (c *core) holders(ctx context.Context, action string) ([]Role, error) {
	res, verb := grantOf(action)
	base := res + ":" + verb + ":"
	out := []Role{}
	for _, r := range Roles {
		codes, err := c.codes(ctx, r)
		if err != nil {
			return nil, err
		}
		for _, code := range codes {
			if strings.HasPrefix(code, base) {
				out = append(out, r)
				break
			}
		}
	}
	return out, nil
}

// refuse writes the one audit row of a refusal, <action>.denied with the
// actor, the target and the reason code (never a field's value), in its
// own transaction, and returns r. asked is the action the actor asked
// for: a refusal met on the way (a company created in passing) names no
// target of its own.
func (c *core) refuse(ctx context.Context, a Actor, asked string, s subject, r *Refusal) error {
	entity, id, label := s.entity, s.id, s.label
	if r.Action != asked && !isRead(r.Action) {
		res, _, _ := strings.Cut(r.Action, ".")
		if res != entity {
			entity, id, label = res, 0, ""
		}
	}
	err := c.store.Tx(ctx, func(tx Store) error {
		return c.audit(ctx, tx, &a, r.Action+".denied", entity, id, label, []Change{{Field: "reason", New: r.Reason}})
	})
	if err != nil {
		c.log.Error("audit refusal", "action", r.Action, "err", err)
	}
	c.log.Info("refused", "action", r.Action, "reason", r.Reason, "actor", a.ID, "entity", entity, "id", id)
	return r
}

// mayActions are the actions May answers for.
var mayActions = map[string]bool{
	ActClientCreate: true, ActClientUpdate: true, ActClientReassign: true, ActClientDelete: true,
	ActContractCreate: true, ActContractUpdate: true, ActContractSign: true, ActContractDelete: true,
	ActPaymentCreate: true, ActEventCreate: true, ActEventUpdate: true, ActEventAssignSupport: true,
	ActEventDelete: true, ActUserCreate: true, ActUserUpdate: true, ActUserDeactivate: true,
	ActUserReactivate: true, ActUserDelete: true, ActUserResetPassword: true, ActRoleGrant: true,
	ActRoleRevoke: true, ActCompanyCreate: true, ActCompanyUpdate: true,
}

// May answers whether the session may take action on the record id (see
// the Act* constants for what id is): the decision the action itself
// takes, without the change. A refusal is audited like the action's own
// and returned as a *Refusal; a record one may not see answers ErrNotFound.
// The UI asks before it opens a form, a confirmation or a picker.
func (s *Services) May(ctx context.Context, sess *Session, action string, id int64) error {
	if !mayActions[action] {
		return Invalid("action", "unknown action "+StripControl(action))
	}
	c := s.Sessions.c
	if action == ActContractCreate && id == 0 {
		// A new contract from the contracts list: its client is chosen
		// in the form. May the actor create one for some client (any,
		// or one of their own)? The save decides again on the client.
		a, err := c.actor(ctx, sess)
		if err != nil {
			return err
		}
		if a.Allowed("contract", "create", Scope{Own: true, OwnClient: true}) {
			return nil
		}
		return c.refuse(ctx, a, action, subject{entity: "contract"}, permit(a, action, nil))
	}
	_, err := c.run(ctx, sess, op{action: action, id: id})
	return err
}
