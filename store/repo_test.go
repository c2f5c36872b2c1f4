package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

var bg = context.Background()

func mkUser(t *testing.T, db *store.DB, role domain.Role, name string) domain.User {
	t.Helper()
	u := domain.User{
		FullName: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@epic.test",
		Role: role, Active: true, PasswordHash: "$argon2id$placeholder",
	}
	if err := db.Users().Create(bg, &u, nil); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func mkClient(t *testing.T, db *store.DB, name string, company *int64, sales *int64, by int64) domain.Client {
	t.Helper()
	c := domain.Client{
		FullName: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@client.test",
		Phone: "+33 1 23 45 67 89", CompanyID: company, SalesContactID: sales,
	}
	if err := db.Clients().Create(bg, &c, by); err != nil {
		t.Fatalf("create client %s: %v", name, err)
	}
	return c
}

func mkContract(t *testing.T, db *store.DB, clientID int64, total int64, by int64) domain.Contract {
	t.Helper()
	k := domain.Contract{ClientID: clientID, TotalCents: total, RemainingCents: total}
	if err := db.Contracts().Create(bg, &k, by); err != nil {
		t.Fatalf("create contract: %v", err)
	}
	return k
}

func sign(t *testing.T, db *store.DB, k *domain.Contract, by int64) {
	t.Helper()
	now := time.Now().UTC()
	k.Status, k.SignedAt, k.SignedByID = domain.ContractSigned, &now, &by
	if err := db.Contracts().Update(bg, k, by); err != nil {
		t.Fatalf("sign contract: %v", err)
	}
}

func mkEvent(t *testing.T, db *store.DB, contractID int64, name string, start time.Time, support *int64, by int64) domain.Event {
	t.Helper()
	e := domain.Event{
		Name: name, ContractID: contractID, Start: start, End: start.Add(4 * time.Hour),
		Location: "Lyon", Attendees: 80, Notes: "line 1\nline 2", SupportContactID: support,
	}
	if err := db.Events().Create(bg, &e, by); err != nil {
		t.Fatalf("create event %s: %v", name, err)
	}
	return e
}

func ptr[T any](v T) *T { return &v }

// noDriverText fails when err's message shows driver or SQL text.
func noDriverText(t *testing.T, err error) {
	t.Helper()
	msg := strings.ToLower(err.Error())
	for _, bad := range []string{"sqlstate", "unique constraint", "duplicate key", "violates", "sql logic", "constraint failed", "syntax"} {
		if strings.Contains(msg, bad) {
			t.Errorf("error leaks driver text: %q", err)
		}
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		if !strings.HasPrefix(boss.EmployeeNo, "EE-") || boss.Version != 1 || boss.ID == 0 {
			t.Fatalf("created user = %+v", boss)
		}
		got, err := db.Users().GetByEmail(bg, "ANNE.Martin@EPIC.test")
		if err != nil || got.ID != boss.ID || got.EmployeeNo != boss.EmployeeNo || got.PasswordHash != boss.PasswordHash {
			t.Fatalf("GetByEmail = %+v, %v", got, err)
		}
		// Unique email (case-insensitive) and employee number.
		dup := domain.User{FullName: "Other", Email: "Anne.Martin@epic.test", Role: domain.RoleSales, Active: true}
		err = db.Users().Create(bg, &dup, &boss.ID)
		if !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("duplicate email: %v", err)
		}
		noDriverText(t, err)
		dup = domain.User{EmployeeNo: boss.EmployeeNo, FullName: "Other", Email: "other@epic.test", Role: domain.RoleSales, Active: true}
		if err := db.Users().Create(bg, &dup, &boss.ID); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("duplicate employee no: %v", err)
		}
		// Unknown role: refused by the foreign key.
		bad := domain.User{FullName: "X", Email: "x@epic.test", Role: "janitor", Active: true}
		if err := db.Users().Create(bg, &bad, nil); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("unknown role: %v", err)
		}
		// A given employee number is kept; generated ones skip it.
		manual := domain.User{EmployeeNo: "EE-0004", FullName: "Manual", Email: "manual@epic.test", Role: domain.RoleSupport, Active: true}
		if err := db.Users().Create(bg, &manual, &boss.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			u := mkUser(t, db, domain.RoleSales, fmt.Sprintf("Gen %d", i))
			if u.EmployeeNo == "" || u.EmployeeNo == "EE-0004" && u.ID != manual.ID {
				t.Fatalf("generated employee no %q", u.EmployeeNo)
			}
		}

		// Optimistic update.
		sales := mkUser(t, db, domain.RoleSales, "Paul Durand")
		stale := sales
		sales.FullName, sales.Phone = "Paul Durand-Roux", "06 12 34 56 78"
		if err := db.Users().Update(bg, &sales, boss.ID); err != nil || sales.Version != 2 {
			t.Fatalf("update: %v, version %d", err, sales.Version)
		}
		stale.FullName = "Stale"
		if err := db.Users().Update(bg, &stale, boss.ID); !errors.Is(err, domain.ErrConflict) || errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("stale update: %v", err)
		}
		got, _ = db.Users().Get(bg, sales.ID)
		if got.FullName != "Paul Durand-Roux" || got.Version != 2 || got.UpdatedBy != "Anne Martin" || got.PasswordHash != "$argon2id$placeholder" {
			t.Fatalf("after stale update: %+v", got)
		}
		missing := domain.User{ID: 999999, Version: 1, FullName: "Nobody", Email: "n@epic.test", Role: domain.RoleSales}
		if err := db.Users().Update(bg, &missing, boss.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("update missing: %v", err)
		}

		if err := db.Users().SetPassword(bg, sales.ID, "$argon2id$new"); err != nil {
			t.Fatal(err)
		}
		at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
		if err := db.Users().InvalidateSessions(bg, sales.ID, at); err != nil {
			t.Fatal(err)
		}
		st, err := db.Users().State(bg, sales.ID)
		if err != nil || !st.ValidAfter.Equal(at) || st.Role != domain.RoleSales || !st.Active || st.Name != "Paul Durand-Roux" {
			t.Fatalf("state = %+v, %v", st, err)
		}
		if _, err := db.Users().State(bg, 424242); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("state of missing: %v", err)
		}
		if got, _ := db.Users().Get(bg, sales.ID); got.PasswordHash != "$argon2id$new" {
			t.Fatalf("password not set")
		}
		if n, err := db.Users().CountActiveManagers(bg); err != nil || n != 1 {
			t.Fatalf("managers = %d, %v", n, err)
		}
		if n, err := db.Users().Count(bg); err != nil || n != 6 {
			t.Fatalf("count = %d, %v", n, err)
		}

		// Candidates and the counts behind the "cannot delete" rule.
		sup := mkUser(t, db, domain.RoleSupport, "Zoé Support")
		cl := mkClient(t, db, "Client Un", nil, &sales.ID, boss.ID)
		k := mkContract(t, db, cl.ID, 1000, boss.ID)
		sign(t, db, &k, boss.ID)
		now := time.Now().UTC()
		mkEvent(t, db, k.ID, "Gala", now.Add(48*time.Hour), &sup.ID, boss.ID)
		if n, _ := db.Users().CountClients(bg, sales.ID); n != 1 {
			t.Errorf("CountClients = %d", n)
		}
		if n, _ := db.Users().CountFutureEvents(bg, sup.ID, now); n != 1 {
			t.Errorf("CountFutureEvents = %d", n)
		}
		if n, _ := db.Users().CountFutureEvents(bg, sup.ID, now.Add(72*time.Hour)); n != 0 {
			t.Errorf("CountFutureEvents later = %d", n)
		}
		cands, err := db.Users().Candidates(bg, domain.RoleSupport, now)
		if err != nil {
			t.Fatal(err)
		}
		if len(cands) != 2 || cands[1].ID != sup.ID || cands[1].UpcomingEvents != 1 || cands[0].UpcomingEvents != 0 {
			t.Fatalf("support candidates = %+v", cands)
		}
		cands, _ = db.Users().Candidates(bg, domain.RoleSales, now)
		found := false
		for _, c := range cands {
			if c.ID == sales.ID {
				found = c.ClientCount == 1
			}
		}
		if !found {
			t.Errorf("sales candidates = %+v", cands)
		}

		// Deleting a user keeps the audit trail readable and clears the
		// support contact of their events.
		if err := db.Users().Delete(bg, sup.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Users().Get(bg, sup.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := db.Users().Delete(bg, sup.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestCompanies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		c := domain.Company{Name: "Événements Dupont"}
		if err := db.Companies().Create(bg, &c); err != nil || c.ID == 0 {
			t.Fatal(err)
		}
		if err := db.Companies().Create(bg, &domain.Company{Name: "ÉVÉNEMENTS DUPONT"}); db.Dialect() == store.DialectPostgres && !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("duplicate (unicode case) name: %v", err)
		}
		if err := db.Companies().Create(bg, &domain.Company{Name: "événements dupont"}); !errors.Is(err, domain.ErrDuplicate) && db.Dialect() == store.DialectPostgres {
			t.Fatalf("duplicate name: %v", err)
		}
		a := domain.Company{Name: "Acme 100% Bio"}
		b := domain.Company{Name: "Acme_Corp"}
		for _, x := range []*domain.Company{&a, &b} {
			if err := db.Companies().Create(bg, x); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Companies().Create(bg, &domain.Company{Name: "acme_corp"}); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("duplicate name: %v", err)
		}
		got, err := db.Companies().GetByName(bg, "ACME_CORP")
		if err != nil || got.ID != b.ID {
			t.Fatalf("GetByName = %+v, %v", got, err)
		}
		res, _ := db.Companies().Search(bg, "%", 10)
		if len(res) != 1 || res[0].ID != a.ID {
			t.Fatalf("search %% = %+v", res)
		}
		res, _ = db.Companies().Search(bg, "_", 10)
		if len(res) != 1 || res[0].ID != b.ID {
			t.Fatalf("search _ = %+v", res)
		}
		res, _ = db.Companies().Search(bg, "acme", 10)
		if len(res) != 2 {
			t.Fatalf("search acme = %+v", res)
		}
		if err := db.Companies().Rename(bg, a.ID, "Acme Bio"); err != nil {
			t.Fatal(err)
		}
		if err := db.Companies().Rename(bg, a.ID, "ACME_corp"); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("rename onto another: %v", err)
		}
		if got, _ := db.Companies().Get(bg, a.ID); got.Name != "Acme Bio" {
			t.Fatalf("after rename: %+v", got)
		}
		if err := db.Companies().Rename(bg, 98765, "X"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("rename missing: %v", err)
		}
	})
}

