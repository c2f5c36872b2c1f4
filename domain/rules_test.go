package domain_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// each runs fn on a fresh database of every dialect, with fixture users.
func each(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		fn(t, newEnv(t, db, false))
	})
}

func wantInvalid(t *testing.T, err error, field, contains string) {
	t.Helper()
	msg, ok := validationMsg(err, field)
	if !ok {
		t.Fatalf("want a validation message on %q, got %v", field, err)
	}
	if !strings.Contains(msg, contains) {
		t.Fatalf("message on %q = %q, want it to mention %q", field, msg, contains)
	}
}

// mark is the id of the newest audit entry: what a refusal adds comes after.
func (e *env) mark() int64 { return e.lastAudit().ID }

// wantRefused asserts that err refuses action for reason with a sentence
// mentioning want, and that the refusal added exactly one audit entry
// since mark: <action>.denied on entity/target with the reason code, and
// no field value.
func wantRefused(t *testing.T, e *env, mark int64, err error, action, reason, entity string, target int64, want string) {
	t.Helper()
	var r *domain.Refusal
	if !errors.As(err, &r) || !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("want a refusal of %s (%s), got %v", action, reason, err)
	}
	if r.Action != action || r.Reason != reason || !strings.Contains(r.Sentence, want) {
		t.Fatalf("refusal = %+v, want %s/%s mentioning %q", *r, action, reason, want)
	}
	p, lerr := e.db.Audit().List(e.ctx, domain.ListQuery{Sort: domain.SortAt, Limit: 10, Now: e.clock.Now()})
	if lerr != nil {
		t.Fatal(lerr)
	}
	var added []domain.AuditEntry
	for _, a := range p.Items {
		if a.ID > mark {
			added = append(added, a)
		}
	}
	if len(added) != 1 {
		t.Fatalf("refusal of %s added %d audit entries, want 1: %+v", action, len(added), added)
	}
	a := added[0]
	wantChanges := []domain.Change{{Field: "reason", New: reason}}
	if a.Action != action+".denied" || a.Entity != entity || a.EntityID != target || a.ActorID == nil ||
		len(a.Changes) != 1 || a.Changes[0] != wantChanges[0] {
		t.Fatalf("audit of the refusal = %+v, want %s.denied on %s %d with reason %s", a, action, entity, target, reason)
	}
}

func mustGrant(t *testing.T, e *env, r domain.Role, codes ...string) {
	t.Helper()
	for _, c := range codes {
		if err := e.db.Perms().Grant(e.ctx, r, c); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRuleNoSelfRemoval(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		me := e.users["mgr"]
		before := e.snapshot()
		m := e.mark()
		_, err := e.svc.Users.SetActive(e.ctx, s, me.ID, me.Version, false)
		wantRefused(t, e, m, err, domain.ActUserDeactivate, domain.ReasonSelf, "user", me.ID, "deactivate yourself")
		m = e.mark()
		err = e.svc.Users.Delete(e.ctx, s, me.ID)
		wantRefused(t, e, m, err, domain.ActUserDelete, domain.ReasonSelf, "user", me.ID, "delete yourself")
		m = e.mark()
		_, err = e.svc.Users.Update(e.ctx, s, me.ID, me.Version, domain.UserInput{FullName: me.FullName, Email: me.Email, Role: domain.RoleSales})
		wantRefused(t, e, m, err, domain.ActUserUpdate, domain.ReasonSelf, "user", me.ID, "another department")
		if after := e.snapshot(); after != before {
			t.Fatalf("refused self-removal changed the database:\n%s\n%s", before, after)
		}
	})
}

