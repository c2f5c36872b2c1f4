package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// loginModel is a row of login_attempts.
type loginModel struct {
	Email       string `gorm:"primaryKey"`
	Failures    int
	LastFailure time.Time
}

func (loginModel) TableName() string { return "login_attempts" }

type loginRepo struct{ db *DB }

// Get reads the throttling state of email (zero if none).
func (r loginRepo) Get(ctx context.Context, email string) (domain.LoginState, error) {
	var m loginModel
	res := r.db.conn(ctx).Where("email = ?", strings.ToLower(email)).Limit(1).Find(&m)
	if res.Error != nil {
		return domain.LoginState{}, wrap("read login attempts", res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.LoginState{}, nil
	}
	return domain.LoginState{Failures: m.Failures, LastFailure: m.LastFailure.UTC()}, nil
}

// Fail counts one more failure for email at at, atomically (an upsert), and
// returns the new state.
func (r loginRepo) Fail(ctx context.Context, email string, at time.Time) (domain.LoginState, error) {
	m := loginModel{Email: strings.ToLower(email), Failures: 1, LastFailure: at.UTC()}
	var out loginModel
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		err := g.Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "email"}},
			DoUpdates: clause.Assignments(map[string]any{
				"failures":     gorm.Expr("login_attempts.failures + 1"),
				"last_failure": m.LastFailure,
			}),
		}).Create(&m).Error
		if err != nil {
			return mapErr(err)
		}
		return mapErr(g.Where("email = ?", m.Email).Take(&out).Error)
	})
	if err != nil {
		return domain.LoginState{}, wrap("count login failure", err)
	}
	return domain.LoginState{Failures: out.Failures, LastFailure: out.LastFailure.UTC()}, nil
}

// Reset forgets the failures of email.
func (r loginRepo) Reset(ctx context.Context, email string) error {
	return wrap("reset login attempts", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Where("email = ?", strings.ToLower(email)).Delete(&loginModel{}).Error
	}))
}