func TestClients(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		sales := mkUser(t, db, domain.RoleSales, "Paul Durand")
		co := domain.Company{Name: "Durand SA"}
		if err := db.Companies().Create(bg, &co); err != nil {
			t.Fatal(err)
		}
		c := mkClient(t, db, "Kevin Casey", &co.ID, &sales.ID, sales.ID)
		got, err := db.Clients().Get(bg, c.ID)
		if err != nil || got.CompanyName != "Durand SA" || got.SalesContactName != "Paul Durand" || got.UpdatedBy != "Paul Durand" ||
			got.Version != 1 || got.CreatedAt.Location() != time.UTC {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if _, err := db.Clients().GetByEmail(bg, "KEVIN.casey@client.test"); err != nil {
			t.Fatal(err)
		}
		dup := domain.Client{FullName: "Other", Email: "Kevin.Casey@Client.test"}
		if err := db.Clients().Create(bg, &dup, boss.ID); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("duplicate email: %v", err)
		}
		badCo := int64(424242)
		bad := domain.Client{FullName: "Other", Email: "other@client.test", CompanyID: &badCo}
		err = db.Clients().Create(bg, &bad, boss.ID)
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("unknown company: %v", err)
		}
		noDriverText(t, err)

		stale := got
		got.Phone = "01 02 03 04 05"
		got.SalesContactID = &boss.ID
		if err := db.Clients().Update(bg, &got, boss.ID); err != nil || got.Version != 2 {
			t.Fatalf("update: %v", err)
		}
		stale.FullName = "Overwritten"
		if err := db.Clients().Update(bg, &stale, sales.ID); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		now, _ := db.Clients().Get(bg, c.ID)
		if now.FullName != "Kevin Casey" || now.Phone != "01 02 03 04 05" || now.SalesContactName != "Anne Martin" || now.UpdatedBy != "Anne Martin" || now.Version != 2 {
			t.Fatalf("after stale update: %+v", now)
		}

		// Deleting a client takes its draft contracts and their payments.
		k := mkContract(t, db, c.ID, 5000, boss.ID)
		if err := db.Contracts().Pay(bg, &domain.Payment{ContractID: k.ID, AmountCents: 1000}, boss.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Clients().Delete(bg, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Contracts().Get(bg, k.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("contract after client delete: %v", err)
		}
		if err := db.Clients().Delete(bg, c.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestContractsAndPayments(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := bg
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		sales := mkUser(t, db, domain.RoleSales, "Paul Durand")
		c := mkClient(t, db, "Kevin Casey", nil, &sales.ID, sales.ID)
		k := mkContract(t, db, c.ID, 10000, boss.ID)
		got, err := db.Contracts().Get(ctx, k.ID)
		if err != nil || got.Status != domain.ContractDraft || got.ClientName != "Kevin Casey" || got.SalesContactName != "Paul Durand" ||
			got.SalesContactID == nil || *got.SalesContactID != sales.ID || got.EventID != nil || got.SignedAt != nil {
			t.Fatalf("get = %+v, %v", got, err)
		}
		// CHECK 0 <= remaining <= total, through the repository and raw.
		over := domain.Contract{ClientID: c.ID, TotalCents: 100, RemainingCents: 101}
		err = db.Contracts().Create(ctx, &over, boss.ID)
		if !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("remaining > total: %v", err)
		}
		noDriverText(t, err)
		neg := domain.Contract{ClientID: c.ID, TotalCents: 100, RemainingCents: -1}
		if err := db.Contracts().Create(ctx, &neg, boss.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("remaining < 0: %v", err)
		}
		if err := store.ExecForTest(ctx, db, "UPDATE contracts SET remaining_cents = total_cents + 1 WHERE id = ?", k.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("raw remaining > total: %v", err)
		}
		if err := store.ExecForTest(ctx, db, "UPDATE contracts SET status = ? WHERE id = ?", "cancelled", k.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("bad status: %v", err)
		}
		if err := store.ExecForTest(ctx, db, "INSERT INTO payments (contract_id, amount_cents, paid_at, created_at) VALUES (?, 0, ?, ?)", k.ID, time.Now().UTC(), time.Now().UTC()); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("raw payment 0: %v", err)
		}
		if err := db.Contracts().Pay(ctx, &domain.Payment{ContractID: k.ID, AmountCents: 0}, boss.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("payment 0: %v", err)
		}

		// Optimistic update; a stale one changes nothing.
		stale := got
		got.TotalCents, got.RemainingCents = 12000, 12000
		if err := db.Contracts().Update(ctx, &got, boss.ID); err != nil || got.Version != 2 {
			t.Fatalf("update: %v", err)
		}
		stale.TotalCents, stale.RemainingCents = 1, 1
		if err := db.Contracts().Update(ctx, &stale, boss.ID); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		sign(t, db, &got, sales.ID)
		got, _ = db.Contracts().Get(ctx, k.ID)
		if got.TotalCents != 12000 || got.Status != domain.ContractSigned || got.SignedByName != "Paul Durand" || got.SignedAt == nil || got.Version != 3 {
			t.Fatalf("after sign: %+v", got)
		}
		if n, _ := db.Contracts().CountSigned(ctx, c.ID); n != 1 {
			t.Fatalf("CountSigned = %d", n)
		}

		// Payments lower the remaining amount and bump the version.
		paidAt := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
		p := domain.Payment{ContractID: k.ID, AmountCents: 2000, PaidAt: paidAt, Note: "acompte"}
		if err := db.Contracts().Pay(ctx, &p, sales.ID); err != nil || p.ID == 0 {
			t.Fatalf("pay: %v", err)
		}
		if err := db.Contracts().Pay(ctx, &domain.Payment{ContractID: k.ID, AmountCents: 10001}, sales.ID); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("overdraw: %v", err)
		}
		if err := db.Contracts().Pay(ctx, &domain.Payment{ContractID: 99999, AmountCents: 1}, sales.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("pay missing contract: %v", err)
		}
		got, _ = db.Contracts().Get(ctx, k.ID)
		if got.RemainingCents != 10000 || got.Version != 4 {
			t.Fatalf("after pay: %+v", got)
		}
		ps, err := db.Contracts().Payments(ctx, k.ID)
		if err != nil || len(ps) != 1 || ps[0].AmountCents != 2000 || !ps[0].PaidAt.Equal(paidAt) || ps[0].Note != "acompte" ||
			ps[0].RecordedByID != sales.ID || ps[0].RecordedByName != "Paul Durand" {
			t.Fatalf("payments = %+v, %v", ps, err)
		}

		// The event id is joined; a contract with an event cannot be deleted.
		ev := mkEvent(t, db, k.ID, "Gala", time.Now().Add(time.Hour), nil, sales.ID)
		got, _ = db.Contracts().Get(ctx, k.ID)
		if got.EventID == nil || *got.EventID != ev.ID {
			t.Fatalf("event id = %v", got.EventID)
		}
		if err := db.Contracts().Delete(ctx, k.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("delete contract with event: %v", err)
		}
		d := mkContract(t, db, c.ID, 500, boss.ID)
		if err := db.Contracts().Delete(ctx, d.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Contracts().Delete(ctx, d.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})
}

