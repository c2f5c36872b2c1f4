package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Notification kinds.
const (
	NoteSupportAssigned   = "support.assigned"   // you now support an event
	NoteSupportUnassigned = "support.unassigned" // you no longer support an event
	NoteEventChanged      = "event.changed"      // an event you support changed
	NoteContractSigned    = "contract.signed"    // a contract of your client was signed
	NoteContractPaid      = "contract.paid"      // a contract of your client is paid in full
	NoteClientAssigned    = "client.assigned"    // a client is now yours
	NoteClientUnassigned  = "client.unassigned"  // a client was reassigned away from you
	NoteEventNoSupport    = "event.no_support"   // management: an event of the next 7 days has no support
)

// SoonWithoutSupport is how far ahead management is told of an event that
// still has no support contact.
const SoonWithoutSupport = 7 * 24 * time.Hour

// Notification is one line of a user's inbox. It keeps what the sentence
// needs as it was when written (the event may be renamed later; the line
// still says what happened), and the record to open.
type Notification struct {
	ID       int64
	UserID   int64 // the recipient
	At       time.Time
	Kind     string // one of the Note* constants
	Entity   string // client, contract or event: the record enter opens
	EntityID int64
	Subject  string     // the event's or client's name
	When     *time.Time // the event's start, when the subject is an event
	ByID     *int64
	ByName   string // who made the change
	Detail   string // what changed (field names), or the new sales contact
	ReadAt   *time.Time
	// Dedupe, when not empty, makes a second notification with the same
	// key for the same user a no-op (the "no support yet" reminder).
	Dedupe string
}

// Sentence is the notification in the user's words, times in loc.
func (n Notification) Sentence(loc *time.Location) string {
	subj := StripControl(n.Subject)
	if n.When != nil {
		subj += " (" + FormatDateTime(*n.When, loc) + ")"
	}
	by := StripControl(n.ByName)
	if by == "" {
		by = "the system"
	}
	detail := StripControl(n.Detail)
	switch n.Kind {
	case NoteSupportAssigned:
		return "you now support " + subj + ", assigned by " + by
	case NoteSupportUnassigned:
		return "you no longer support " + subj + ", changed by " + by
	case NoteEventChanged:
		return subj + " changed by " + by + ": " + detail
	case NoteContractSigned:
		return "contract of " + subj + " signed by " + by
	case NoteContractPaid:
		return "contract of " + subj + " paid in full (" + detail + "), recorded by " + by
	case NoteClientAssigned:
		return subj + " is now your client, assigned by " + by
	case NoteClientUnassigned:
		return subj + " is no longer your client: reassigned to " + detail + " by " + by
	case NoteEventNoSupport:
		return subj + " has no support contact yet"
	}
	return subj + ": " + n.Kind
}

// NotificationRepo stores the inboxes.
type NotificationRepo interface {
	// Add appends n (sets ID and At when zero); a duplicate Dedupe key for
	// the same user adds nothing and is no error (n.ID stays 0).
	Add(ctx context.Context, n *Notification) error
	// List returns the user's newest notifications first.
	List(ctx context.Context, userID int64, limit int) ([]Notification, error)
	Unread(ctx context.Context, userID int64) (int, error)
	// MarkRead marks one of the user's notifications read; ErrNotFound
	// when it is not theirs.
	MarkRead(ctx context.Context, userID, id int64, at time.Time) error
	MarkAllRead(ctx context.Context, userID int64, at time.Time) error
	// Resolve marks read, in every inbox, the unread notifications of a
	// kind about one record (a reminder whose cause is gone).
	Resolve(ctx context.Context, kind, entity string, id int64, at time.Time) error
}

// InboxService reads and marks a user's own notifications. Everyone has an
// inbox: it holds only what concerns its owner, about records they may read.
type InboxService struct{ c *core }

// List returns the actor's newest notifications (at most limit, 1..500).
func (s *InboxService) List(ctx context.Context, sess *Session, limit int) ([]Notification, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	if err := s.c.remindUnassigned(ctx, a); err != nil {
		return nil, err
	}
	ns, err := s.c.store.Notifications().List(ctx, a.ID, limit)
	return ns, wrap("read notifications", err)
}

