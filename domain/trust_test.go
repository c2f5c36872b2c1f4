package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/epic-events/crm/domain"
)

// A save that changes nothing writes nothing — no new version, no audit
// entry — and says so.
func TestNoOpSaveWritesNothing(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		mgr := e.session("mgr")
		s2, sup := e.users["sales2"], e.users["support"]
		cl := e.newClient(&s2)
		k := e.newContract(cl, 1000_00, true)
		ev := e.newEvent(k, &sup)
		u := e.newUser("steady", domain.RoleSupport)
		co := domain.Company{Name: "Immuable SA"}
		if err := e.db.Companies().Create(e.ctx, &co); err != nil {
			t.Fatal(err)
		}
		evIn := domain.EventInput{Name: ev.Name, Location: ev.Location, Notes: ev.Notes, Start: ev.Start, End: ev.End, Attendees: ev.Attendees}
		for name, save := range map[string]func() error{
			"client": func() error {
				_, err := e.svc.Clients.Update(e.ctx, mgr, cl.ID, cl.Version, domain.ClientInput{FullName: cl.FullName, Email: strings.ToUpper(cl.Email), Phone: cl.Phone, SalesContactID: cl.SalesContactID})
				return err
			},
			"reassign to the same": func() error {
				_, err := e.svc.Clients.Reassign(e.ctx, mgr, cl.ID, cl.Version, s2.ID)
				return err
			},
			"contract": func() error {
				_, err := e.svc.Contracts.Update(e.ctx, mgr, k.ID, k.Version, domain.ContractInput{TotalCents: k.TotalCents})
				return err
			},
			"event": func() error {
				_, err := e.svc.Events.Update(e.ctx, mgr, ev.ID, ev.Version, evIn)
				return err
			},
			"support to the same": func() error {
				_, err := e.svc.Events.AssignSupport(e.ctx, mgr, ev.ID, ev.Version, &sup.ID)
				return err
			},
			"collaborator": func() error {
				_, err := e.svc.Users.Update(e.ctx, mgr, u.ID, u.Version, domain.UserInput{FullName: u.FullName, Email: u.Email, Phone: u.Phone, Role: u.Role})
				return err
			},
			"reactivate an active one": func() error {
				_, err := e.svc.Users.SetActive(e.ctx, mgr, u.ID, u.Version, true)
				return err
			},
			"company": func() error {
				_, err := e.svc.Companies.Rename(e.ctx, mgr, co.ID, " Immuable SA ")
				return err
			},
		} {
			before, mark := e.snapshot(), e.mark()
			if err := save(); !errors.Is(err, domain.ErrNoChange) {
				t.Errorf("%s: want ErrNoChange, got %v", name, err)
			}
			if e.snapshot() != before {
				t.Errorf("%s: a save without change changed the database", name)
			}
			if added := e.newAudit(mark); len(added) != 0 {
				t.Errorf("%s: a save without change wrote %+v", name, added)
			}
		}
		// And a real change still saves.
		if got, err := e.svc.Contracts.Update(e.ctx, mgr, k.ID, k.Version, domain.ContractInput{TotalCents: k.TotalCents + 1}); err != nil || got.Version != k.Version+1 {
			t.Fatalf("a real change: %+v %v", got, err)
		}
	})
}