func TestEvents(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := bg
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		sales := mkUser(t, db, domain.RoleSales, "Paul Durand")
		sup := mkUser(t, db, domain.RoleSupport, "Kate Hastings")
		co := domain.Company{Name: "Hastings SARL"}
		_ = db.Companies().Create(ctx, &co)
		c := mkClient(t, db, "Kevin Casey", &co.ID, &sales.ID, sales.ID)
		k := mkContract(t, db, c.ID, 10000, boss.ID)
		sign(t, db, &k, boss.ID)
		start := time.Date(2031, 6, 4, 13, 0, 0, 0, time.FixedZone("CEST", 2*3600))
		ev := mkEvent(t, db, k.ID, "John Quick Wedding", start, nil, sales.ID)
		got, err := db.Events().Get(ctx, ev.ID)
		if err != nil || !got.Start.Equal(start) || got.Start.Location() != time.UTC || got.ClientID != c.ID || got.ClientName != "Kevin Casey" ||
			got.CompanyName != "Hastings SARL" || got.SalesContactID == nil || *got.SalesContactID != sales.ID ||
			got.Status != domain.EventPlanned || got.Notes != "line 1\nline 2" || got.SupportContactID != nil {
			t.Fatalf("get = %+v, %v", got, err)
		}
		if g2, err := db.Events().GetByContract(ctx, k.ID); err != nil || g2.ID != ev.ID {
			t.Fatalf("GetByContract = %v", err)
		}
		// One event per contract.
		again := domain.Event{Name: "Again", ContractID: k.ID, Start: start, End: start.Add(time.Hour)}
		if err := db.Events().Create(ctx, &again, boss.ID); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("second event: %v", err)
		}
		// CHECKs: end > start, attendees >= 0, status.
		k2 := mkContract(t, db, c.ID, 100, boss.ID)
		for name, e := range map[string]domain.Event{
			"end = start":     {Name: "x", ContractID: k2.ID, Start: start, End: start},
			"end < start":     {Name: "x", ContractID: k2.ID, Start: start, End: start.Add(-time.Minute)},
			"attendees < 0":   {Name: "x", ContractID: k2.ID, Start: start, End: start.Add(time.Hour), Attendees: -1},
			"unknown status":  {Name: "x", ContractID: k2.ID, Start: start, End: start.Add(time.Hour), Status: "lost"},
			"unknown support": {Name: "x", ContractID: k2.ID, Start: start, End: start.Add(time.Hour), SupportContactID: ptr(int64(9999))},
		} {
			err := db.Events().Create(ctx, &e, boss.ID)
			if !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			} else {
				noDriverText(t, err)
			}
		}
		// Optimistic update.
		stale := got
		got.SupportContactID = &sup.ID
		got.Status = domain.EventConfirmed
		if err := db.Events().Update(ctx, &got, boss.ID); err != nil || got.Version != 2 {
			t.Fatalf("update: %v", err)
		}
		stale.Name = "Stale"
		if err := db.Events().Update(ctx, &stale, boss.ID); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("stale: %v", err)
		}
		bad := got
		bad.End = bad.Start
		if err := db.Events().Update(ctx, &bad, boss.ID); !errors.Is(err, domain.ErrInvalid) {
			t.Fatalf("update end = start: %v", err)
		}
		got, _ = db.Events().Get(ctx, ev.ID)
		if got.Name != "John Quick Wedding" || got.SupportContactName != "Kate Hastings" || got.Status != domain.EventConfirmed || got.Version != 2 || got.UpdatedBy != "Anne Martin" {
			t.Fatalf("after stale: %+v", got)
		}
		if err := db.Events().Delete(ctx, ev.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Events().Get(ctx, ev.ID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("deleted: %v", err)
		}
	})
}

