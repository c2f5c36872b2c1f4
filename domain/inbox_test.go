package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
)

// inbox returns the sentences of a user's notifications, newest first, and
// the unread count.
func (e *env) inbox(key string) ([]string, int) {
	e.t.Helper()
	s := e.session(key)
	n, err := e.svc.Inbox.Unread(e.ctx, s)
	if err != nil {
		e.t.Fatalf("unread of %s: %v", key, err)
	}
	ns, err := e.svc.Inbox.List(e.ctx, s, 50)
	if err != nil {
		e.t.Fatalf("inbox of %s: %v", key, err)
	}
	out := make([]string, len(ns))
	for i, x := range ns {
		out[i] = x.Sentence(time.UTC)
	}
	return out, n
}

func TestInboxSupportAssignment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		k := e.newContract(e.newClient(ptrUser(e.users["sales"])), 100000, true)
		ev := e.newEvent(k, nil)
		mgr := e.session("mgr")
		sup, sup2 := e.users["support"], e.users["support2"]

		ev, err := e.svc.Events.AssignSupport(e.ctx, mgr, ev.ID, ev.Version, &sup.ID)
		if err != nil {
			t.Fatalf("assign: %v", err)
		}
		got, unread := e.inbox("support")
		want := "you now support " + ev.Name + " (" + domain.FormatDateTime(ev.Start, time.UTC) + "), assigned by " + e.users["mgr"].FullName
		if unread != 1 || len(got) != 1 || got[0] != want {
			t.Fatalf("support inbox = %q (unread %d), want [%q]", got, unread, want)
		}
		if got, _ := e.inbox("mgr"); len(got) != 0 {
			t.Errorf("the manager was told of their own change: %q", got)
		}

		// Reassigned: the new one is told, the previous one too.
		ev, err = e.svc.Events.AssignSupport(e.ctx, mgr, ev.ID, ev.Version, &sup2.ID)
		if err != nil {
			t.Fatalf("reassign: %v", err)
		}
		if got, n := e.inbox("support2"); n != 1 || !strings.HasPrefix(got[0], "you now support "+ev.Name) {
			t.Errorf("support2 inbox = %q (unread %d)", got, n)
		}
		if got, n := e.inbox("support"); n != 2 || !strings.HasPrefix(got[0], "you no longer support "+ev.Name) {
			t.Errorf("support inbox after reassignment = %q (unread %d)", got, n)
		}

		// The event they support changes: they are told which fields.
		in := domain.EventInput{Name: ev.Name, Location: "Marseille", Notes: ev.Notes, Start: ev.Start, End: ev.End, Attendees: ev.Attendees}
		if _, err := e.svc.Events.Update(e.ctx, mgr, ev.ID, ev.Version, in); err != nil {
			t.Fatalf("update: %v", err)
		}
		if got, n := e.inbox("support2"); n != 2 || got[0] != ev.Name+" ("+domain.FormatDateTime(ev.Start, time.UTC)+") changed by "+e.users["mgr"].FullName+": location" {
			t.Errorf("support2 inbox after update = %q (unread %d)", got, n)
		}
	})
}

func TestInboxRefusedChangeNotifiesNobody(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		k := e.newContract(e.newClient(ptrUser(e.users["sales"])), 100000, true)
		ev := e.newEvent(k, nil)
		sup := e.users["support"]
		// Sales may not assign support: refused, audited as denied, and
		// nobody's inbox moves.
		_, err := e.svc.Events.AssignSupport(e.ctx, e.session("sales"), ev.ID, ev.Version, &sup.ID)
		if !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("sales assigning support: %v, want forbidden", err)
		}
		if got, n := e.inbox("support"); n != 0 || len(got) != 0 {
			t.Errorf("support inbox after a refused assignment = %q (unread %d)", got, n)
		}
		cur, err := e.db.Events().Get(e.ctx, ev.ID)
		if err != nil || cur.SupportContactID != nil {
			t.Errorf("event after refusal: support %v, err %v", cur.SupportContactID, err)
		}
	})
}