func TestRuleLastActiveManager(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		mgr, mgr2 := e.users["mgr"], e.users["mgr2"]
		if _, err := e.svc.Users.SetActive(e.ctx, e.session("mgr"), mgr2.ID, mgr2.Version, false); err != nil {
			t.Fatal(err)
		}
		// Whatever is granted: even a sales user holding every user
		// permission cannot remove the last active manager.
		mustGrant(t, e, domain.RoleSales, "user:update:any", "user:deactivate:any", "user:delete:any")
		s := e.session("sales")
		before := e.snapshot()
		m := e.mark()
		_, err := e.svc.Users.SetActive(e.ctx, s, mgr.ID, mgr.Version, false)
		wantRefused(t, e, m, err, domain.ActUserDeactivate, domain.ReasonLastManager, "user", mgr.ID, "last active manager")
		m = e.mark()
		_, err = e.svc.Users.Update(e.ctx, s, mgr.ID, mgr.Version, domain.UserInput{FullName: mgr.FullName, Email: mgr.Email, Role: domain.RoleSupport})
		wantRefused(t, e, m, err, domain.ActUserUpdate, domain.ReasonLastManager, "user", mgr.ID, "last active manager")
		m = e.mark()
		err = e.svc.Users.Delete(e.ctx, s, mgr.ID)
		wantRefused(t, e, m, err, domain.ActUserDelete, domain.ReasonLastManager, "user", mgr.ID, "make someone else a manager first")
		if after := e.snapshot(); after != before {
			t.Fatalf("refused removal changed the database:\n%s\n%s", before, after)
		}
		// With a second active manager again, the first may go.
		m2, _ := e.db.Users().Get(e.ctx, mgr2.ID)
		if _, err := e.svc.Users.SetActive(e.ctx, s, m2.ID, m2.Version, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Users.SetActive(e.ctx, s, mgr.ID, mgr.Version, false); err != nil {
			t.Fatalf("deactivate a manager who is not the last: %v", err)
		}
	})
}

func TestRuleGrantStaysWithManagement(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		m := e.mark()
		err := e.svc.Roles.Revoke(e.ctx, e.session("mgr"), domain.RoleManagement, "role:grant:any")
		wantRefused(t, e, m, err, domain.ActRoleRevoke, domain.ReasonKeepGrant, "role", 0, "management always keeps role:grant:any")
		codes, _ := e.db.Perms().ForRole(e.ctx, domain.RoleManagement)
		if !contains(codes, "role:grant:any") {
			t.Fatal("role:grant:any was revoked from management")
		}
		// Other codes can be revoked from management.
		if err := e.svc.Roles.Revoke(e.ctx, e.session("mgr"), domain.RoleManagement, "audit:read:any"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRuleContactCannotBeDeleted(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2, sup2 := e.users["sales2"], e.users["support2"]
		e.newClient(&s2)
		cl := e.newClient(&s2)
		e.newEvent(e.newContract(cl, 1000, true), &sup2)
		before := e.snapshot()
		m := e.mark()
		wantRefused(t, e, m, e.svc.Users.Delete(e.ctx, s, s2.ID), domain.ActUserDelete, domain.ReasonHasContacts, "user", s2.ID,
			s2.FullName+" is the sales contact of 2 clients: reassign them first, or deactivate "+s2.FullName+" instead")
		m = e.mark()
		wantRefused(t, e, m, e.svc.Users.Delete(e.ctx, s, sup2.ID), domain.ActUserDelete, domain.ReasonHasContacts, "user", sup2.ID, "support contact of 1 upcoming event")
		if after := e.snapshot(); after != before {
			t.Fatal("refused deletion changed the database")
		}
		// Nor can they change department while they are contacts.
		_, err := e.svc.Users.Update(e.ctx, s, s2.ID, s2.Version, domain.UserInput{FullName: s2.FullName, Email: s2.Email, Role: domain.RoleSupport})
		wantInvalid(t, err, "role", "2 clients")
		_, err = e.svc.Users.Update(e.ctx, s, sup2.ID, sup2.Version, domain.UserInput{FullName: sup2.FullName, Email: sup2.Email, Role: domain.RoleSales})
		wantInvalid(t, err, "role", "1 upcoming event")
		if _, err := e.svc.Users.SetActive(e.ctx, s, s2.ID, s2.Version, false); err != nil {
			t.Fatalf("deactivating a contact is the way out: %v", err)
		}
		// Someone who is nobody's contact can be deleted.
		free := e.newUser("free", domain.RoleSupport)
		if err := e.svc.Users.Delete(e.ctx, s, free.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Users().Get(e.ctx, free.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("deleted user still there: %v", err)
		}
	})
}

func TestRuleClientDeleteNeedsNoSignedContract(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2 := e.users["sales2"]
		signed := e.newClient(&s2)
		e.newContract(signed, 1000, true)
		m := e.mark()
		err := e.svc.Clients.Delete(e.ctx, s, signed.ID)
		wantRefused(t, e, m, err, domain.ActClientDelete, domain.ReasonSignedContracts, "client", signed.ID, "has 1 signed contract")
		if _, err := e.db.Clients().Get(e.ctx, signed.ID); err != nil {
			t.Fatalf("refused delete removed the client: %v", err)
		}
		drafts := e.newClient(&s2)
		k := e.newContract(drafts, 1000, false)
		if err := e.svc.Clients.Delete(e.ctx, s, drafts.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.db.Contracts().Get(e.ctx, k.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("draft contract of a deleted client: %v", err)
		}
	})
}