func TestAuditPermsTokensLogins(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := bg
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		t0 := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		for i := 0; i < 5; i++ {
			e := domain.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), ActorID: &boss.ID, Action: "client.update",
				Entity: "client", EntityID: int64(1 + i%2), Changes: []domain.Change{{Field: "phone", Old: "1", New: "2"}}}
			if err := db.Audit().Add(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		failed := domain.AuditEntry{At: t0.Add(time.Hour), ActorName: "intrus@example.com", Action: "user.login_failed", Entity: "session"}
		if err := db.Audit().Add(ctx, &failed); err != nil {
			t.Fatal(err)
		}
		p, err := db.Audit().List(ctx, domain.ListQuery{Limit: 3})
		if err != nil || len(p.Items) != 3 || p.Items[0].Action != "user.login_failed" || p.Items[1].ActorName != "Anne Martin" ||
			len(p.Items[1].Changes) != 1 || p.Items[1].Changes[0].New != "2" || p.Next == "" {
			t.Fatalf("audit newest first = %+v, %v", p, err)
		}
		p, _ = db.Audit().List(ctx, domain.ListQuery{Entity: "client", EntityID: 1, Limit: 50})
		if len(p.Items) != 3 {
			t.Fatalf("history of client 1 = %d entries", len(p.Items))
		}
		p, _ = db.Audit().List(ctx, domain.ListQuery{Search: "INTRUS"})
		if len(p.Items) != 1 {
			t.Fatalf("audit search = %+v", p.Items)
		}
		if err := store.ExecForTest(ctx, db, "UPDATE audit_entries SET action = ?", "x"); err == nil {
			t.Fatal("audit entries could be updated")
		}
		if err := store.ExecForTest(ctx, db, "DELETE FROM audit_entries"); err == nil {
			t.Fatal("audit entries could be deleted")
		}

		// Grants and revokes bump the version; unknown codes are refused.
		v0, _ := db.Perms().Version(ctx)
		if err := db.Perms().Grant(ctx, domain.RoleSales, "contract:create:own_client"); err != nil {
			t.Fatal(err)
		}
		v1, _ := db.Perms().Version(ctx)
		codes, _ := db.Perms().ForRole(ctx, domain.RoleSales)
		if v1 <= v0 || !contains(codes, "contract:create:own_client") {
			t.Fatalf("after grant: v %d→%d, %v", v0, v1, codes)
		}
		if err := db.Perms().Grant(ctx, domain.RoleSales, "contract:create:own_client"); err != nil {
			t.Fatalf("grant twice: %v", err)
		}
		if err := db.Perms().Revoke(ctx, domain.RoleSales, "contract:create:own_client"); err != nil {
			t.Fatal(err)
		}
		v2, _ := db.Perms().Version(ctx)
		codes, _ = db.Perms().ForRole(ctx, domain.RoleSales)
		if v2 <= v1 || contains(codes, "contract:create:own_client") {
			t.Fatalf("after revoke: v %d→%d, %v", v1, v2, codes)
		}
		if err := db.Perms().Grant(ctx, domain.RoleSales, "rocket:launch:any"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("unknown code: %v", err)
		}
		if err := db.Perms().Grant(ctx, "janitor", "client:read:any"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("unknown role: %v", err)
		}

		// Refresh tokens.
		now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		tok := domain.RefreshToken{Hash: "h1", FamilyID: "f1", UserID: boss.ID, IssuedAt: now, ExpiresAt: now.Add(7 * 24 * time.Hour)}
		if err := db.Tokens().Create(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if err := db.Tokens().Create(ctx, tok); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("same hash twice: %v", err)
		}
		next := domain.RefreshToken{Hash: "h2", FamilyID: "f1", UserID: boss.ID, IssuedAt: now, ExpiresAt: tok.ExpiresAt}
		if err := db.Tokens().Rotate(ctx, "h1", next, now); err != nil {
			t.Fatal(err)
		}
		if err := db.Tokens().Rotate(ctx, "h1", domain.RefreshToken{Hash: "h3", FamilyID: "f1", UserID: boss.ID, IssuedAt: now, ExpiresAt: tok.ExpiresAt}, now); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("rotate twice: %v", err)
		}
		if _, err := db.Tokens().Get(ctx, "h3"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("loser's token stored: %v", err)
		}
		if err := db.Tokens().Rotate(ctx, "h2", domain.RefreshToken{Hash: "h4", FamilyID: "f1", UserID: boss.ID, IssuedAt: now, ExpiresAt: tok.ExpiresAt}, tok.ExpiresAt); !errors.Is(err, domain.ErrConflict) {
			t.Fatalf("rotate expired: %v", err)
		}
		old, _ := db.Tokens().Get(ctx, "h1")
		if old.RotatedAt == nil || !old.RotatedAt.Equal(now) || old.RevokedAt != nil {
			t.Fatalf("h1 = %+v", old)
		}
		if st, err := db.Tokens().Family(ctx, "f1"); err != nil || st.RevokedAt != nil || !st.ExpiresAt.Equal(tok.ExpiresAt) {
			t.Fatalf("live family = %+v, %v", st, err)
		}
		if err := db.Tokens().RevokeFamily(ctx, "f1", now.Add(time.Minute), domain.EndLogout); err != nil {
			t.Fatal(err)
		}
		if h2, _ := db.Tokens().Get(ctx, "h2"); h2.RevokedAt == nil || h2.Why != domain.EndLogout {
			t.Fatalf("family not revoked, or without why: %+v", h2)
		}
		if st, err := db.Tokens().Family(ctx, "f1"); err != nil || st.RevokedAt == nil || st.Why != domain.EndLogout {
			t.Fatalf("revoked family = %+v, %v", st, err)
		}
		if _, err := db.Tokens().Family(ctx, "nope"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("unknown family: %v", err)
		}
		if err := db.Tokens().Create(ctx, domain.RefreshToken{Hash: "h9", FamilyID: "f9", UserID: boss.ID, IssuedAt: now, ExpiresAt: tok.ExpiresAt}); err != nil {
			t.Fatal(err)
		}
		if err := db.Tokens().RevokeUser(ctx, boss.ID, now, domain.EndRoleChanged); err != nil {
			t.Fatal(err)
		}
		if h9, _ := db.Tokens().Get(ctx, "h9"); h9.RevokedAt == nil {
			t.Fatal("user's tokens not revoked")
		}

		// Failed logins, per lower-cased email.
		if st, err := db.Logins().Get(ctx, "who@x.test"); err != nil || st.Failures != 0 {
			t.Fatalf("zero state = %+v, %v", st, err)
		}
		for i := 1; i <= 3; i++ {
			st, err := db.Logins().Fail(ctx, "Who@X.test", now.Add(time.Duration(i)*time.Second))
			if err != nil || st.Failures != i || !st.LastFailure.Equal(now.Add(time.Duration(i)*time.Second)) {
				t.Fatalf("fail %d = %+v, %v", i, st, err)
			}
		}
		if err := db.Logins().Reset(ctx, "WHO@x.test"); err != nil {
			t.Fatal(err)
		}
		if st, _ := db.Logins().Get(ctx, "who@x.test"); st.Failures != 0 {
			t.Fatalf("after reset = %+v", st)
		}
	})
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A transaction's error rolls everything back; repositories reached through
// tx see its writes.
func TestTxRollback(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		errStop := errors.New("stop")
		err := db.Tx(bg, func(tx domain.Store) error {
			c := domain.Client{FullName: "Temp", Email: "temp@client.test"}
			if err := tx.Clients().Create(bg, &c, boss.ID); err != nil {
				return err
			}
			// A refused statement inside the transaction leaves it usable.
			dup := domain.Client{FullName: "Temp2", Email: "TEMP@client.test"}
			if err := tx.Clients().Create(bg, &dup, boss.ID); !errors.Is(err, domain.ErrDuplicate) {
				t.Errorf("duplicate in tx: %v", err)
			}
			if _, err := tx.Clients().Get(bg, c.ID); err != nil {
				t.Errorf("read own write after a refused statement: %v", err)
			}
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Fatalf("tx error = %v", err)
		}
		if _, err := db.Clients().GetByEmail(bg, "temp@client.test"); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("rolled back client exists: %v", err)
		}
	})
}

