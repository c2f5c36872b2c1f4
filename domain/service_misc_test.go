package domain_test

import (
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/argon2"

	"github.com/epic-events/crm/domain"
)

func TestUnreadableRecordIsNotFound(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s2 := e.users["sales2"]
		cl := e.newClient(&s2)
		if err := e.db.Perms().Revoke(e.ctx, domain.RoleSupport, "client:read:any"); err != nil {
			t.Fatal(err)
		}
		s := e.session("support")
		if _, err := e.svc.Clients.Get(e.ctx, s, cl.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("get unreadable client: %v", err)
		}
		if last := e.lastAudit(); last.Action != "client.read.denied" || last.EntityID != cl.ID ||
			len(last.Changes) != 1 || last.Changes[0].New != domain.ReasonNoPermission {
			t.Fatalf("audit of the refused read: %+v", last)
		}
		// Asking about an action on it: not found either, and audited alike.
		mark := e.mark()
		if err := e.svc.May(e.ctx, s, domain.ActContractCreate, cl.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("May on an unreadable record: %v", err)
		}
		if added := e.newAudit(mark); len(added) != 1 || added[0].Action != "client.read.denied" || added[0].EntityID != cl.ID {
			t.Fatalf("audit of May on an unreadable record: %+v", added)
		}
		if _, err := e.svc.Clients.Detail(e.ctx, s, cl.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("detail of unreadable client: %v", err)
		}
		// The same answer as for a client that does not exist.
		if _, err := e.svc.Clients.Get(e.ctx, e.session("mgr"), cl.ID+1000); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("missing client: %v", err)
		}
		if last := e.lastAudit(); last.Action != "client.read.denied" {
			t.Fatalf("audit: %+v", last)
		}
		if _, err := e.svc.Clients.List(e.ctx, s, domain.ListQuery{}); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("list without read permission: %v", err)
		}
	})
}

func TestListQueriesAreAllowListed(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		s := e.session("sales")
		for _, q := range []domain.ListQuery{
			{Filter: "drop table"}, {Sort: "password_hash"}, {Filter: domain.FilterUnassigned}, {Search: "\x1b]0;pwned\a"},
			{After: "x", Before: "y"}, {After: "x", Last: true}, {Before: "y", Last: true},
		} {
			if _, err := e.svc.Clients.List(e.ctx, s, q); !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("clients %+v: %v", q, err)
			}
		}
		if _, err := e.svc.Contracts.List(e.ctx, s, domain.ListQuery{Sort: domain.SortName}); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("contract sorted by name: %v", err)
		}
		// "mine" depends on who asks: the sales contact of the client, the
		// support contact of the event.
		sales, sup := e.users["sales"], e.users["support"]
		s2, sup2 := e.users["sales2"], e.users["support2"]
		mine := e.newEvent(e.newContract(e.newClient(&sales), 100, true), &sup2)
		theirs := e.newEvent(e.newContract(e.newClient(&s2), 100, true), &sup)
		p, err := e.svc.Events.List(e.ctx, s, domain.ListQuery{Filter: domain.FilterMine, Limit: 100000})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != mine.ID {
			t.Fatalf("sales mine: %+v %v", p.Items, err)
		}
		p, err = e.svc.Events.List(e.ctx, e.session("support"), domain.ListQuery{Filter: domain.FilterMine})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != theirs.ID {
			t.Fatalf("support mine: %+v %v", p.Items, err)
		}
		cp, err := e.svc.Clients.List(e.ctx, s, domain.ListQuery{Filter: domain.FilterMine})
		if err != nil || len(cp.Items) != 1 || cp.Items[0].SalesContactID == nil || *cp.Items[0].SalesContactID != sales.ID {
			t.Fatalf("clients mine: %+v %v", cp.Items, err)
		}
	})
}

