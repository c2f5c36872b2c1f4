package domain

import "context"

// AuditService reads the audit log.
type AuditService struct{ c *core }

// List returns one page of the audit log, newest first (audit:read:any).
func (s *AuditService) List(ctx context.Context, sess *Session, q ListQuery) (Page[AuditEntry], error) {
	return Page[AuditEntry]{}, errPending
}
