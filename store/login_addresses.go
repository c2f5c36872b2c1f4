package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// addressModel is a row of login_address_attempts.
type addressModel struct {
	Address     string `gorm:"primaryKey"`
	Failures    int
	LastFailure time.Time
}

func (addressModel) TableName() string { return "login_address_attempts" }

// LoginAddresses counts failed logins per source address (the domain's
// per-address throttle).
func (db *DB) LoginAddresses() domain.LoginRepo { return addressRepo{db} }

type addressRepo struct{ db *DB }

// Get reads the throttling state of an address (zero if none).
func (r addressRepo) Get(ctx context.Context, addr string) (domain.LoginState, error) {
	var m addressModel
	res := r.db.conn(ctx).Where("address = ?", addr).Limit(1).Find(&m)
	if res.Error != nil {
		return domain.LoginState{}, wrap("read address attempts", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.LoginState{}, nil
	}
	return domain.LoginState{Failures: m.Failures, LastFailure: m.LastFailure.UTC()}, nil
}

// Fail counts one more failure from addr at at (an upsert).
func (r addressRepo) Fail(ctx context.Context, addr string, at time.Time) (domain.LoginState, error) {
	m := addressModel{Address: addr, Failures: 1, LastFailure: at.UTC()}
	var out addressModel
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		err := g.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "address"}},
			DoUpdates: clause.Assignments(map[string]any{
				"failures":     gorm.Expr("login_address_attempts.failures + 1"),
				"last_failure": m.LastFailure,
			}),
		}).Create(&m).Error
		if err != nil {
			return mapErr(err)
		}
		return mapErr(g.Where("address = ?", m.Address).Take(&out).Error)
	})
	if err != nil {
		return domain.LoginState{}, wrap("count address failure", err)
	}
	return domain.LoginState{Failures: out.Failures, LastFailure: out.LastFailure.UTC()}, nil
}

// Reset forgets the failures of addr.
func (r addressRepo) Reset(ctx context.Context, addr string) error {
	return wrap("reset address attempts", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Where("address = ?", addr).Delete(&addressModel{}).Error
	}))
}