func TestRuleContractDeleteNeedsDraftWithoutEvent(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2 := e.users["sales2"]
		cl := e.newClient(&s2)
		signed := e.newContract(cl, 1000, true)
		e.newEvent(signed, nil)
		m := e.mark()
		wantRefused(t, e, m, e.svc.Contracts.Delete(e.ctx, s, signed.ID), domain.ActContractDelete, domain.ReasonContractSigned, "contract", signed.ID, "only a draft can be deleted")
		// Only a signed contract can get an event, so a draft with one is
		// not reachable through the services: the rule is checked as data.
		a, err := e.svc.Sessions.Actor(e.ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		evID := int64(7)
		var r *domain.Refusal
		if err := domain.CanDeleteContract(a, domain.Contract{ID: 3, Status: domain.ContractDraft, EventID: &evID}); !errors.As(err, &r) || r.Reason != domain.ReasonContractHasEvent {
			t.Fatalf("draft with an event: %v", err)
		}
		draft := e.newContract(cl, 1000, false)
		if err := e.svc.Contracts.Delete(e.ctx, s, draft.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRuleSignedStaysSigned(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2 := e.users["sales2"]
		k := e.newContract(e.newClient(&s2), 1000, false)
		k, err := e.svc.Contracts.Sign(e.ctx, s, k.ID, k.Version)
		if err != nil || k.Status != domain.ContractSigned || k.SignedAt == nil || k.SignedByID == nil || *k.SignedByID != e.users["mgr"].ID {
			t.Fatalf("sign: %+v %v", k, err)
		}
		m := e.mark()
		_, err = e.svc.Contracts.Sign(e.ctx, s, k.ID, k.Version)
		wantRefused(t, e, m, err, domain.ActContractSign, domain.ReasonAlreadySigned, "contract", k.ID, "already signed")
		k, err = e.svc.Contracts.Update(e.ctx, s, k.ID, k.Version, domain.ContractInput{TotalCents: 2000})
		if err != nil || k.Status != domain.ContractSigned {
			t.Fatalf("update of a signed contract: %+v %v", k, err)
		}
	})
}

func TestRuleSignedTotalOnlyByManagement(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales := e.users["sales"]
		k := e.newContract(e.newClient(&sales), 1000, true)
		before := e.snapshot()
		m := e.mark()
		_, err := e.svc.Contracts.Update(e.ctx, e.session("sales"), k.ID, k.Version, domain.ContractInput{TotalCents: 500})
		wantRefused(t, e, m, err, domain.ActContractUpdate, domain.ReasonSignedTotal, "contract", k.ID, "only management may change the total of a signed contract")
		if e.snapshot() != before {
			t.Fatal("refused total change changed the database")
		}
		// A draft of their own client: allowed.
		d := e.newContract(e.newClient(&sales), 1000, false)
		if _, err := e.svc.Contracts.Update(e.ctx, e.session("sales"), d.ID, d.Version, domain.ContractInput{TotalCents: 500}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Contracts.Update(e.ctx, e.session("mgr"), k.ID, k.Version, domain.ContractInput{TotalCents: 500}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRuleTotalMovesRemaining(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2 := e.users["sales2"]
		k := e.newContract(e.newClient(&s2), 1000_00, true)
		k, err := e.svc.Contracts.Pay(e.ctx, s, k.ID, domain.PaymentInput{AmountCents: 300_00})
		if err != nil || k.RemainingCents != 700_00 {
			t.Fatalf("pay: %+v %v", k, err)
		}
		k, err = e.svc.Contracts.Update(e.ctx, s, k.ID, k.Version, domain.ContractInput{TotalCents: 1500_00})
		if err != nil || k.TotalCents != 1500_00 || k.RemainingCents != 1200_00 {
			t.Fatalf("raise total: %+v %v", k, err)
		}
		_, err = e.svc.Contracts.Update(e.ctx, s, k.ID, k.Version, domain.ContractInput{TotalCents: 200_00})
		wantInvalid(t, err, "total", "300.00")
		got, _ := e.db.Contracts().Get(e.ctx, k.ID)
		if got.TotalCents != 1500_00 || got.RemainingCents != 1200_00 {
			t.Fatalf("refused change moved the amounts: %+v", got)
		}
		_, err = e.svc.Contracts.Pay(e.ctx, s, k.ID, domain.PaymentInput{AmountCents: 1200_01})
		wantInvalid(t, err, "amount", "remaining")
	})
}

func TestRuleDepositIsAFirstPayment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s2 := e.users["sales2"]
		cl := e.newClient(&s2)
		rem := int64(600_00)
		k, err := e.svc.Contracts.Create(e.ctx, e.session("mgr"), domain.ContractInput{ClientID: cl.ID, TotalCents: 1000_00, RemainingCents: &rem})
		if err != nil || k.TotalCents != 1000_00 || k.RemainingCents != 600_00 || k.Status != domain.ContractDraft {
			t.Fatalf("create: %+v %v", k, err)
		}
		pays, err := e.db.Contracts().Payments(e.ctx, k.ID)
		if err != nil || len(pays) != 1 || pays[0].AmountCents != 400_00 {
			t.Fatalf("deposit payment: %+v %v", pays, err)
		}
		if got := e.auditActions(2); !contains(got, "payment.create") || !contains(got, "contract.create") {
			t.Fatalf("audit: %v", got)
		}
		high := int64(1000_01)
		_, err = e.svc.Contracts.Create(e.ctx, e.session("mgr"), domain.ContractInput{ClientID: cl.ID, TotalCents: 1000_00, RemainingCents: &high})
		wantInvalid(t, err, "remaining", "total")
		_, err = e.svc.Contracts.Create(e.ctx, e.session("mgr"), domain.ContractInput{ClientID: cl.ID, TotalCents: -1})
		wantInvalid(t, err, "total", "zero or more")
	})
}

