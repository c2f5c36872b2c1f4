package domain

import "context"

// DashboardService computes each role's dashboard.
type DashboardService struct{ c *core }

// Dashboard is the figures and next events of the actor's role.
type Dashboard struct {
	Role       Role
	Stats      Stats
	NextEvents []Event // sales: my clients' next events; support: my next events; management: next events without support
}

// Get returns the actor's dashboard.
func (s *DashboardService) Get(ctx context.Context, sess *Session) (Dashboard, error) {
	return Dashboard{}, errPending
}
