package domain

import "context"

// RoleService shows and edits the permission matrix.
type RoleService struct{ c *core }

// RoleMatrix is every permission and which role holds it.
type RoleMatrix struct {
	Permissions []Permission
	Granted     map[Role]map[string]bool
}

// Matrix returns the permission matrix.
func (s *RoleService) Matrix(ctx context.Context, sess *Session) (RoleMatrix, error) {
	return RoleMatrix{}, errPending
}

// Grant gives a role a permission.
func (s *RoleService) Grant(ctx context.Context, sess *Session, role Role, code string) error {
	return errPending
}

// Revoke takes a permission from a role.
func (s *RoleService) Revoke(ctx context.Context, sess *Session, role Role, code string) error {
	return errPending
}
