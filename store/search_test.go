package store_test

import (
	"slices"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// A search gives the same rows, in the same order and pages, whichever
// path it takes: the ordered walk over a window, the candidates found
// through the indexes, or the unbounded walk when there are too many
// candidates.
func TestSearchStrategies(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		f := seed(t, db)
		type run struct {
			name string
			q    domain.ListQuery
		}
		var runs []run
		for _, text := range []string{"alice", "roux", "client0", "dupont", "acme", "zzz", "%", "e"} {
			for _, q := range []domain.ListQuery{
				{Search: text},
				{Search: text, Desc: true},
				{Search: text, Sort: domain.SortCreated},
				{Search: text, Filter: domain.FilterMine, ActorID: f.sales1.ID, Role: domain.RoleSales},
				{Search: text, CompanyID: &f.companies[0].ID},
			} {
				runs = append(runs, run{text, q})
			}
		}
		strategies := []struct {
			name          string
			window, cands int
		}{
			{"window", 2000, 5000},
			{"candidates", 3, 5000},
			{"unbounded", 3, 2},
		}
		for _, r := range runs {
			var want [3][]int64
			for i, s := range strategies {
				store.SetSearchLimits(db, s.window, s.cands)
				var got [3][]int64
				qc := r.q
				if qc.Filter == domain.FilterMine {
					qc.Role = ""
				}
				if qc.Sort == domain.SortCreated || qc.Sort == "" {
					got[0] = walk(t, "clients "+r.name+" "+s.name, db.Clients().List, clientQuery(qc), func(c domain.Client) int64 { return c.ID })
				}
				got[1] = walk(t, "contracts "+r.name+" "+s.name, db.Contracts().List, contractQuery(qc), func(c domain.Contract) int64 { return c.ID })
				qe := r.q
				if qe.Sort == "" || qe.Sort == domain.SortCreated {
					got[2] = walk(t, "events "+r.name+" "+s.name, db.Events().List, qe, func(e domain.Event) int64 { return e.ID })
				}
				if i == 0 {
					want = got
					continue
				}
				for k := range got {
					if !slices.Equal(got[k], want[k]) {
						t.Errorf("%q %+v list %d, %s: %v, want %v", r.name, r.q, k, s.name, got[k], want[k])
					}
				}
			}
		}
		store.SetSearchLimits(db, 2000, 5000)
	})
}

func clientQuery(q domain.ListQuery) domain.ListQuery {
	q.Role = ""
	return q
}

func contractQuery(q domain.ListQuery) domain.ListQuery {
	q.Role = ""
	if q.Sort == "" {
		q.Sort = domain.SortCreated
	}
	return q
}

// The audit log's search finds an entry by the label of its record (names,
// emails, employee numbers) as well as by actor and action, and treats
// LIKE's wildcards as plain characters.
func TestAuditSearchFindsTheRecordLabel(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := t.Context()
		for i, e := range []domain.AuditEntry{
			{Action: "client.update", Entity: "client", EntityID: 1, ActorName: "Sara Lopez", Label: "Alice Martin · alice@example.fr"},
			{Action: "event.create", Entity: "event", EntityID: 2, ActorName: "Sara Lopez", Label: "Mariage Chloé · Chloé Martin"},
			{Action: "user.update", Entity: "user", EntityID: 3, ActorName: "Ana Costa", Label: "Sam Diallo · sam@epic.test · EE-0042"},
			{Action: "contract.update", Entity: "contract", EntityID: 4, ActorName: "Ana Costa", Label: "contract #4 · 100% Bio"},
		} {
			e.At = time.Date(2030, 6, 20, 16, i, 0, 0, time.UTC)
			if err := db.Audit().Add(ctx, &e); err != nil {
				t.Fatal(err)
			}
		}
		for search, want := range map[string][]int64{
			"alice martin": {1},
			"Chloé":        {2},
			"ee-0042":      {3},
			"MARTIN":       {2, 1},
			"100%":         {4},
			"0%":           {4},
			"_":            nil,
			"ana costa":    {4, 3},
			"event.create": {2},
		} {
			p, err := db.Audit().List(ctx, domain.ListQuery{Search: search, Limit: 50})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, e := range p.Items {
				got = append(got, e.EntityID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("search %q found %v, want %v", search, got, want)
			}
		}
	})
}