func TestHistoryAndNotify(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var notified []string
		svc := domain.New(domain.Config{Store: e.db, Tokens: e.ring, Hasher: hasher, Now: e.clock.Now,
			Notify: func(action string, id int64) {
				mu.Lock()
				notified = append(notified, action)
				mu.Unlock()
			}})
		sales := e.sessionOf(svc, e.users["sales"])
		cl, err := svc.Clients.Create(e.ctx, sales, domain.ClientInput{FullName: "Anne Petit", Email: "anne@petit.fr", CompanyName: "Petit & Fils"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Clients.Update(e.ctx, sales, cl.ID, cl.Version, domain.ClientInput{FullName: "Anne Petit-Durand", Email: "anne@petit.fr", CompanyName: "Petit & Fils"}); err != nil {
			t.Fatal(err)
		}
		d, err := svc.Clients.Detail(e.ctx, e.sessionOf(svc, e.users["support"]), cl.ID)
		if err != nil || len(d.History) != 2 || d.History[0].Action != "client.update" || d.History[1].Action != "client.create" {
			t.Fatalf("history: %+v %v", d.History, err)
		}
		ch := d.History[0].Changes
		if len(ch) != 1 || ch[0].Field != "full_name" || ch[0].Old != "Anne Petit" || ch[0].New != "Anne Petit-Durand" {
			t.Fatalf("changes: %+v", ch)
		}
		// The global log needs audit:read:any; a record's history does not.
		if _, err := svc.Audit.List(e.ctx, sales, domain.ListQuery{}); !errors.Is(err, domain.ErrForbidden) {
			t.Fatalf("audit log as sales: %v", err)
		}

		mgr := e.sessionOf(svc, e.users["mgr"])
		k, err := svc.Contracts.Create(e.ctx, mgr, domain.ContractInput{ClientID: cl.ID, TotalCents: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Contracts.Sign(e.ctx, mgr, k.ID, k.Version); err != nil {
			t.Fatal(err)
		}
		u, err := svc.Users.Create(e.ctx, mgr, domain.UserInput{FullName: "Paul Neuf", Email: "paul@epic-events.test", Role: domain.RoleSupport}, "granite owl sings thrice daily")
		if err != nil || u.PasswordHash != "" || u.EmployeeNo == "" {
			t.Fatalf("create user: %+v %v", u, err)
		}
		last := e.lastAudit()
		for _, c := range last.Changes {
			if c.Field == "password" || c.Field == "password_hash" {
				t.Fatalf("password in audit: %+v", last)
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if !contains(notified, "contract.sign") || !contains(notified, "user.create") || contains(notified, "client.create") {
			t.Fatalf("notified: %v", notified)
		}
	})
}

func TestLoginRehashesWeakerHashes(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		salt := []byte("0123456789abcdef")
		key := argon2.IDKey([]byte(testPassword), salt, 1, 8192, 1, 32)
		weak := "$argon2id$v=19$m=8192,t=1,p=1$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
		u := e.users["support2"]
		if err := e.db.Users().SetPassword(e.ctx, u.ID, weak); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Sessions.Login(e.ctx, u.Email, testPassword); err != nil {
			t.Fatalf("login with an older hash: %v", err)
		}
		got, err := e.db.Users().Get(e.ctx, u.ID)
		if err != nil || got.PasswordHash == weak || !strings.Contains(got.PasswordHash, "m=19456,t=2,p=1") {
			t.Fatalf("hash not upgraded: %q %v", got.PasswordHash, err)
		}
		if _, err := e.svc.Sessions.Login(e.ctx, u.Email, testPassword); err != nil {
			t.Fatalf("login with the new hash: %v", err)
		}
	})
}

// TestEveryTextFieldRefusesControlCharacters sends an escape sequence
// through every text field of every service input.
func TestEveryTextFieldRefusesControlCharacters(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		const evil = "Nice\x1b]0;pwned\x07 name"
		mgr, sales := e.session("mgr"), e.session("sales")
		salesU := e.users["sales"]
		cl := e.newClient(&salesU)
		k := e.newContract(cl, 1000, true)
		ev := e.newEvent(k, nil)
		free := e.newContract(cl, 1000, true) // signed, no event yet
		okClient := domain.ClientInput{FullName: "Ok", Email: "ok." + itoa(e.next()) + "@example.fr"}
		okUser := domain.UserInput{FullName: "Ok", Email: "ok." + itoa(e.next()) + "@epic-events.test", Role: domain.RoleSales}
		okEvent := eventInput(target{contract: k}, e)
		cases := []struct {
			field string
			call  func() error
		}{
			{"full_name", func() error {
				in := okClient
				in.FullName = evil
				_, err := e.svc.Clients.Create(e.ctx, sales, in)
				return err
			}},
			{"email", func() error {
				in := okClient
				in.Email = "a\x1b@b.fr"
				_, err := e.svc.Clients.Create(e.ctx, sales, in)
				return err
			}},
			{"phone", func() error {
				in := okClient
				in.Phone = "01\x1b23456789"
				_, err := e.svc.Clients.Create(e.ctx, sales, in)
				return err
			}},
			{"company", func() error {
				in := okClient
				in.CompanyName = evil
				_, err := e.svc.Clients.Create(e.ctx, sales, in)
				return err
			}},
			{"full_name", func() error {
				in := okClient
				in.FullName = evil
				_, err := e.svc.Clients.Update(e.ctx, sales, cl.ID, cl.Version, in)
				return err
			}},
			{"full_name", func() error {
				in := okUser
				in.FullName = evil
				_, err := e.svc.Users.Create(e.ctx, mgr, in, testPassword)
				return err
			}},
			{"employee_no", func() error {
				in := okUser
				in.EmployeeNo = "EE\x9b42"
				_, err := e.svc.Users.Create(e.ctx, mgr, in, testPassword)
				return err
			}},
			{"phone", func() error {
				in := okUser
				in.Phone = evil
				_, err := e.svc.Users.Create(e.ctx, mgr, in, testPassword)
				return err
			}},
			{"name", func() error { _, err := e.svc.Companies.Create(e.ctx, mgr, evil); return err }},
			{"note", func() error {
				_, err := e.svc.Contracts.Pay(e.ctx, mgr, k.ID, domain.PaymentInput{AmountCents: 1, Note: evil})
				return err
			}},
			{"name", func() error {
				in := okEvent
				in.ContractID, in.Name = free.ID, evil
				_, err := e.svc.Events.Create(e.ctx, sales, in)
				return err
			}},
			{"location", func() error {
				in := okEvent
				in.Location = evil
				_, err := e.svc.Events.Update(e.ctx, mgr, ev.ID, ev.Version, in)
				return err
			}},
			{"notes", func() error {
				in := okEvent
				in.Notes = "line one\nline \x1b[2J two"
				_, err := e.svc.Events.Update(e.ctx, mgr, ev.ID, ev.Version, in)
				return err
			}},
			{"search", func() error { _, err := e.svc.Events.List(e.ctx, mgr, domain.ListQuery{Search: evil}); return err }},
		}
		before := e.snapshot()
		for i, c := range cases {
			if _, ok := validationMsg(c.call(), c.field); !ok {
				t.Errorf("case %d: %s accepted a control character", i, c.field)
			}
		}
		if e.snapshot() != before {
			t.Fatal("a refused input changed the database")
		}
		// Multi-line notes keep their newlines.
		in := okEvent
		in.Notes = "line one\nline two"
		got, err := e.svc.Events.Update(e.ctx, mgr, ev.ID, ev.Version, in)
		if err != nil || got.Notes != "line one\nline two" {
			t.Fatalf("notes: %q %v", got.Notes, err)
		}
	})
}

func TestLoginWithGarbageEmail(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		for _, email := range []string{"", "\x00\xff\xfe", "a\x1b[2J@b.fr", strings.Repeat("é", 400) + "@x.fr"} {
			if _, err := e.svc.Sessions.Login(e.ctx, email, "whatever password"); !errors.Is(err, domain.ErrWrongCredentials) {
				t.Fatalf("login as %q: %v", email, err)
			}
		}
	})
}