func TestRuleEventOfSignedContractOnly(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales := e.users["sales"]
		s := e.session("sales")
		cl := e.newClient(&sales)
		draft := e.newContract(cl, 1000, false)
		in := eventInput(target{contract: draft}, e)
		m := e.mark()
		_, err := e.svc.Events.Create(e.ctx, s, in)
		wantRefused(t, e, m, err, domain.ActEventCreate, domain.ReasonContractUnsigned, "contract", draft.ID, "sign it before creating its event")
		signed := e.newContract(cl, 1000, true)
		in.ContractID = signed.ID
		ev, err := e.svc.Events.Create(e.ctx, s, in)
		if err != nil || ev.ClientID != cl.ID || ev.ContractID != signed.ID || ev.Status != domain.EventPlanned || ev.SupportContactID != nil {
			t.Fatalf("create: %+v %v", ev, err)
		}
		m = e.mark()
		_, err = e.svc.Events.Create(e.ctx, s, in)
		wantRefused(t, e, m, err, domain.ActEventCreate, domain.ReasonContractHasEvent, "contract", signed.ID, "already has its event")
		bad := in
		bad.ContractID, bad.End, bad.Attendees = e.newContract(cl, 1000, true).ID, in.Start, -1
		_, err = e.svc.Events.Create(e.ctx, s, bad)
		wantInvalid(t, err, "end", "after the start")
		wantInvalid(t, err, "attendees", "zero or more")
	})
}