// Unread counts the actor's unread notifications. For management it first
// adds the reminders of events of the next 7 days still without support
// (once per event), which no change triggers: time passing does.
func (s *InboxService) Unread(ctx context.Context, sess *Session) (int, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return 0, err
	}
	if err := s.c.remindUnassigned(ctx, a); err != nil {
		return 0, err
	}
	n, err := s.c.store.Notifications().Unread(ctx, a.ID)
	return n, wrap("count notifications", err)
}

// MarkRead marks one of the actor's notifications read.
func (s *InboxService) MarkRead(ctx context.Context, sess *Session, id int64) error {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return err
	}
	return wrap("mark notification read", s.c.store.Notifications().MarkRead(ctx, a.ID, id, s.c.now()))
}

// MarkAllRead marks all the actor's notifications read.
func (s *InboxService) MarkAllRead(ctx context.Context, sess *Session) error {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return err
	}
	return wrap("mark notifications read", s.c.store.Notifications().MarkAllRead(ctx, a.ID, s.c.now()))
}

// remindUnassigned gives a manager one reminder per upcoming event of the
// next 7 days that has no support contact.
func (c *core) remindUnassigned(ctx context.Context, a Actor) error {
	if a.Role != RoleManagement {
		return nil
	}
	now := c.now()
	to := now.Add(SoonWithoutSupport)
	p, err := c.store.Events().List(ctx, ListQuery{Filter: FilterUnassigned, Sort: SortStart, From: &now, To: &to, Limit: 500, Now: now})
	if err != nil {
		return wrap("check events without support", err)
	}
	for _, e := range p.Items {
		if e.Status == EventCancelled || e.Status == EventDone {
			continue
		}
		n := noSupportNote(a.ID, e, now)
		if err := c.store.Notifications().Add(ctx, &n); err != nil {
			return wrap("remind events without support", err)
		}
	}
	return nil
}

func noSupportNote(userID int64, e Event, now time.Time) Notification {
	start := e.Start
	return Notification{
		UserID: userID, At: now, Kind: NoteEventNoSupport, Entity: "event", EntityID: e.ID,
		Subject: e.Name, When: &start, Dedupe: fmt.Sprintf("no_support:%d:%d", e.ID, e.Start.Unix()),
	}
}

// inform writes, in the change's own transaction, the notifications an
// audited change causes: so a rollback notifies nobody and a committed
// change always has them. Nobody is told of their own change.
func (c *core) inform(ctx context.Context, tx Store, a *Actor, e AuditEntry) error {
	if strings.HasSuffix(e.Action, ".denied") || e.EntityID == 0 {
		return nil
	}
	in := informer{c: c, tx: tx, e: e, now: c.now()}
	if a != nil {
		in.by, in.byName = a.ID, a.Name
	}
	switch e.Entity {
	case "event":
		return in.event(ctx)
	case "contract":
		return in.contract(ctx)
	case "client":
		return in.client(ctx)
	}
	return nil
}

type informer struct {
	c      *core
	tx     Store
	e      AuditEntry
	now    time.Time
	by     int64
	byName string
}

func (in *informer) change(field string) (Change, bool) {
	for _, ch := range in.e.Changes {
		if ch.Field == field {
			return ch, true
		}
	}
	return Change{}, false
}

// add writes one notification unless it would tell the actor of their own
// change.
func (in *informer) add(ctx context.Context, to int64, n Notification) error {
	if to == 0 || to == in.by {
		return nil
	}
	n.UserID, n.At, n.ByName = to, in.now, in.byName
	if in.by != 0 {
		by := in.by
		n.ByID = &by
	}
	if err := in.tx.Notifications().Add(ctx, &n); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}

// byName finds the one collaborator of role called name (the audit keeps
// the previous contact's name, not their id); 0 when none or several.
func (in *informer) byNameOf(ctx context.Context, role Role, name string) int64 {
	if name == "" {
		return 0
	}
	p, err := in.tx.Users().List(ctx, ListQuery{Search: name, Role: role, Sort: SortName, Limit: 20, Now: in.now})
	if err != nil {
		return 0
	}
	var id int64
	for _, u := range p.Items {
		if u.FullName == name {
			if id != 0 {
				return 0
			}
			id = u.ID
		}
	}
	return id
}

