package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// clientModel is a row of clients.
type clientModel struct {
	ID             int64 `gorm:"primaryKey"`
	FullName       string
	Email          string
	Phone          string
	CompanyID      *int64
	SalesContactID *int64
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	UpdatedByID    *int64
}

func (clientModel) TableName() string { return "clients" }

// clientRow is a client as read, with joined names.
type clientRow struct {
	M                clientModel `gorm:"embedded"`
	CompanyName      string
	SalesContactName string
	UpdatedByName    string
}

func (r clientRow) rowID() int64 { return r.M.ID }

func (r clientRow) sortValue(sort string) any {
	switch sort {
	case domain.SortCreated:
		return r.M.CreatedAt
	case domain.SortUpdated:
		return r.M.UpdatedAt
	}
	return r.M.FullName
}

func (r clientRow) client() domain.Client {
	return domain.Client{
		ID: r.M.ID, FullName: r.M.FullName, Email: r.M.Email, Phone: r.M.Phone,
		CompanyID: r.M.CompanyID, CompanyName: r.CompanyName,
		SalesContactID: r.M.SalesContactID, SalesContactName: r.SalesContactName,
		CreatedAt: utc(r.M.CreatedAt), UpdatedAt: utc(r.M.UpdatedAt), Version: r.M.Version, UpdatedBy: r.UpdatedByName,
	}
}

var clientList = listSpec{
	sorts: map[string]sortKey{
		domain.SortName:    {col("c", "full_name"), kindText},
		domain.SortCreated: {col("c", "created_at"), kindTime},
		domain.SortUpdated: {col("c", "updated_at"), kindTime},
	},
	def: domain.SortName,
	id:  col("c", "id"),
}

type clientRepo struct{ db *DB }

func (r clientRepo) base(ctx context.Context) *gorm.DB {
	return r.with(r.db.conn(ctx).Table("clients AS c"))
}

// with adds the columns and joins of a read to g (FROM set).
func (r clientRepo) with(g *gorm.DB) *gorm.DB {
	// Collaborator names through scalar subqueries: fewer relations for
	// PostgreSQL's planner (see contractRepo.base).
	return g.Select(`c.*, COALESCE(co.name, '') AS company_name,
			COALESCE((SELECT s.full_name FROM users AS s WHERE s.id = c.sales_contact_id), '') AS sales_contact_name,
			COALESCE((SELECT ub.full_name FROM users AS ub WHERE ub.id = c.updated_by_id), '') AS updated_by_name`).
		Joins("LEFT JOIN companies AS co ON co.id = c.company_id")
}

// Get reads one client.
func (r clientRepo) Get(ctx context.Context, id int64) (domain.Client, error) {
	return scanOne("get client", r.base(ctx).Where("c.id = ?", id), clientRow.client)
}

// GetByEmail reads a client by email, case-insensitively.
func (r clientRepo) GetByEmail(ctx context.Context, email string) (domain.Client, error) {
	return scanOne("get client", r.base(ctx).Where(r.db.textEq(col("c", "email"), email)), clientRow.client)
}

// Create inserts c.
func (r clientRepo) Create(ctx context.Context, c *domain.Client, byID int64) error {
	now := time.Now().UTC()
	m := clientModel{
		FullName: c.FullName, Email: c.Email, Phone: c.Phone, CompanyID: c.CompanyID,
		SalesContactID: c.SalesContactID, Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedByID: &byID,
	}
	if err := createRow(ctx, r.db, "create client", &m); err != nil {
		return err
	}
	c.ID, c.Version, c.CreatedAt, c.UpdatedAt = m.ID, 1, now, now
	return nil
}

// Update saves c when its version is current.
func (r clientRepo) Update(ctx context.Context, c *domain.Client, byID int64) error {
	return updateVersioned(ctx, r.db, "update client", &clientModel{}, c.ID, byID, &c.Version, &c.UpdatedAt, map[string]any{
		"full_name": c.FullName, "email": c.Email, "phone": c.Phone, "company_id": c.CompanyID,
		"sales_contact_id": c.SalesContactID,
	})
}

// Delete removes a client (its draft contracts and their payments go with
// it).
func (r clientRepo) Delete(ctx context.Context, id int64) error {
	return deleteRow(ctx, r.db, "delete client", &clientModel{}, id)
}

// matchingClients is the subquery of client ids whose name, email or
// company name contains the pattern: three index-friendly branches
// (trigram indexes on PostgreSQL) instead of one OR across a join.
//
// MySQL has no index for a substring, so every branch would read the whole
// table: there it is one pass over clients, the companies read once.
func (db *DB) matchingClients(pattern string) clause.Expr {
	if db.dialect == DialectMySQL {
		return clause.Expr{SQL: `SELECT id FROM clients WHERE ? OR ?
			OR company_id IN (SELECT co.id FROM companies co WHERE ?)`,
			Vars: []any{db.like(clause.Column{Name: "full_name"}, pattern), db.like(clause.Column{Name: "email"}, pattern), db.like(col("co", "name"), pattern)}}
	}
	return clause.Expr{SQL: `SELECT id FROM clients WHERE ?
		UNION SELECT id FROM clients WHERE ?
		UNION SELECT cl.id FROM clients cl JOIN companies co ON co.id = cl.company_id WHERE ?`,
		Vars: []any{db.like(clause.Column{Name: "full_name"}, pattern), db.like(clause.Column{Name: "email"}, pattern), db.like(col("co", "name"), pattern)}}
}

// filters applies q's filters to a query over "clients AS c".
func (r clientRepo) filters(g *gorm.DB, q domain.ListQuery) (*gorm.DB, error) {
	switch q.Filter {
	case domain.FilterAll:
	case domain.FilterMine:
		g = g.Where("c.sales_contact_id = ?", q.ActorID)
	default:
		return nil, errBadFilter
	}
	if q.CompanyID != nil {
		g = g.Where("c.company_id = ?", *q.CompanyID)
	}
	return g, nil
}

// List returns one page of clients.
func (r clientRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Client], error) {
	return listOf(ctx, r.db, q, listDef[clientRow, domain.Client]{
		op: "list clients", table: "clients AS c", with: r.with, filters: r.filters, spec: clientList, conv: clientRow.client,
		match: func(pat string) clause.Expr {
			return r.db.anyLike(pat, col("c", "full_name"), col("c", "email"), col("co", "name"))
		},
		cands: r.db.matchingClients,
	})
}
