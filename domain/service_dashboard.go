package domain

import (
	"context"
	"time"
)

// DashboardService computes each role's dashboard.
type DashboardService struct{ c *core }

// Dashboard is the figures and next events of the actor's role.
type Dashboard struct {
	Role       Role
	Stats      Stats
	NextEvents []Event // sales: my clients' next events; support: my next events; management: next events without support
}

// Get returns the actor's dashboard: figures scoped to the actor's clients
// (sales) or events (support), everyone's for management.
func (s *DashboardService) Get(ctx context.Context, sess *Session) (Dashboard, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Dashboard{}, err
	}
	now := c.now()
	q := StatsQuery{Now: now, MonthStart: time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)}
	eq := ListQuery{Sort: SortStart, Limit: 5, From: &now, ActorID: a.ID, Now: now, Role: a.Role}
	switch a.Role {
	case RoleSales:
		q.SalesID = &a.ID
		eq.Filter = FilterMine
	case RoleSupport:
		q.SupportID = &a.ID
		eq.Filter = FilterMine
	default:
		eq.Filter = FilterUnassigned
	}
	d := Dashboard{Role: a.Role}
	if a.Allowed("contract", "read", Scope{}) {
		if d.Stats, err = c.store.Contracts().Stats(ctx, q); err != nil {
			return Dashboard{}, wrap("dashboard", err)
		}
	}
	if a.Allowed("event", "read", Scope{}) {
		p, err := c.store.Events().List(ctx, eq)
		if err != nil {
			return Dashboard{}, wrap("dashboard", err)
		}
		d.NextEvents = p.Items
	}
	return d, nil
}
