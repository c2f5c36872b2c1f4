package store_test

import (
	"slices"
	"testing"

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
