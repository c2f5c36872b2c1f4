package store

import (
	"context"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// tokenModel is a row of refresh_tokens: only the SHA-256 of a token.
type tokenModel struct {
	Hash      string `gorm:"primaryKey"`
	FamilyID  string
	UserID    int64
	IssuedAt  time.Time
	ExpiresAt time.Time
	RotatedAt *time.Time
	RevokedAt *time.Time
	// RevokeReason says why (a domain.End* code).
	RevokeReason string
}

func (tokenModel) TableName() string { return "refresh_tokens" }

func tokenToModel(t domain.RefreshToken) tokenModel {
	return tokenModel{
		Hash: t.Hash, FamilyID: t.FamilyID, UserID: t.UserID, IssuedAt: t.IssuedAt.UTC(),
		ExpiresAt: t.ExpiresAt.UTC(), RotatedAt: utcPtr(t.RotatedAt), RevokedAt: utcPtr(t.RevokedAt),
	}
}

type tokenRepo struct{ db *DB }

// Create stores a refresh token.
func (r tokenRepo) Create(ctx context.Context, t domain.RefreshToken) error {
	m := tokenToModel(t)
	return createRow(ctx, r.db, "store session", &m)
}

// Get reads a refresh token by hash.
func (r tokenRepo) Get(ctx context.Context, hash string) (domain.RefreshToken, error) {
	return findOne("read session", r.db.conn(ctx).Where("hash = ?", hash), tokenModel.token)
}

func (m tokenModel) token() domain.RefreshToken {
	return domain.RefreshToken{
		Hash: m.Hash, FamilyID: m.FamilyID, UserID: m.UserID, IssuedAt: m.IssuedAt.UTC(),
		ExpiresAt: m.ExpiresAt.UTC(), RotatedAt: utcPtr(m.RotatedAt), RevokedAt: utcPtr(m.RevokedAt),
		Why: m.RevokeReason,
	}
}

// Rotate marks oldHash rotated and stores next, only if oldHash is still
// live at now: one conditional UPDATE, so of two concurrent rotations
// exactly one wins (the other gets ErrConflict).
func (r tokenRepo) Rotate(ctx context.Context, oldHash string, next domain.RefreshToken, now time.Time) error {
	m := tokenToModel(next)
	at := now.UTC()
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		res := g.Model(&tokenModel{}).
			Where("hash = ? AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > ?", oldHash, at).
			Update("rotated_at", at)
		if res.Error != nil {
			return mapErr(res.Error)
		}
		if res.RowsAffected == 0 {
			return domain.ErrConflict
		}
		return mapErr(g.Create(&m).Error)
	})
	return wrap("rotate session", err)
}

// RevokeFamily revokes every live token of a family, keeping why.
func (r tokenRepo) RevokeFamily(ctx context.Context, familyID string, at time.Time, why string) error {
	return wrap("revoke sessions", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&tokenModel{}).Where("family_id = ? AND revoked_at IS NULL", familyID).
			Updates(map[string]any{"revoked_at": at.UTC(), "revoke_reason": why}).Error
	}))
}

// RevokeUser revokes every live token of a user, keeping why.
func (r tokenRepo) RevokeUser(ctx context.Context, userID int64, at time.Time, why string) error {
	return wrap("revoke sessions", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&tokenModel{}).Where("user_id = ? AND revoked_at IS NULL", userID).
			Updates(map[string]any{"revoked_at": at.UTC(), "revoke_reason": why}).Error
	}))
}

// Family reads a family's state from its newest token: every access token
// of the session checks it (through a one-second cache), so it reads one
// row through the family index.
func (r tokenRepo) Family(ctx context.Context, familyID string) (domain.FamilyState, error) {
	t, err := findOne("read session", r.db.conn(ctx).Where("family_id = ?", familyID).Order("issued_at DESC, hash"), tokenModel.token)
	if err != nil {
		return domain.FamilyState{}, err
	}
	return domain.FamilyState{RevokedAt: t.RevokedAt, Why: t.Why, ExpiresAt: t.ExpiresAt}, nil
}
