package store

import (
	"context"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// permissionModel is a row of permissions.
type permissionModel struct {
	Code        string `gorm:"primaryKey"`
	Description string
	Position    int
}

func (permissionModel) TableName() string { return "permissions" }

// rolePermissionModel is a row of role_permissions.
type rolePermissionModel struct {
	Role string `gorm:"primaryKey"`
	Code string `gorm:"primaryKey"`
}

func (rolePermissionModel) TableName() string { return "role_permissions" }

type permRepo struct{ db *DB }

// All lists the permission catalog in display order.
func (r permRepo) All(ctx context.Context) ([]domain.Permission, error) {
	var ms []permissionModel
	if err := r.db.conn(ctx).Order("position, code").Find(&ms).Error; err != nil {
		return nil, wrap("list permissions", err)
	}
	out := make([]domain.Permission, len(ms))
	for i, m := range ms {
		out[i] = domain.Permission{Code: m.Code, Description: m.Description}
	}
	return out, nil
}

// ForRole lists the codes granted to role, in catalog order.
func (r permRepo) ForRole(ctx context.Context, role domain.Role) ([]string, error) {
	var codes []string
	err := r.db.conn(ctx).Table("role_permissions AS rp").
		Joins("JOIN permissions AS p ON p.code = rp.code").
		Where("rp.role = ?", string(role)).
		Order("p.position, p.code").Pluck("rp.code", &codes).Error
	if err != nil {
		return nil, wrap("role permissions", err)
	}
	return codes, nil
}

// Grant gives code to role (granting twice is harmless) and bumps the
// permission version.
func (r permRepo) Grant(ctx context.Context, role domain.Role, code string) error {
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		var n int64
		if err := g.Model(&permissionModel{}).Where("code = ?", code).Count(&n).Error; err != nil {
			return mapErr(err)
		}
		if n == 0 {
			return domain.ErrNotFound
		}
		if err := g.Table("roles").Where("name = ?", string(role)).Count(&n).Error; err != nil {
			return mapErr(err)
		}
		if n == 0 {
			return domain.ErrNotFound
		}
		m := rolePermissionModel{Role: string(role), Code: code}
		if err := g.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error; err != nil {
			return mapErr(err)
		}
		return bumpPermVersion(g)
	})
	if err != nil {
		return fmt.Errorf("grant %s: %w", code, mapErr(err))
	}
	return nil
}

// Revoke takes code from role and bumps the permission version.
func (r permRepo) Revoke(ctx context.Context, role domain.Role, code string) error {
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		if err := g.Where("role = ? AND code = ?", string(role), code).Delete(&rolePermissionModel{}).Error; err != nil {
			return mapErr(err)
		}
		return bumpPermVersion(g)
	})
	if err != nil {
		return fmt.Errorf("revoke %s: %w", code, mapErr(err))
	}
	return nil
}

// bumpPermVersion counts one more grant or revoke. The column is written
// meta.key: key is a reserved word in MySQL, but not after a table name.
func bumpPermVersion(g *gorm.DB) error {
	return mapErr(g.Exec("UPDATE meta SET value = value + 1 WHERE meta.key = ?", "perm_version").Error)
}

// Version is the permission version, changed by every grant and revoke.
func (r permRepo) Version(ctx context.Context) (int64, error) {
	var v []int64
	if err := r.db.conn(ctx).Table("meta").Where("meta.key = ?", "perm_version").Pluck("value", &v).Error; err != nil {
		return 0, wrap("permission version", err)
	}
	if len(v) == 0 {
		return 0, notFound("permission version")
	}
	return v[0], nil
}
