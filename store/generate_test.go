package store_test

import (
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

func TestGenerate(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		const scale = 400
		stages := map[string]bool{}
		res, err := db.Generate(bg, scale, 42, "$argon2id$hash", func(stage string, done, total int) {
			stages[stage] = done <= total
		})
		if err != nil {
			t.Fatal(err)
		}
		if res.Clients != scale || res.Events != 3*scale || res.Contracts < 3*scale || res.Companies != scale/20 {
			t.Fatalf("result = %s", res)
		}
		for _, s := range []string{"users", "companies", "clients", "contracts", "payments", "events"} {
			if !stages[s] {
				t.Errorf("no progress for %s", s)
			}
		}
		for _, r := range domain.Roles {
			u, err := db.Users().GetByEmail(bg, res.Logins[r])
			if err != nil || u.Role != r || u.PasswordHash != "$argon2id$hash" || !u.Active {
				t.Errorf("login for %s: %+v, %v", r, u, err)
			}
		}
		// Every contract state is there.
		count := func(q domain.ListQuery) int {
			n := 0
			for q.Limit = 500; ; {
				p, err := db.Contracts().List(bg, q)
				if err != nil {
					t.Fatal(err)
				}
				n += len(p.Items)
				if p.Next == "" {
					return n
				}
				q.After = p.Next
			}
		}
		all, drafts, unpaid := count(domain.ListQuery{}), count(domain.ListQuery{Filter: domain.FilterUnsigned}), count(domain.ListQuery{Filter: domain.FilterUnpaid})
		if all != res.Contracts || drafts == 0 || unpaid == 0 || unpaid == all {
			t.Errorf("contracts: %d, drafts %d, unpaid %d", all, drafts, unpaid)
		}
		p, _ := db.Contracts().List(bg, domain.ListQuery{Sort: domain.SortRemain, Limit: 500})
		var full, part, none int
		for _, k := range p.Items {
			switch {
			case k.RemainingCents == 0:
				full++
			case k.RemainingCents < k.TotalCents:
				part++
			default:
				none++
			}
		}
		if full == 0 || part == 0 {
			t.Errorf("paid states: %d full, %d part", full, part)
		}
		now := time.Now()
		evCount := func(f string) int {
			n := 0
			q := domain.ListQuery{Filter: f, Now: now, Limit: 500}
			for {
				p, err := db.Events().List(bg, q)
				if err != nil {
					t.Fatal(err)
				}
				n += len(p.Items)
				if p.Next == "" {
					return n
				}
				q.After = p.Next
			}
		}
		past, future, unassigned := evCount(domain.FilterPast), evCount(domain.FilterUpcoming), evCount(domain.FilterUnassigned)
		if past == 0 || future == 0 || past+future != res.Events || unassigned < res.Events/20 || unassigned > res.Events/5 {
			t.Errorf("events: %d past, %d future, %d unassigned of %d", past, future, unassigned, res.Events)
		}
		// Ids continue after the generated ones.
		boss, _ := db.Users().GetByEmail(bg, res.Logins[domain.RoleManagement])
		c := domain.Client{FullName: "Après Génération", Email: "apres@client.test"}
		if err := db.Clients().Create(bg, &c, boss.ID); err != nil || c.ID <= int64(scale) {
			t.Fatalf("client after generate: id %d, %v", c.ID, err)
		}
		k := domain.Contract{ClientID: c.ID, TotalCents: 100, RemainingCents: 100}
		if err := db.Contracts().Create(bg, &k, boss.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.Contracts().Pay(bg, &domain.Payment{ContractID: k.ID, AmountCents: 100}, boss.ID); err != nil {
			t.Fatal(err)
		}
		// Searching the generated names works.
		if p, err := db.Clients().List(bg, domain.ListQuery{Search: "martin"}); err != nil || len(p.Items) == 0 {
			t.Errorf("search generated: %d, %v", len(p.Items), err)
		}
	})
}