func (in *informer) event(ctx context.Context) error {
	if in.e.Action == "event.delete" {
		return nil
	}
	ev, err := in.tx.Events().Get(ctx, in.e.EntityID)
	if err != nil {
		return nil // gone in the same transaction: nothing to open
	}
	start := ev.Start
	base := Notification{Entity: "event", EntityID: ev.ID, Subject: ev.Name, When: &start}
	var support int64
	if ev.SupportContactID != nil {
		support = *ev.SupportContactID
	}
	if ch, ok := in.change("support"); ok {
		n := base
		n.Kind = NoteSupportAssigned
		if err := in.add(ctx, support, n); err != nil {
			return err
		}
		if old := in.byNameOf(ctx, RoleSupport, ch.Old); old != support {
			n.Kind = NoteSupportUnassigned
			if err := in.add(ctx, old, n); err != nil {
				return err
			}
		}
	} else if in.e.Action != "event.create" && len(in.e.Changes) > 0 {
		n := base
		n.Kind = NoteEventChanged
		n.Detail = fieldList(in.e.Changes)
		if err := in.add(ctx, support, n); err != nil {
			return err
		}
	}
	if support != 0 || ev.Status == EventCancelled || ev.Status == EventDone {
		// The reminders about this event have done their job.
		if err := in.tx.Notifications().Resolve(ctx, NoteEventNoSupport, "event", ev.ID, in.now); err != nil {
			return fmt.Errorf("notify: %w", err)
		}
	}
	if support != 0 || ev.Status == EventCancelled || ev.Status == EventDone ||
		ev.Start.Before(in.now) || !ev.Start.Before(in.now.Add(SoonWithoutSupport)) {
		return nil
	}
	mgrs, err := in.tx.Users().List(ctx, ListQuery{Filter: FilterActive, Role: RoleManagement, Sort: SortName, Limit: 500, Now: in.now})
	if err != nil {
		return fmt.Errorf("notify management: %w", err)
	}
	for _, m := range mgrs.Items {
		n := noSupportNote(m.ID, ev, in.now)
		if err := in.add(ctx, m.ID, n); err != nil {
			return err
		}
	}
	return nil
}

func (in *informer) contract(ctx context.Context) error {
	if in.e.Action == "contract.delete" {
		return nil
	}
	k, err := in.tx.Contracts().Get(ctx, in.e.EntityID)
	if err != nil || k.SalesContactID == nil {
		return nil
	}
	base := Notification{Entity: "contract", EntityID: k.ID, Subject: k.ClientName}
	if st, ok := in.change("status"); ok && st.New == string(ContractSigned) {
		n := base
		n.Kind = NoteContractSigned
		if err := in.add(ctx, *k.SalesContactID, n); err != nil {
			return err
		}
	}
	if rem, ok := in.change("remaining"); ok && rem.Old != rem.New && k.RemainingCents == 0 && k.TotalCents > 0 {
		n := base
		n.Kind = NoteContractPaid
		n.Detail = FormatMoney(k.TotalCents)
		if err := in.add(ctx, *k.SalesContactID, n); err != nil {
			return err
		}
	}
	return nil
}

func (in *informer) client(ctx context.Context) error {
	ch, ok := in.change("sales_contact")
	if !ok || in.e.Action == "client.delete" {
		return nil
	}
	cl, err := in.tx.Clients().Get(ctx, in.e.EntityID)
	if err != nil {
		return nil
	}
	base := Notification{Entity: "client", EntityID: cl.ID, Subject: cl.FullName}
	var sales int64
	if cl.SalesContactID != nil {
		sales = *cl.SalesContactID
	}
	n := base
	n.Kind = NoteClientAssigned
	if err := in.add(ctx, sales, n); err != nil {
		return err
	}
	if old := in.byNameOf(ctx, RoleSales, ch.Old); old != sales {
		n = base
		n.Kind = NoteClientUnassigned
		n.Detail = cl.SalesContactName
		if n.Detail == "" {
			n.Detail = "nobody"
		}
		return in.add(ctx, old, n)
	}
	return nil
}

// fieldList names the changed fields for a sentence: "start, location".
func fieldList(chs []Change) string {
	names := make([]string, 0, len(chs))
	for _, ch := range chs {
		names = append(names, strings.ReplaceAll(ch.Field, "_", " "))
	}
	return strings.Join(names, ", ")
}