func TestRuleContactsHaveTheRightDepartment(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("mgr")
		s2 := e.users["sales2"]
		ev := e.newEvent(e.newContract(e.newClient(&s2), 1000, true), nil)
		salesID, inactive := e.users["sales"].ID, e.newUser("gone", domain.RoleSupport)
		_, err := e.svc.Events.AssignSupport(e.ctx, s, ev.ID, ev.Version, &salesID)
		wantInvalid(t, err, "support", "support department")
		if _, err := e.svc.Users.SetActive(e.ctx, s, inactive.ID, inactive.Version, false); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Events.AssignSupport(e.ctx, s, ev.ID, ev.Version, &inactive.ID)
		wantInvalid(t, err, "support", "active")
		supID := e.users["support"].ID
		got, err := e.svc.Events.AssignSupport(e.ctx, s, ev.ID, ev.Version, &supID)
		if err != nil || got.SupportContactID == nil || *got.SupportContactID != supID {
			t.Fatalf("assign: %+v %v", got, err)
		}
		cl := e.newClient(&s2)
		_, err = e.svc.Clients.Reassign(e.ctx, s, cl.ID, cl.Version, supID)
		wantInvalid(t, err, "sales_contact", "sales department")
	})
}

func TestRuleSalesCreatorIsTheContact(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		other := e.users["sales2"].ID
		cl, err := e.svc.Clients.Create(e.ctx, e.session("sales"), domain.ClientInput{
			FullName: "Kevin Casey", Email: "Kevin@Startup.io", Phone: "+678 123 456 78", CompanyName: "Cool Startup LLC", SalesContactID: &other})
		if err != nil {
			t.Fatal(err)
		}
		if cl.SalesContactID == nil || *cl.SalesContactID != e.users["sales"].ID || cl.Email != "kevin@startup.io" || cl.CompanyName != "Cool Startup LLC" {
			t.Fatalf("created client: %+v", cl)
		}
		_, err = e.svc.Clients.Create(e.ctx, e.session("sales"), domain.ClientInput{FullName: "Kevin Bis", Email: "KEVIN@startup.io"})
		wantInvalid(t, err, "email", "already exists")
		_, err = e.svc.Clients.Create(e.ctx, e.session("sales"), domain.ClientInput{FullName: "Evil \x1b[2J", Email: "evil@example.fr"})
		wantInvalid(t, err, "full_name", "ESC")
	})
}

func TestRuleSetupOnlyOnEmptyDatabase(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, true)
		needs, err := e.svc.Sessions.NeedsSetup(e.ctx)
		if err != nil || !needs {
			t.Fatalf("fresh database: needs setup = %v, %v", needs, err)
		}
		in := domain.UserInput{FullName: "Première Gérante", Email: "boss@epic-events.test", Role: domain.RoleSupport}
		u, err := e.svc.Sessions.Setup(e.ctx, in, testPassword)
		if err != nil || u.Role != domain.RoleManagement || !u.Active {
			t.Fatalf("setup: %+v %v", u, err)
		}
		if needs, _ := e.svc.Sessions.NeedsSetup(e.ctx); needs {
			t.Fatal("still needs setup")
		}
		in.Email = "second@epic-events.test"
		if _, err := e.svc.Sessions.Setup(e.ctx, in, testPassword); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("second setup: %v", err)
		}
		s, err := e.svc.Sessions.Login(e.ctx, "boss@epic-events.test", testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if a, err := e.svc.Sessions.Actor(e.ctx, s); err != nil || !a.Has("role:grant:any") {
			t.Fatalf("first manager: %+v %v", a, err)
		}
	})
}

func TestGrantRevokeTakesEffectAtNextAction(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		other := e.services() // a second process on the same database
		sess := e.sessionOf(other, e.users["sales"])
		sales := e.users["sales"]
		cl := e.newClient(&sales)
		in := domain.ContractInput{ClientID: cl.ID, TotalCents: 1000}
		if _, err := other.Contracts.Create(e.ctx, sess, in); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("before grant: %v", err)
		}
		mgr := e.session("mgr")
		if err := e.svc.Roles.Grant(e.ctx, mgr, domain.RoleSales, "contract:create:own_client"); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Contracts.Create(e.ctx, sess, in); err != nil {
			t.Fatalf("after grant: %v", err)
		}
		if err := e.svc.Roles.Revoke(e.ctx, mgr, domain.RoleSales, "contract:create:own_client"); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Contracts.Create(e.ctx, sess, in); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("after revoke: %v", err)
		}
		if a, _ := other.Sessions.Actor(e.ctx, sess); a.Has("contract:create:own_client") {
			t.Fatal("actor still holds the revoked code")
		}
	})
}

