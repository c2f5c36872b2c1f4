package domain

import "context"

// AuditService reads the audit log.
type AuditService struct{ c *core }

// List returns one page of the audit log, newest first (audit:read:any).
// A record's own history comes with its Detail instead.
func (s *AuditService) List(ctx context.Context, sess *Session, q ListQuery) (Page[AuditEntry], error) {
	a, err := s.c.see(ctx, sess, "audit", 0)
	if err != nil {
		return Page[AuditEntry]{}, err
	}
	if q, err = s.c.query("audit", a, q); err != nil {
		return Page[AuditEntry]{}, err
	}
	p, err := s.c.store.Audit().List(ctx, q)
	return p, wrap("read audit log", err)
}
