package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// companyModel is a row of companies.
type companyModel struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	CreatedAt time.Time
}

func (companyModel) TableName() string { return "companies" }

func (m companyModel) company() domain.Company {
	return domain.Company{ID: m.ID, Name: m.Name, CreatedAt: utc(m.CreatedAt)}
}

type companyRepo struct{ db *DB }

// Get reads one company.
func (r companyRepo) Get(ctx context.Context, id int64) (domain.Company, error) {
	return findOne("get company", r.db.conn(ctx).Where("id = ?", id), companyModel.company)
}

// GetByName finds a company by name, case-insensitively.
func (r companyRepo) GetByName(ctx context.Context, name string) (domain.Company, error) {
	return findOne("get company", r.db.conn(ctx).Where(r.db.textEq(clause.Column{Name: "name"}, name)), companyModel.company)
}

// Create inserts c; ErrDuplicate when the name is taken.
func (r companyRepo) Create(ctx context.Context, c *domain.Company) error {
	m := companyModel{Name: c.Name, CreatedAt: time.Now().UTC()}
	if err := createRow(ctx, r.db, "create company", &m); err != nil {
		return err
	}
	c.ID, c.CreatedAt = m.ID, m.CreatedAt
	return nil
}

// Rename changes a company's name.
func (r companyRepo) Rename(ctx context.Context, id int64, name string) error {
	return setColumn(ctx, r.db, "rename company", &companyModel{}, id, "name", name)
}

// Search lists companies whose name contains text, by name.
func (r companyRepo) Search(ctx context.Context, text string, limit int) ([]domain.Company, error) {
	if limit <= 0 || limit > maxLimit {
		limit = defaultLimit
	}
	g := r.db.conn(ctx).Model(&companyModel{})
	if text != "" {
		g = g.Where(r.db.like(clause.Column{Name: "name"}, r.db.pattern(text)))
	}
	var ms []companyModel
	if err := g.Order("name, id").Limit(limit).Find(&ms).Error; err != nil {
		return nil, wrap("search companies", err)
	}
	out := make([]domain.Company, len(ms))
	for i, m := range ms {
		out[i] = m.company()
	}
	return out, nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}