func TestRoleChangeAndDeactivationEndSessions(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		mgr := e.session("mgr")
		sup := e.users["support"]
		supSess := e.session("support")
		if _, err := e.svc.Dashboard.Get(e.ctx, supSess); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Users.Update(e.ctx, mgr, sup.ID, sup.Version, domain.UserInput{FullName: sup.FullName, Email: sup.Email, Role: domain.RoleSales}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Dashboard.Get(e.ctx, supSess); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("after role change: %v", err)
		}
		// The refresh token died too: after the access token expires the
		// session cannot come back.
		access, refresh := supSess.Tokens()
		if _, err := e.svc.Sessions.Resume(e.ctx, access+"x", refresh); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("resume after role change: %v", err)
		}

		// Deactivation, seen by another process within the cache second.
		other := e.services()
		s2 := e.users["sales2"]
		s2Sess := e.sessionOf(other, s2)
		if _, err := other.Clients.List(e.ctx, s2Sess, domain.ListQuery{}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Users.SetActive(e.ctx, mgr, s2.ID, s2.Version, false); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond)
		if _, err := other.Clients.List(e.ctx, s2Sess, domain.ListQuery{}); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("after deactivation: %v", err)
		}
		if _, err := e.svc.Sessions.Login(e.ctx, s2.Email, testPassword); !errors.Is(err, domain.ErrWrongCredentials) {
			t.Fatalf("login of a deactivated user: %v", err)
		}
	})
}

func TestRefreshReuseRevokesFamily(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("sales")
		rotations := 0
		s.SetOnRotate(func(string, string) { rotations++ })
		oldAccess, oldRefresh := s.Tokens()
		e.clock.Add(16 * time.Minute)
		if _, err := e.svc.Sessions.Actor(e.ctx, s); err != nil {
			t.Fatalf("transparent refresh: %v", err)
		}
		newAccess, newRefresh := s.Tokens()
		if rotations != 1 || newRefresh == oldRefresh || newAccess == oldAccess {
			t.Fatalf("no rotation: %d", rotations)
		}
		// A thief replays the old refresh token: refused, and the whole
		// family is revoked, so the legitimate session ends too.
		e.clock.Add(time.Minute)
		if _, err := e.svc.Sessions.Resume(e.ctx, oldAccess, oldRefresh); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("replay: %v", err)
		}
		rt, err := e.db.Tokens().Get(e.ctx, e.ring.HashRefresh(newRefresh))
		if err != nil || rt.RevokedAt == nil {
			t.Fatalf("family not revoked: %+v %v", rt, err)
		}
		e.clock.Add(16 * time.Minute)
		if _, err := e.svc.Sessions.Actor(e.ctx, s); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("session after reuse: %v", err)
		}
	})
}

func TestRefreshLifetimeIsAbsolute(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("support")
		for range 6 {
			e.clock.Add(24 * time.Hour)
			if _, err := e.svc.Sessions.Actor(e.ctx, s); err != nil {
				t.Fatalf("within 7 days: %v", err)
			}
		}
		e.clock.Add(24*time.Hour + time.Minute)
		if _, err := e.svc.Sessions.Actor(e.ctx, s); !errors.Is(err, domain.ErrUnauthenticated) {
			t.Fatalf("after 7 days: %v", err)
		}
	})
}