// Changing the sales contact is a reassignment: audited as
// client.reassign with the other changed fields in the same entry, and
// refused (and audited so) to whoever may only edit.
func TestReassignIsAuditedAsReassign(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales, s2 := e.users["sales"], e.users["sales2"]
		cl := e.newClient(&sales)
		in := domain.ClientInput{FullName: cl.FullName, Email: cl.Email, Phone: "+33 6 12 34 56 78", SalesContactID: &s2.ID}

		mark := e.mark()
		_, err := e.svc.Clients.Update(e.ctx, e.session("sales"), cl.ID, cl.Version, in)
		wantRefused(t, e, mark, err, domain.ActClientReassign, domain.ReasonNoPermission, "client", cl.ID, "only management may change a client's sales contact")

		mark = e.mark()
		got, err := e.svc.Clients.Update(e.ctx, e.session("mgr"), cl.ID, cl.Version, in)
		if err != nil || got.SalesContactID == nil || *got.SalesContactID != s2.ID {
			t.Fatalf("reassign through the form: %+v %v", got, err)
		}
		added := e.newAudit(mark)
		if len(added) != 1 || added[0].Action != domain.ActClientReassign {
			t.Fatalf("want one client.reassign entry, got %+v", added)
		}
		fields := map[string]domain.Change{}
		for _, c := range added[0].Changes {
			fields[c.Field] = c
		}
		if fields["sales_contact"].Old != sales.FullName || fields["sales_contact"].New != s2.FullName || fields["phone"].New != "+33 6 12 34 56 78" || len(fields) != 2 {
			t.Fatalf("changes of the reassignment: %+v", added[0].Changes)
		}
		if !strings.Contains(added[0].Label, cl.FullName) || !strings.Contains(added[0].Label, cl.Email) {
			t.Fatalf("entry label %q does not name the client", added[0].Label)
		}

		// The same form without a new contact is an update.
		mark = e.mark()
		in.SalesContactID, in.Phone = &s2.ID, "+33 6 00 00 00 00"
		if _, err := e.svc.Clients.Update(e.ctx, e.session("mgr"), cl.ID, got.Version, in); err != nil {
			t.Fatal(err)
		}
		if added := e.newAudit(mark); len(added) != 1 || added[0].Action != domain.ActClientUpdate {
			t.Fatalf("want one client.update entry, got %+v", added)
		}
	})
}

// Numbers and text beyond what the database (or reason) holds are refused
// with a field message, and nothing is written.
func TestBoundsAreRefusedOnTheField(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales := e.users["sales"]
		k := e.newContract(e.newClient(&sales), 1000, true)
		s := e.session("sales")
		before := e.snapshot()
		for _, n := range []int{2147483648, domain.MaxAttendees + 1} {
			in := eventInput(target{contract: k}, e)
			in.Attendees = n
			_, err := e.svc.Events.Create(e.ctx, s, in)
			wantInvalid(t, err, "attendees", "at most 1 000 000")
		}
		for _, n := range []int{264, 299} {
			email := strings.Repeat("a", n-len("@example.fr")) + "@example.fr"
			_, err := e.svc.Clients.Create(e.ctx, s, domain.ClientInput{FullName: "Long Mail", Email: email})
			wantInvalid(t, err, "email", "use at most 254 characters")
		}
		_, err := e.svc.Contracts.Create(e.ctx, e.session("mgr"), domain.ContractInput{ClientID: k.ClientID, TotalCents: domain.MaxCents + 1})
		wantInvalid(t, err, "total", "at most")
		if e.snapshot() != before {
			t.Fatal("refused input changed the database")
		}
		in := eventInput(target{contract: k}, e)
		in.Attendees = domain.MaxAttendees
		if _, err := e.svc.Events.Create(e.ctx, s, in); err != nil {
			t.Fatalf("the largest event: %v", err)
		}
	})
}

// May answers before any form opens, in the user's terms, and audits a
// refusal like the action would.
func TestMaySpeaksTheUsersTerms(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s2 := e.users["sales2"]
		cl := e.newClient(&s2)
		s := e.session("sales")
		mark := e.mark()
		err := e.svc.May(e.ctx, s, domain.ActClientUpdate, cl.ID)
		wantRefused(t, e, mark, err, domain.ActClientUpdate, domain.ReasonNotOwn, "client", cl.ID, cl.FullName+" is "+s2.FullName+"'s client")
		mark = e.mark()
		err = e.svc.May(e.ctx, s, domain.ActClientDelete, cl.ID)
		wantRefused(t, e, mark, err, domain.ActClientDelete, domain.ReasonNoPermission, "client", cl.ID, "only management may delete clients")
		if err := e.svc.May(e.ctx, s, domain.ActClientCreate, 0); err != nil {
			t.Fatalf("sales may create clients: %v", err)
		}
		if err := e.svc.May(e.ctx, s, domain.ActClientUpdate, 999999); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a missing record: %v", err)
		}
		if err := e.svc.May(e.ctx, s, "client.fly", cl.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("an unknown action: %v", err)
		}
	})
}