func TestInboxSalesContact(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales, sales2 := e.users["sales"], e.users["sales2"]
		cl := e.newClient(ptrUser(sales))
		k := e.newContract(cl, 50000, false)
		mgr := e.session("mgr")

		k, err := e.svc.Contracts.Sign(e.ctx, mgr, k.ID, k.Version)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		if _, err := e.svc.Contracts.Pay(e.ctx, mgr, k.ID, domain.PaymentInput{AmountCents: 20000}); err != nil {
			t.Fatalf("pay part: %v", err)
		}
		if _, err := e.svc.Contracts.Pay(e.ctx, mgr, k.ID, domain.PaymentInput{AmountCents: 30000}); err != nil {
			t.Fatalf("pay rest: %v", err)
		}
		by := e.users["mgr"].FullName
		want := []string{
			"contract of " + cl.FullName + " paid in full (" + domain.FormatMoney(50000) + "), recorded by " + by,
			"contract of " + cl.FullName + " signed by " + by,
		}
		if got, n := e.inbox("sales"); n != 2 || strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("sales inbox = %q (unread %d), want %q", got, n, want)
		}

		cl, err = e.db.Clients().Get(e.ctx, cl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Clients.Reassign(e.ctx, mgr, cl.ID, cl.Version, sales2.ID); err != nil {
			t.Fatalf("reassign: %v", err)
		}
		if got, n := e.inbox("sales2"); n != 1 || got[0] != cl.FullName+" is now your client, assigned by "+by {
			t.Errorf("sales2 inbox = %q (unread %d)", got, n)
		}
		if got, n := e.inbox("sales"); n != 3 || got[0] != cl.FullName+" is no longer your client: reassigned to "+sales2.FullName+" by "+by {
			t.Errorf("sales inbox after reassignment = %q (unread %d)", got, n)
		}
	})
}

func TestInboxManagementReminderAndReadState(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		k := e.newContract(e.newClient(ptrUser(e.users["sales"])), 100000, true)
		ev := e.newEvent(k, nil) // in exactly 7 days: not yet
		far := e.newEvent(e.newContract(e.newClient(nil), 1000, true), nil)
		_ = far
		if got, n := e.inbox("mgr"); n != 0 {
			t.Fatalf("manager inbox before the window = %q", got)
		}
		e.clock.Add(2 * 24 * time.Hour) // the event is now 5 days ahead
		got, n := e.inbox("mgr")
		if n != 2 || !strings.Contains(got[0], "has no support contact yet") {
			t.Fatalf("manager inbox = %q (unread %d), want the two events without support", got, n)
		}
		// Asked again: no second reminder.
		if _, n := e.inbox("mgr"); n != 2 {
			t.Errorf("unread after a second look = %d, want 2", n)
		}
		if _, n := e.inbox("support"); n != 0 {
			t.Errorf("support got a management reminder")
		}

		s := e.session("mgr")
		ns, err := e.svc.Inbox.List(e.ctx, s, 10)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Inbox.MarkRead(e.ctx, s, ns[0].ID); err != nil {
			t.Fatalf("mark read: %v", err)
		}
		if _, n := e.inbox("mgr"); n != 1 {
			t.Errorf("unread after marking one = %d, want 1", n)
		}
		// Someone else's notification: not found, and it stays unread.
		err = e.svc.Inbox.MarkRead(e.ctx, e.session("mgr2"), ns[1].ID)
		if !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("marking another user's notification: %v, want not found", err)
		}
		if _, n := e.inbox("mgr"); n != 1 {
			t.Errorf("unread after another user's attempt = %d, want 1", n)
		}
		if err := e.svc.Inbox.MarkAllRead(e.ctx, s); err != nil {
			t.Fatal(err)
		}
		if _, n := e.inbox("mgr"); n != 0 {
			t.Errorf("unread after mark all = %d", n)
		}
		// Another manager has the same two reminders; once the event has
		// support, its reminder is marked read in every inbox.
		if _, n := e.inbox("mgr2"); n != 2 {
			t.Fatalf("second manager unread = %d, want 2", n)
		}
		sup := e.users["support"]
		ev, _ = e.db.Events().Get(e.ctx, ev.ID)
		if _, err := e.svc.Events.AssignSupport(e.ctx, s, ev.ID, ev.Version, &sup.ID); err != nil {
			t.Fatal(err)
		}
		if got, n := e.inbox("mgr2"); n != 1 || len(got) != 2 {
			t.Errorf("second manager after the assignment: unread %d of %q, want 1 of 2", n, got)
		}
		if got, n := e.inbox("mgr"); n != 0 {
			t.Errorf("manager inbox after assignment = %q", got)
		}
		// Support removed again: the reminder comes back.
		ev, _ = e.db.Events().Get(e.ctx, ev.ID)
		if _, err := e.svc.Events.AssignSupport(e.ctx, s, ev.ID, ev.Version, nil); err != nil {
			t.Fatal(err)
		}
		if got, n := e.inbox("mgr2"); n != 2 || !strings.Contains(got[0], ev.Name+" (") {
			t.Errorf("second manager after the support was removed: unread %d, %q", n, got)
		}
	})
}

func ptrUser(u domain.User) *domain.User { return &u }