func TestConcurrentRefreshRotatesOnce(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		// One session used by two goroutines: one rotation, both succeed.
		s := e.session("sales")
		var rotations atomic.Int32
		s.SetOnRotate(func(string, string) { rotations.Add(1) })
		_, oldRefresh := s.Tokens()
		e.clock.Add(16 * time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Go(func() { _, errs[i] = e.svc.Sessions.Actor(e.ctx, s) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || rotations.Load() != 1 {
			t.Fatalf("errors %v, rotations %d", errs, rotations.Load())
		}
		if rt, err := e.db.Tokens().Get(e.ctx, e.ring.HashRefresh(oldRefresh)); err != nil || rt.RotatedAt == nil {
			t.Fatalf("old token: %+v %v", rt, err)
		}

		// The same stored tokens resumed twice at once (two processes):
		// exactly one rotation wins.
		access, refresh := e.session("support").Tokens()
		e.clock.Add(16 * time.Minute)
		var ok atomic.Int32
		winners := make(chan *domain.Session, 2)
		for range 2 {
			wg.Go(func() {
				if w, err := e.svc.Sessions.Resume(e.ctx, access, refresh); err == nil {
					ok.Add(1)
					winners <- w
				} else if !errors.Is(err, domain.ErrUnauthenticated) {
					t.Errorf("loser: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d concurrent refreshes won, want exactly 1", ok.Load())
		}
		// The winner keeps a working session: it refreshes again later.
		w := <-winners
		e.clock.Add(16 * time.Minute)
		if _, err := e.svc.Sessions.Actor(e.ctx, w); err != nil {
			t.Fatalf("winner after another refresh: %v", err)
		}
	})
}

func TestLoginThrottling(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		u := e.users["sales"]
		login := func(pw string) error {
			_, err := e.svc.Sessions.Login(e.ctx, u.Email, pw)
			return err
		}
		for i := range 5 {
			if err := login("wrong password number " + itoa(int64(i))); !errors.Is(err, domain.ErrWrongCredentials) {
				t.Fatalf("failure %d: %v", i+1, err)
			}
		}
		for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
			var th *domain.ThrottledError
			if err := login(testPassword); !errors.As(err, &th) || th.Wait != wait {
				t.Fatalf("want to wait %s, got %v", wait, err)
			}
			e.clock.Add(wait)
			if err := login("still the wrong password"); !errors.Is(err, domain.ErrWrongCredentials) {
				t.Fatalf("after waiting %s: %v", wait, err)
			}
		}
		e.clock.Add(8 * time.Second)
		if err := login(testPassword); err != nil {
			t.Fatalf("right password after the wait: %v", err)
		}
		// Success reset the count.
		if err := login("wrong again"); !errors.Is(err, domain.ErrWrongCredentials) {
			t.Fatal(err)
		}
		if err := login(testPassword); err != nil {
			t.Fatalf("after reset: %v", err)
		}

		// The wait is capped at 15 minutes: never permanent.
		for range 40 {
			if _, err := e.db.Logins().Fail(e.ctx, u.Email, e.clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		var th *domain.ThrottledError
		if err := login(testPassword); !errors.As(err, &th) || th.Wait != 15*time.Minute {
			t.Fatalf("capped wait: %v", err)
		}
		e.clock.Add(15 * time.Minute)
		if err := login(testPassword); err != nil {
			t.Fatalf("after 15 minutes: %v", err)
		}

		// An unknown email gets the same answer, and the audit keeps the
		// email tried, never the password.
		if _, err := e.svc.Sessions.Login(e.ctx, "nobody@example.fr", "secret guess 123"); !errors.Is(err, domain.ErrWrongCredentials) {
			t.Fatal(err)
		}
		last := e.lastAudit()
		if last.Action != "user.login_failed" || last.ActorID != nil || last.ActorName != "nobody@example.fr" {
			t.Fatalf("failed login audit: %+v", last)
		}
		for _, c := range last.Changes {
			if strings.Contains(c.Old+c.New, "secret guess") {
				t.Fatal("password in the audit")
			}
		}
	})
}

func TestStaleVersionSaysWho(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		sales := e.users["sales"]
		cl := e.newClient(&sales)
		in := domain.ClientInput{FullName: "Renamed", Email: cl.Email}
		if _, err := e.svc.Clients.Update(e.ctx, e.session("mgr"), cl.ID, cl.Version, in); err != nil {
			t.Fatal(err)
		}
		before := e.snapshot()
		in.FullName = "Overwrite"
		_, err := e.svc.Clients.Update(e.ctx, e.session("sales"), cl.ID, cl.Version, in)
		var ce *domain.ConflictError
		if !errors.As(err, &ce) || ce.By != e.users["mgr"].FullName || !strings.Contains(err.Error(), e.users["mgr"].FullName) {
			t.Fatalf("stale save: %v", err)
		}
		if e.snapshot() != before {
			t.Fatal("stale save changed the database")
		}
	})
}

func TestConcurrentPaymentsNeverOverdraw(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s2 := e.users["sales2"]
		k := e.newContract(e.newClient(&s2), 100, true)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for _, who := range []string{"mgr", "mgr2"} {
			sess := e.session(who)
			wg.Go(func() {
				_, err := e.svc.Contracts.Pay(e.ctx, sess, k.ID, domain.PaymentInput{AmountCents: 100, Note: "le dernier euro"})
				var r *domain.Refusal
				switch {
				case err == nil:
					ok.Add(1)
				case errors.As(err, &r) && r.Reason == domain.ReasonFullyPaid:
					// Decided again in the transaction, after the winner.
				case !errors.Is(err, domain.ErrInvalid):
					t.Errorf("loser: %v", err)
				}
			})
		}
		wg.Wait()
		got, _ := e.db.Contracts().Get(e.ctx, k.ID)
		pays, _ := e.db.Contracts().Payments(e.ctx, k.ID)
		if ok.Load() != 1 || got.RemainingCents != 0 || len(pays) != 1 {
			t.Fatalf("%s: %d payments succeeded, remaining %d, %d rows", e.db.Dialect(), ok.Load(), got.RemainingCents, len(pays))
		}
	})
}