// Two goroutines pay the last euro at once: exactly one succeeds.
func TestConcurrentLastEuro(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		c := mkClient(t, db, "Kevin Casey", nil, nil, boss.ID)
		for round := 0; round < 5; round++ {
			k := mkContract(t, db, c.ID, 100, boss.ID)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = db.Tx(bg, func(tx domain.Store) error {
						if _, err := tx.Contracts().Get(bg, k.ID); err != nil {
							return err
						}
						return tx.Contracts().Pay(bg, &domain.Payment{ContractID: k.ID, AmountCents: 100}, boss.ID)
					})
				}()
			}
			close(start)
			wg.Wait()
			ok, conflict := 0, 0
			for _, err := range errs {
				switch {
				case err == nil:
					ok++
				case errors.Is(err, domain.ErrConflict):
					conflict++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			got, _ := db.Contracts().Get(bg, k.ID)
			ps, _ := db.Contracts().Payments(bg, k.ID)
			if ok != 1 || conflict != 1 || got.RemainingCents != 0 || len(ps) != 1 {
				t.Fatalf("round %d: %d ok, %d conflicts, remaining %d, %d payments", round, ok, conflict, got.RemainingCents, len(ps))
			}
		}
	})
}

// Two concurrent rotations of one refresh token: exactly one wins.
func TestConcurrentRotation(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		now := time.Now().UTC()
		for round := 0; round < 5; round++ {
			old := fmt.Sprintf("old-%d", round)
			fam := fmt.Sprintf("fam-%d", round)
			if err := db.Tokens().Create(bg, domain.RefreshToken{Hash: old, FamilyID: fam, UserID: boss.ID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					next := domain.RefreshToken{Hash: fmt.Sprintf("new-%d-%d", round, i), FamilyID: fam, UserID: boss.ID, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
					errs[i] = db.Tokens().Rotate(bg, old, next, now)
				}()
			}
			close(start)
			wg.Wait()
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
				} else if !errors.Is(err, domain.ErrConflict) {
					t.Errorf("unexpected error: %v", err)
				}
			}
			if wins != 1 {
				t.Fatalf("round %d: %d rotations won", round, wins)
			}
		}
	})
}

// Concurrent writers wait for each other instead of failing with "database
// is locked" (SQLite), and none of their writes is lost.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		const workers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, workers*each*2)
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					errs <- db.Tx(bg, func(tx domain.Store) error {
						c := domain.Client{FullName: fmt.Sprintf("W%d C%d", w, i), Email: fmt.Sprintf("w%d.c%d@client.test", w, i)}
						if err := tx.Clients().Create(bg, &c, boss.ID); err != nil {
							return err
						}
						return tx.Audit().Add(bg, &domain.AuditEntry{ActorID: &boss.ID, Action: "client.create", Entity: "client", EntityID: c.ID})
					})
					// Writes outside a transaction wait too.
					_, err := db.Logins().Fail(bg, fmt.Sprintf("w%d@x.test", w), time.Now())
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("concurrent write failed: %v", err)
			}
		}
		p, err := db.Clients().List(bg, domain.ListQuery{Limit: 500})
		if err != nil || len(p.Items) != workers*each {
			t.Fatalf("%d clients, %v", len(p.Items), err)
		}
		st, _ := db.Logins().Get(bg, "w3@x.test")
		if st.Failures != each {
			t.Fatalf("failures = %d, want %d", st.Failures, each)
		}
	})
}
