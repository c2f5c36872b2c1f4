package store_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// fixture is a small data set with ties on every sort key.
type fixture struct {
	boss, sales1, sales2, sup   domain.User
	companies                   []domain.Company
	clients                     []domain.Client
	contracts                   []domain.Contract
	events                      []domain.Event
	now                         time.Time
	pctClient, underscoreClient domain.Client
	backslashClient             domain.Client
}

func seed(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
	f.boss = mkUser(t, db, domain.RoleManagement, "Anne Martin")
	f.sales1 = mkUser(t, db, domain.RoleSales, "Paul Durand")
	f.sales2 = mkUser(t, db, domain.RoleSales, "Paul Durand Bis")
	f.sup = mkUser(t, db, domain.RoleSupport, "Kate Hastings")
	for i := 0; i < 8; i++ {
		u := domain.User{FullName: fmt.Sprintf("Same Name %d", i%3), Email: fmt.Sprintf("same%d@epic.test", i), Role: domain.RoleSupport, Active: true}
		if err := db.Users().Create(bg, &u, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"Dupont SA", "Acme", "Lefèvre & Fils"} {
		c := domain.Company{Name: n}
		if err := db.Companies().Create(bg, &c); err != nil {
			t.Fatal(err)
		}
		f.companies = append(f.companies, c)
	}
	names := []string{"Alice Roux", "Bruno Petit", "Alice Roux", "Chloé Morel", "Denis Faure", "Alice Roux", "Émile Blanc"}
	for i := 0; i < 35; i++ {
		co := &f.companies[i%3].ID
		if i%5 == 4 {
			co = nil
		}
		sales := &f.sales1.ID
		if i%3 == 1 {
			sales = &f.sales2.ID
		}
		c := domain.Client{FullName: names[i%len(names)], Email: fmt.Sprintf("client%02d@client.test", i), CompanyID: co, SalesContactID: sales}
		if err := db.Clients().Create(bg, &c, f.boss.ID); err != nil {
			t.Fatal(err)
		}
		f.clients = append(f.clients, c)
	}
	special := func(name, email string) domain.Client {
		c := domain.Client{FullName: name, Email: email}
		if err := db.Clients().Create(bg, &c, f.boss.ID); err != nil {
			t.Fatal(err)
		}
		f.clients = append(f.clients, c)
		return c
	}
	f.pctClient = special("Remise 100% Garantie", "pct@client.test")
	f.underscoreClient = special("Jean_Pierre", "jp@client.test")
	f.backslashClient = special(`Back\slash`, "bs@client.test")
	// Ties on created/updated: a few rows share the same instant.
	tie := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 35; i += 4 {
		if err := store.ExecForTest(bg, db, "UPDATE clients SET created_at = ?, updated_at = ? WHERE id = ?", tie, tie, f.clients[i].ID); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 60; i++ {
		cl := f.clients[i%35]
		total := int64(1000 * (1 + i%4))
		k := domain.Contract{ClientID: cl.ID, TotalCents: total, RemainingCents: total}
		if i%3 == 0 {
			k.RemainingCents = 0
		} else if i%3 == 1 {
			k.RemainingCents = total / 2
		}
		if err := db.Contracts().Create(bg, &k, f.boss.ID); err != nil {
			t.Fatal(err)
		}
		if i%4 != 3 {
			sign(t, db, &k, f.boss.ID)
		}
		f.contracts = append(f.contracts, k)
	}
	for i := 0; i < 60; i += 2 {
		k := f.contracts[i]
		if k.Status != domain.ContractSigned {
			continue
		}
		start := f.now.Add(time.Duration(i-30) * 24 * time.Hour)
		if i%6 == 0 {
			start = f.now.Add(time.Hour) // ties on start
		}
		var sup *int64
		if i%4 == 0 {
			sup = &f.sup.ID
		}
		name := fmt.Sprintf("Soirée %d", i%5)
		if i == 10 {
			name = "Fête 50% off"
		}
		f.events = append(f.events, mkEvent(t, db, k.ID, name, start, sup, f.sales1.ID))
	}
	for i := 0; i < 30; i++ {
		e := domain.AuditEntry{At: tie.Add(time.Duration(i%4) * time.Minute), ActorID: &f.boss.ID, Action: "client.update", Entity: "client", EntityID: int64(i)}
		if err := db.Audit().Add(bg, &e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// walk pages through a list with a small limit and checks it yields exactly
// the rows of one big page, in the same order: no duplicate, no gap.
func walk[T any](t *testing.T, name string, list func(context.Context, domain.ListQuery) (domain.Page[T], error), q domain.ListQuery, id func(T) int64) []int64 {
	t.Helper()
	all := q
	all.Limit = 500
	full, err := list(bg, all)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if full.Next != "" {
		t.Fatalf("%s: fixture larger than one page", name)
	}
	var want []int64
	for _, it := range full.Items {
		want = append(want, id(it))
	}
	var got []int64
	q.Limit = 4
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("%s: endless pagination", name)
		}
		p, err := list(bg, q)
		if err != nil {
			t.Fatalf("%s: page %d: %v", name, pages, err)
		}
		if len(p.Items) > 4 {
			t.Fatalf("%s: page of %d rows", name, len(p.Items))
		}
		if pages > 0 && len(p.Items) > 0 {
			// Prev leads back to the rows just read.
			bq := q
			bq.After, bq.Before = "", p.Prev
			bp, err := list(bg, bq)
			if err != nil || len(bp.Items) == 0 || id(bp.Items[len(bp.Items)-1]) != got[len(got)-1] {
				t.Fatalf("%s: page %d: Before(Prev) does not end with row %d: %v", name, pages, got[len(got)-1], err)
			}
		}
		if pages == 0 && p.Prev != "" {
			t.Fatalf("%s: the first page has a previous page", name)
		}
		for _, it := range p.Items {
			got = append(got, id(it))
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: paginated ids\n %v\nwant\n %v", name, got, want)
	}
	walkBack(t, name, list, q, id, want)
	seen := map[int64]bool{}
	for _, x := range got {
		if seen[x] {
			t.Fatalf("%s: id %d twice", name, x)
		}
		seen[x] = true
	}
	return got
}

// walkBack reads the list from its end (Last, then Before each page's Prev)
// and checks it yields want; that each page's Next leads to the rows right
// after it; and that Count gives the exact total.
func walkBack[T any](t *testing.T, name string, list func(context.Context, domain.ListQuery) (domain.Page[T], error), q domain.ListQuery, id func(T) int64, want []int64) {
	t.Helper()
	q.After, q.Last, q.Count = "", true, true
	var got []int64
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("%s: endless backward pagination", name)
		}
		p, err := list(bg, q)
		if err != nil {
			t.Fatalf("%s: backward page %d: %v", name, pages, err)
		}
		if p.Total != int64(len(want)) || !p.Exact {
			t.Fatalf("%s: total %d (exact %v), want %d", name, p.Total, p.Exact, len(want))
		}
		page := make([]int64, 0, len(p.Items))
		for _, it := range p.Items {
			page = append(page, id(it))
		}
		if len(page) > 4 || (len(page) < 4 && p.Prev != "") {
			t.Fatalf("%s: backward page of %d rows, prev %q", name, len(page), p.Prev)
		}
		if pages == 0 && p.Next != "" {
			t.Fatalf("%s: the last page has a next page", name)
		}
		if pages > 0 {
			// The rows after this page are the ones read just before.
			nq := q
			nq.Last, nq.Before, nq.After, nq.Count = false, "", p.Next, false
			np, err := list(bg, nq)
			if err != nil || len(np.Items) == 0 || id(np.Items[0]) != got[0] {
				t.Fatalf("%s: next of backward page %d: %v", name, pages, err)
			}
		}
		got = append(page, got...)
		if p.Prev == "" {
			break
		}
		q.Last, q.Before = false, p.Prev
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: ids read backward\n %v\nwant\n %v", name, got, want)
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		for _, desc := range []bool{false, true} {
			for _, s := range domain.ListSorts["client"] {
				for _, flt := range domain.ListFilters["client"] {
					q := domain.ListQuery{Sort: s, Desc: desc, Filter: flt, ActorID: f.sales1.ID, Now: f.now}
					ids := walk(t, fmt.Sprintf("clients %s/%v/%s", s, desc, flt), db.Clients().List, q, func(c domain.Client) int64 { return c.ID })
					if flt == domain.FilterAll && len(ids) != len(f.clients) {
						t.Fatalf("clients: %d of %d", len(ids), len(f.clients))
					}
				}
			}
			for _, s := range domain.ListSorts["contract"] {
				for _, flt := range domain.ListFilters["contract"] {
					q := domain.ListQuery{Sort: s, Desc: desc, Filter: flt, ActorID: f.sales1.ID, Now: f.now}
					ids := walk(t, fmt.Sprintf("contracts %s/%v/%s", s, desc, flt), db.Contracts().List, q, func(c domain.Contract) int64 { return c.ID })
					if flt == domain.FilterAll && len(ids) != len(f.contracts) {
						t.Fatalf("contracts: %d of %d", len(ids), len(f.contracts))
					}
				}
			}
			for _, s := range domain.ListSorts["event"] {
				for _, flt := range domain.ListFilters["event"] {
					q := domain.ListQuery{Sort: s, Desc: desc, Filter: flt, ActorID: f.sup.ID, Role: domain.RoleSupport, Now: f.now}
					ids := walk(t, fmt.Sprintf("events %s/%v/%s", s, desc, flt), db.Events().List, q, func(e domain.Event) int64 { return e.ID })
					if flt == domain.FilterAll && len(ids) != len(f.events) {
						t.Fatalf("events: %d of %d", len(ids), len(f.events))
					}
				}
			}
			for _, s := range domain.ListSorts["user"] {
				for _, flt := range domain.ListFilters["user"] {
					q := domain.ListQuery{Sort: s, Desc: desc, Filter: flt}
					walk(t, fmt.Sprintf("users %s/%v/%s", s, desc, flt), db.Users().List, q, func(u domain.User) int64 { return u.ID })
				}
			}
			q := domain.ListQuery{Sort: domain.SortAt, Desc: desc}
			ids := walk(t, fmt.Sprintf("audit %v", desc), db.Audit().List, q, func(a domain.AuditEntry) int64 { return a.ID })
			if len(ids) != 30 {
				t.Fatalf("audit: %d of 30", len(ids))
			}
		}

		// Non-text keys come out in order (text order is the database's
		// collation, checked above against the one-page order).
		p, _ := db.Contracts().List(bg, domain.ListQuery{Sort: domain.SortTotal, Limit: 500})
		if !slices.IsSortedFunc(p.Items, func(a, b domain.Contract) int { return int(a.TotalCents - b.TotalCents) }) {
			t.Error("contracts not sorted by total")
		}
		e, _ := db.Events().List(bg, domain.ListQuery{Sort: domain.SortStart, Desc: true, Limit: 500})
		if !slices.IsSortedFunc(e.Items, func(a, b domain.Event) int { return b.Start.Compare(a.Start) }) {
			t.Error("events not sorted by start desc")
		}
		a, _ := db.Audit().List(bg, domain.ListQuery{Limit: 500})
		if !slices.IsSortedFunc(a.Items, func(x, y domain.AuditEntry) int { return y.At.Compare(x.At) }) {
			t.Error("audit not newest first")
		}

		// A cursor is opaque: garbage, or one made for another order, is
		// refused as invalid input.
		cp, _ := db.Clients().List(bg, domain.ListQuery{Limit: 2})
		for name, q := range map[string]domain.ListQuery{
			"garbage":    {After: "not-a-cursor!"},
			"base64":     {After: "eyJ4IjoxfQ"},
			"other sort": {After: cp.Next, Sort: domain.SortCreated},
			"other dir":  {After: cp.Next, Desc: true},
		} {
			if _, err := db.Clients().List(bg, q); !errors.Is(err, domain.ErrInvalid) {
				t.Errorf("%s cursor: %v", name, err)
			}
		}
		if _, err := db.Clients().List(bg, domain.ListQuery{Sort: "email; DROP TABLE clients"}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("unknown sort: %v", err)
		}
		if _, err := db.Clients().List(bg, domain.ListQuery{Filter: "unsigned"}); !errors.Is(err, domain.ErrInvalid) {
			t.Errorf("unknown filter: %v", err)
		}
		// Beyond the cap of an exact count, PostgreSQL estimates the total
		// (at least the rows counted); the others count exactly.
		store.SetCountCap(db, 5)
		for _, search := range []string{"", "client"} { // every client's email has "client"
			p, err := db.Clients().List(bg, domain.ListQuery{Count: true, Limit: 2, Search: search})
			if err != nil {
				t.Fatal(err)
			}
			if db.Dialect() == store.DialectPostgres && (p.Exact || p.Total < 6) {
				t.Errorf("search %q: total %d exact %v over the cap, want an estimate of at least 6", search, p.Total, p.Exact)
			}
			if db.Dialect() != store.DialectPostgres && (!p.Exact || p.Total != int64(len(f.clients))) {
				t.Errorf("search %q: total %d exact %v", search, p.Total, p.Exact)
			}
		}
		store.SetCountCap(db, 0)
		// Limits: default 50, at most 500.
		if p, _ := db.Contracts().List(bg, domain.ListQuery{}); len(p.Items) != 50 || p.Next == "" {
			t.Errorf("default limit: %d rows", len(p.Items))
		}
	})
}

func ids[T any](items []T, id func(T) int64) []int64 {
	out := make([]int64, 0, len(items))
	for _, it := range items {
		out = append(out, id(it))
	}
	slices.Sort(out)
	return out
}

func TestFiltersAndSearch(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		cid := func(c domain.Client) int64 { return c.ID }
		kid := func(c domain.Contract) int64 { return c.ID }
		eid := func(e domain.Event) int64 { return e.ID }
		clients := func(q domain.ListQuery) []int64 {
			t.Helper()
			q.Limit = 500
			p, err := db.Clients().List(bg, q)
			if err != nil {
				t.Fatal(err)
			}
			return ids(p.Items, cid)
		}
		contracts := func(q domain.ListQuery) []int64 {
			t.Helper()
			q.Limit = 500
			p, err := db.Contracts().List(bg, q)
			if err != nil {
				t.Fatal(err)
			}
			return ids(p.Items, kid)
		}
		events := func(q domain.ListQuery) []int64 {
			t.Helper()
			q.Limit = 500
			q.Now = f.now
			p, err := db.Events().List(bg, q)
			if err != nil {
				t.Fatal(err)
			}
			return ids(p.Items, eid)
		}
		var want []int64
		pick := func(keep func(domain.Client) bool) []int64 {
			var out []domain.Client
			for _, c := range f.clients {
				if keep(c) {
					out = append(out, c)
				}
			}
			return ids(out, cid)
		}
		check := func(name string, got, want []int64) {
			t.Helper()
			if !slices.Equal(got, want) {
				t.Errorf("%s:\n got %v\nwant %v", name, got, want)
			}
		}

		// Clients.
		want = pick(func(c domain.Client) bool { return c.SalesContactID != nil && *c.SalesContactID == f.sales1.ID })
		check("clients mine", clients(domain.ListQuery{Filter: domain.FilterMine, ActorID: f.sales1.ID}), want)
		co := f.companies[1].ID
		want = pick(func(c domain.Client) bool { return c.CompanyID != nil && *c.CompanyID == co })
		check("clients by company", clients(domain.ListQuery{CompanyID: &co}), want)
		want = pick(func(c domain.Client) bool { return c.FullName == "Alice Roux" })
		check("clients search name", clients(domain.ListQuery{Search: "ALICE r"}), want)
		check("clients search email", clients(domain.ListQuery{Search: "client07@"}), []int64{f.clients[7].ID})
		want = pick(func(c domain.Client) bool { return c.CompanyID != nil && *c.CompanyID == f.companies[0].ID })
		check("clients search company", clients(domain.ListQuery{Search: "dupont s"}), want)
		check("clients search %", clients(domain.ListQuery{Search: "%"}), []int64{f.pctClient.ID})
		check("clients search _", clients(domain.ListQuery{Search: "_"}), []int64{f.underscoreClient.ID})
		check(`clients search \`, clients(domain.ListQuery{Search: `\`}), []int64{f.backslashClient.ID})
		check("clients search 100%", clients(domain.ListQuery{Search: "0% g"}), []int64{f.pctClient.ID})
		check("clients search none", clients(domain.ListQuery{Search: "zzz' OR 1=1 --"}), nil)

		// Contracts.
		var k []domain.Contract
		for _, c := range f.contracts {
			if c.Status == domain.ContractDraft {
				k = append(k, c)
			}
		}
		check("contracts unsigned", contracts(domain.ListQuery{Filter: domain.FilterUnsigned}), ids(k, kid))
		k = nil
		for _, c := range f.contracts {
			if c.RemainingCents > 0 {
				k = append(k, c)
			}
		}
		check("contracts unpaid", contracts(domain.ListQuery{Filter: domain.FilterUnpaid}), ids(k, kid))
		mine := map[int64]bool{}
		for _, c := range f.clients {
			if c.SalesContactID != nil && *c.SalesContactID == f.sales2.ID {
				mine[c.ID] = true
			}
		}
		k = nil
		for _, c := range f.contracts {
			if mine[c.ClientID] {
				k = append(k, c)
			}
		}
		check("contracts mine", contracts(domain.ListQuery{Filter: domain.FilterMine, ActorID: f.sales2.ID}), ids(k, kid))
		cl := f.clients[3].ID
		k = nil
		for _, c := range f.contracts {
			if c.ClientID == cl {
				k = append(k, c)
			}
		}
		check("contracts of client", contracts(domain.ListQuery{ClientID: &cl}), ids(k, kid))
		k = nil
		for _, c := range f.contracts {
			if c.ClientID == f.clients[7].ID {
				k = append(k, c)
			}
		}
		check("contracts search client email", contracts(domain.ListQuery{Search: "CLIENT07@"}), ids(k, kid))

		// Events.
		var ev []domain.Event
		for _, e := range f.events {
			if !e.Start.Before(f.now) {
				ev = append(ev, e)
			}
		}
		check("events upcoming", events(domain.ListQuery{Filter: domain.FilterUpcoming}), ids(ev, eid))
		ev = nil
		for _, e := range f.events {
			if e.Start.Before(f.now) {
				ev = append(ev, e)
			}
		}
		check("events past", events(domain.ListQuery{Filter: domain.FilterPast}), ids(ev, eid))
		ev = nil
		for _, e := range f.events {
			if e.SupportContactID == nil {
				ev = append(ev, e)
			}
		}
		check("events unassigned", events(domain.ListQuery{Filter: domain.FilterUnassigned}), ids(ev, eid))
		ev = nil
		for _, e := range f.events {
			if e.SupportContactID != nil {
				ev = append(ev, e)
			}
		}
		check("events mine (support)", events(domain.ListQuery{Filter: domain.FilterMine, ActorID: f.sup.ID, Role: domain.RoleSupport}), ids(ev, eid))
		full, _ := db.Events().List(bg, domain.ListQuery{Limit: 500})
		ev = nil
		for _, e := range full.Items {
			if e.SalesContactID != nil && *e.SalesContactID == f.sales2.ID {
				ev = append(ev, e)
			}
		}
		check("events mine (sales)", events(domain.ListQuery{Filter: domain.FilterMine, ActorID: f.sales2.ID, Role: domain.RoleSales}), ids(ev, eid))
		from, to := f.now.Add(-5*24*time.Hour), f.now.Add(5*24*time.Hour)
		ev = nil
		for _, e := range f.events {
			if !e.Start.Before(from) && e.Start.Before(to) {
				ev = append(ev, e)
			}
		}
		check("events date range", events(domain.ListQuery{From: &from, To: &to}), ids(ev, eid))
		ev = nil
		for _, e := range f.events {
			if e.Name == "Fête 50% off" {
				ev = append(ev, e)
			}
		}
		check("events search %", events(domain.ListQuery{Search: "50%"}), ids(ev, eid))
		ev = nil
		for _, e := range full.Items {
			if e.ClientName == "Bruno Petit" {
				ev = append(ev, e)
			}
		}
		check("events search client", events(domain.ListQuery{Search: "bruno"}), ids(ev, eid))

		// Users.
		p, _ := db.Users().List(bg, domain.ListQuery{Search: "same name", Limit: 500})
		if len(p.Items) != 8 {
			t.Errorf("users search: %d", len(p.Items))
		}
		p, _ = db.Users().List(bg, domain.ListQuery{Role: domain.RoleSales, Limit: 500})
		if len(p.Items) != 2 {
			t.Errorf("users by role: %d", len(p.Items))
		}
		p, _ = db.Users().List(bg, domain.ListQuery{Search: f.boss.EmployeeNo, Limit: 500})
		if len(p.Items) != 1 || p.Items[0].ID != f.boss.ID {
			t.Errorf("users search employee no: %+v", p.Items)
		}
		f.sup.Active = false
		if err := db.Users().Update(bg, &f.sup, f.boss.ID); err != nil {
			t.Fatal(err)
		}
		p, _ = db.Users().List(bg, domain.ListQuery{Filter: domain.FilterInactive, Limit: 500})
		if len(p.Items) != 1 || p.Items[0].ID != f.sup.ID {
			t.Errorf("inactive users: %+v", p.Items)
		}
		p, _ = db.Users().List(bg, domain.ListQuery{Filter: domain.FilterActive, Limit: 500})
		if len(p.Items) != 11 {
			t.Errorf("active users: %d", len(p.Items))
		}

		// Dashboard figures.
		st, err := db.Contracts().Stats(bg, domain.StatsQuery{Now: f.now, MonthStart: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		var drafts, signed int
		var outstanding, unpaid int64
		for _, c := range f.contracts {
			unpaid += c.RemainingCents
			if c.Status == domain.ContractDraft {
				drafts++
			} else {
				signed++
				outstanding += c.RemainingCents
			}
		}
		if st.Clients != len(f.clients) || st.DraftContracts != drafts || st.SignedThisMonth != signed || st.OutstandingCents != outstanding || st.UnpaidCents != unpaid {
			t.Errorf("stats = %+v (want %d clients, %d drafts, %d signed, %d outstanding, %d unpaid)", st, len(f.clients), drafts, signed, outstanding, unpaid)
		}
		up := len(events(domain.ListQuery{Filter: domain.FilterUpcoming}))
		st2, _ := db.Contracts().Stats(bg, domain.StatsQuery{Now: f.now, MonthStart: f.now, SupportID: &f.sup.ID, SalesID: &f.sales1.ID})
		var mineUp int
		for _, e := range f.events {
			if e.SupportContactID != nil && !e.Start.Before(f.now) {
				mineUp++
			}
		}
		if st.UpcomingEvents != up || st2.UpcomingEvents != mineUp || st2.Clients != len(clients(domain.ListQuery{Filter: domain.FilterMine, ActorID: f.sales1.ID})) {
			t.Errorf("scoped stats = %+v / %+v", st, st2)
		}
	})
}