func TestLoginThrottlePerAddress(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		u := e.users["sales"]
		from := func(addr string) context.Context { return domain.WithClientAddress(e.ctx, addr) }
		addrs, ok := e.db.(interface{ LoginAddresses() domain.LoginRepo })
		if !ok {
			t.Fatal("the store counts no failures per address")
		}
		// Twenty failures from one address, over unknown emails: no account
		// is locked, the address is.
		for i := range 20 {
			if _, err := addrs.LoginAddresses().Fail(e.ctx, "203.0.113.9", e.clock.Now()); err != nil {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		var th *domain.ThrottledError
		if _, err := e.svc.Sessions.Login(from("203.0.113.9"), u.Email, testPassword); !errors.As(err, &th) || th.Wait != time.Second {
			t.Fatalf("right password from a throttled address: %v, want a 1 s wait", err)
		}
		// The refusal counted nothing and touched no account.
		if st, err := addrs.LoginAddresses().Get(e.ctx, "203.0.113.9"); err != nil || st.Failures != 20 {
			t.Fatalf("address after the refusal: %+v %v, want 20 failures", st, err)
		}
		if st, err := e.db.Logins().Get(e.ctx, u.Email); err != nil || st.Failures != 0 {
			t.Fatalf("account after the refusal: %+v %v, want none", st, err)
		}
		// Another address logs in; the same one does after the wait.
		if _, err := e.svc.Sessions.Login(from("198.51.100.7"), u.Email, testPassword); err != nil {
			t.Fatalf("from another address: %v", err)
		}
		e.clock.Add(time.Second)
		if _, err := e.svc.Sessions.Login(from("203.0.113.9"), "nobody@example.fr", "a wrong guess 42"); !errors.Is(err, domain.ErrWrongCredentials) {
			t.Fatalf("after the wait: %v", err)
		}
		if st, _ := addrs.LoginAddresses().Get(e.ctx, "203.0.113.9"); st.Failures != 21 {
			t.Fatalf("address failures %d, want 21", st.Failures)
		}
		if _, err := e.svc.Sessions.Login(from("203.0.113.9"), u.Email, testPassword); !errors.As(err, &th) || th.Wait != 2*time.Second {
			t.Fatalf("next attempt: %v, want a 2 s wait", err)
		}
	})
}

// May for a new contract from the contracts list (no client yet) decides on
// the grant alone: sales without contract:create refused and audited, and
// allowed once it holds the own-client grant; management allowed.
func TestMayNewContractWithoutClient(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		if err := e.svc.May(e.ctx, e.session("mgr"), domain.ActContractCreate, 0); err != nil {
			t.Fatalf("management may create a contract: %v", err)
		}
		before := e.snapshot()
		m := e.mark()
		err := e.svc.May(e.ctx, e.session("sales"), domain.ActContractCreate, 0)
		wantRefused(t, e, m, err, domain.ActContractCreate, domain.ReasonNoPermission, "contract", 0, "")
		if after := e.snapshot(); after != before {
			t.Fatalf("a refused May changed the database:\n%s\n%s", before, after)
		}
		mustGrant(t, e, domain.RoleSales, "contract:create:own_client")
		if err := e.svc.May(e.ctx, e.session("sales"), domain.ActContractCreate, 0); err != nil {
			t.Fatalf("sales with contract:create:own_client may create a contract: %v", err)
		}
	})
}
