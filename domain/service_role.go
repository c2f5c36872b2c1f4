package domain

import (
	"context"
	"errors"
	"slices"
)

// RoleService shows and edits the permission matrix.
type RoleService struct{ c *core }

// RoleMatrix is every permission and which role holds it.
type RoleMatrix struct {
	Permissions []Permission
	Granted     map[Role]map[string]bool
}

// Matrix returns the permission matrix.
func (s *RoleService) Matrix(ctx context.Context, sess *Session) (RoleMatrix, error) {
	if _, err := s.c.see(ctx, sess, "role", 0); err != nil {
		return RoleMatrix{}, err
	}
	all, err := s.c.store.Perms().All(ctx)
	if err != nil {
		return RoleMatrix{}, wrap("read permissions", err)
	}
	m := RoleMatrix{Permissions: all, Granted: map[Role]map[string]bool{}}
	for _, r := range Roles {
		codes, err := s.c.store.Perms().ForRole(ctx, r)
		if err != nil {
			return RoleMatrix{}, wrap("read permissions", err)
		}
		m.Granted[r] = map[string]bool{}
		for _, code := range codes {
			m.Granted[r][code] = true
		}
	}
	return m, nil
}

// knownCode reports whether code is in the catalog.
func knownCode(code string) bool {
	return slices.ContainsFunc(PermissionCatalog, func(p Permission) bool { return p.Code == code })
}

// Grant gives a role a permission. It takes effect at the next action of
// every open session, in every process.
func (s *RoleService) Grant(ctx context.Context, sess *Session, role Role, code string) error {
	return s.change(ctx, sess, role, code, true)
}

// Revoke takes a permission from a role; role:grant:any always stays with
// management so the matrix can always be repaired.
func (s *RoleService) Revoke(ctx context.Context, sess *Session, role Role, code string) error {
	return s.change(ctx, sess, role, code, false)
}

func (s *RoleService) change(ctx context.Context, sess *Session, role Role, code string, grant bool) error {
	c := s.c
	action := ActRoleGrant
	if !grant {
		action = ActRoleRevoke
	}
	_, err := c.run(ctx, sess, op{action: action, in: roleIn{role: role, code: code},
		prepare: func(Actor, subject) error {
			f := &form{}
			if !role.Valid() {
				f.add("role", "choose a role: management, sales or support")
			}
			if !knownCode(code) {
				f.add("permission", "choose a permission from the list")
			}
			return f.err()
		},
		change: func(tx Store, a Actor, _ subject) error {
			var ch []Change
			if grant {
				if err := tx.Perms().Grant(ctx, role, code); err != nil {
					if errors.Is(err, ErrNotFound) {
						return Invalid("permission", "this permission does not exist in the database: run the migrations")
					}
					return err
				}
				ch = []Change{{Field: "role", Old: string(role), New: string(role)}, {Field: "permission", New: code}}
			} else {
				if err := tx.Perms().Revoke(ctx, role, code); err != nil {
					return err
				}
				ch = []Change{{Field: "role", Old: string(role), New: string(role)}, {Field: "permission", Old: code}}
			}
			return c.audit(ctx, tx, &a, action, "role", 0, string(role)+" "+code, ch)
		}})
	return wrap(action, err)
}
