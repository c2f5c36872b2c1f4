package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// contractModel is a row of contracts.
type contractModel struct {
	ID             int64 `gorm:"primaryKey"`
	ClientID       int64
	TotalCents     int64
	RemainingCents int64
	Status         string
	SignedAt       *time.Time
	SignedByID     *int64
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
	UpdatedByID    *int64
}

func (contractModel) TableName() string { return "contracts" }

// contractRow is a contract as read, with joined names.
type contractRow struct {
	M                contractModel `gorm:"embedded"`
	ClientName       string
	CompanyName      string
	SalesContactID   *int64
	SalesContactName string
	SignedByName     string
	EventID          *int64
	UpdatedByName    string
}

func (r contractRow) rowID() int64 { return r.M.ID }

func (r contractRow) sortValue(sort string) any {
	switch sort {
	case domain.SortTotal:
		return r.M.TotalCents
	case domain.SortRemain:
		return r.M.RemainingCents
	}
	return r.M.CreatedAt
}

func (r contractRow) contract() domain.Contract {
	return domain.Contract{
		ID: r.M.ID, ClientID: r.M.ClientID, ClientName: r.ClientName, CompanyName: r.CompanyName,
		SalesContactID: r.SalesContactID, SalesContactName: r.SalesContactName,
		TotalCents: r.M.TotalCents, RemainingCents: r.M.RemainingCents, Status: domain.ContractStatus(r.M.Status),
		CreatedAt: utc(r.M.CreatedAt), SignedAt: utcPtr(r.M.SignedAt), SignedByID: r.M.SignedByID, SignedByName: r.SignedByName,
		EventID: r.EventID, Version: r.M.Version, UpdatedAt: utc(r.M.UpdatedAt), UpdatedBy: r.UpdatedByName,
	}
}

var contractList = listSpec{
	sorts: map[string]sortKey{
		domain.SortCreated: {col("k", "created_at"), kindTime},
		domain.SortTotal:   {col("k", "total_cents"), kindInt},
		domain.SortRemain:  {col("k", "remaining_cents"), kindInt},
	},
	def: domain.SortCreated,
	id:  col("k", "id"),
}

// paymentModel is a row of payments.
type paymentModel struct {
	ID           int64 `gorm:"primaryKey"`
	ContractID   int64
	AmountCents  int64
	PaidAt       time.Time
	Note         string
	RecordedByID *int64
	CreatedAt    time.Time
}

func (paymentModel) TableName() string { return "payments" }

type contractRepo struct{ db *DB }

func (r contractRepo) base(ctx context.Context) *gorm.DB {
	return r.with(r.db.conn(ctx).Table("contracts AS k"))
}

// with adds the columns and joins of a read to g (FROM set).
func (r contractRepo) with(g *gorm.DB) *gorm.DB {
	// The list walks contracts in sort order and stops after a page. MySQL
	// and MariaDB would rather start from the smaller clients table and
	// sort every contract: STRAIGHT_JOIN keeps contracts first.
	joinClients := "JOIN clients AS cl ON cl.id = k.client_id"
	if r.db.dialect == DialectMySQL {
		joinClients = "STRAIGHT_JOIN clients AS cl ON cl.id = k.client_id"
	}
	// Names through scalar subqueries rather than LEFT JOINs: the same
	// index lookups per row, but PostgreSQL plans three relations instead
	// of seven (planning a seven-way join cost more than running it).
	return g.Select(`k.*, cl.full_name AS client_name, COALESCE(co.name, '') AS company_name,
			cl.sales_contact_id AS sales_contact_id,
			COALESCE((SELECT s.full_name FROM users AS s WHERE s.id = cl.sales_contact_id), '') AS sales_contact_name,
			COALESCE((SELECT sb.full_name FROM users AS sb WHERE sb.id = k.signed_by_id), '') AS signed_by_name,
			(SELECT ev.id FROM events AS ev WHERE ev.contract_id = k.id) AS event_id,
			COALESCE((SELECT ub.full_name FROM users AS ub WHERE ub.id = k.updated_by_id), '') AS updated_by_name`).
		Joins(joinClients).
		Joins("LEFT JOIN companies AS co ON co.id = cl.company_id")
}

// Get reads one contract.
func (r contractRepo) Get(ctx context.Context, id int64) (domain.Contract, error) {
	return scanOne("get contract", r.base(ctx).Where("k.id = ?", id), contractRow.contract)
}

// Create inserts c (status draft unless given).
func (r contractRepo) Create(ctx context.Context, c *domain.Contract, byID int64) error {
	now := time.Now().UTC()
	status := c.Status
	if status == "" {
		status = domain.ContractDraft
	}
	m := contractModel{
		ClientID: c.ClientID, TotalCents: c.TotalCents, RemainingCents: c.RemainingCents,
		Status: string(status), SignedAt: utcPtr(c.SignedAt), SignedByID: c.SignedByID,
		Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedByID: &byID,
	}
	if err := createRow(ctx, r.db, "create contract", &m); err != nil {
		return err
	}
	c.ID, c.Status, c.Version, c.CreatedAt, c.UpdatedAt = m.ID, status, 1, now, now
	return nil
}

// Update saves c's amounts and signature when its version is current.
func (r contractRepo) Update(ctx context.Context, c *domain.Contract, byID int64) error {
	return updateVersioned(ctx, r.db, "update contract", &contractModel{}, c.ID, byID, &c.Version, &c.UpdatedAt, map[string]any{
		"client_id": c.ClientID, "total_cents": c.TotalCents, "remaining_cents": c.RemainingCents,
		"status": string(c.Status), "signed_at": utcPtr(c.SignedAt), "signed_by_id": c.SignedByID,
	})
}

// Delete removes a contract and its payments.
func (r contractRepo) Delete(ctx context.Context, id int64) error {
	return deleteRow(ctx, r.db, "delete contract", &contractModel{}, id)
}

// filters applies q's filters to a query over "contracts AS k" (the
// client's columns through subqueries on clients).
func (r contractRepo) filters(g *gorm.DB, q domain.ListQuery) (*gorm.DB, error) {
	switch q.Filter {
	case domain.FilterAll:
	case domain.FilterUnsigned:
		g = g.Where("k.status = ?", string(domain.ContractDraft))
	case domain.FilterUnpaid:
		g = g.Where("k.remaining_cents > ?", 0)
	case domain.FilterMine:
		if r.db.dialect == DialectMySQL {
			// MariaDB would gather the user's clients' contracts and sort
			// them all; probing each contract's client while walking the
			// sort index stops after a page (3-4 times faster).
			g = g.Where("(SELECT s.sales_contact_id FROM clients AS s WHERE s.id = k.client_id) = ?", q.ActorID)
		} else {
			g = g.Where("k.client_id IN (SELECT id FROM clients WHERE sales_contact_id = ?)", q.ActorID)
		}
	default:
		return nil, errBadFilter
	}
	if q.ClientID != nil {
		g = g.Where("k.client_id = ?", *q.ClientID)
	}
	if q.CompanyID != nil {
		g = g.Where("k.client_id IN (SELECT id FROM clients WHERE company_id = ?)", *q.CompanyID)
	}
	return g, nil
}

// List returns one page of contracts.
func (r contractRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Contract], error) {
	return listOf(ctx, r.db, q, listDef[contractRow, domain.Contract]{
		op: "list contracts", table: "contracts AS k", with: r.with, filters: r.filters, spec: contractList, conv: contractRow.contract,
		match: func(pat string) clause.Expr {
			return r.db.anyLike(pat, col("cl", "full_name"), col("cl", "email"), col("co", "name"))
		},
		cands: func(pat string) clause.Expr {
			if r.db.dialect == DialectMySQL {
				// MariaDB runs IN (subquery) here as a dependent subquery,
				// once per contract: join the matching clients instead.
				return clause.Expr{SQL: "SELECT k.id FROM (?) AS m JOIN contracts AS k ON k.client_id = m.id", Vars: []any{r.db.matchingClients(pat)}}
			}
			return clause.Expr{SQL: "SELECT id FROM contracts WHERE client_id IN (?)", Vars: []any{r.db.matchingClients(pat)}}
		},
	})
}

// CountSigned counts a client's signed contracts.
func (r contractRepo) CountSigned(ctx context.Context, clientID int64) (int, error) {
	return countRows("count contracts", r.db.conn(ctx).Model(&contractModel{}).
		Where("client_id = ? AND status = ?", clientID, string(domain.ContractSigned)))
}

// Pay lowers the remaining amount with one conditional UPDATE, so two
// concurrent payments can never overdraw, then records the payment.
func (r contractRepo) Pay(ctx context.Context, p *domain.Payment, byID int64) error {
	if p.AmountCents <= 0 {
		return fmt.Errorf("record payment: %w", &ConstraintError{"a payment must be more than zero"})
	}
	now := time.Now().UTC()
	paid := p.PaidAt
	if paid.IsZero() {
		paid = now
	}
	m := paymentModel{
		ContractID: p.ContractID, AmountCents: p.AmountCents, PaidAt: paid.UTC(), Note: p.Note,
		RecordedByID: &byID, CreatedAt: now,
	}
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		res := g.Model(&contractModel{}).
			Where("id = ? AND remaining_cents >= ?", p.ContractID, p.AmountCents).
			Updates(map[string]any{
				"remaining_cents": gorm.Expr("remaining_cents - ?", p.AmountCents),
				"version":         gorm.Expr("version + 1"),
				"updated_at":      now,
				"updated_by_id":   byID,
			})
		if res.Error != nil {
			return mapErr(res.Error)
		}
		if res.RowsAffected == 0 {
			return versionMiss(ctx, g, "contracts", p.ContractID, "record payment")
		}
		return mapErr(g.Create(&m).Error)
	})
	if err != nil {
		return wrap("record payment", err)
	}
	p.ID, p.PaidAt, p.RecordedByID = m.ID, m.PaidAt, byID
	return nil
}

// paymentRow is a payment as read.
type paymentRow struct {
	M              paymentModel `gorm:"embedded"`
	RecordedByName string
}

// Payments lists a contract's payments, oldest first.
func (r contractRepo) Payments(ctx context.Context, contractID int64) ([]domain.Payment, error) {
	var rows []paymentRow
	err := r.db.conn(ctx).Table("payments AS p").
		Select("p.*, COALESCE(u.full_name, '') AS recorded_by_name").
		Joins("LEFT JOIN users AS u ON u.id = p.recorded_by_id").
		Where("p.contract_id = ?", contractID).
		Order(clause.OrderBy{Columns: []clause.OrderByColumn{{Column: col("p", "paid_at")}, {Column: col("p", "id")}}}).
		Scan(&rows).Error
	if err != nil {
		return nil, wrap("list payments", err)
	}
	out := make([]domain.Payment, len(rows))
	for i, row := range rows {
		out[i] = domain.Payment{
			ID: row.M.ID, ContractID: row.M.ContractID, AmountCents: row.M.AmountCents, PaidAt: utc(row.M.PaidAt),
			Note: row.M.Note, RecordedByName: row.RecordedByName,
		}
		if row.M.RecordedByID != nil {
			out[i].RecordedByID = *row.M.RecordedByID
		}
	}
	return out, nil
}

// Stats computes the dashboard figures in one query.
func (r contractRepo) Stats(ctx context.Context, q domain.StatsQuery) (domain.Stats, error) {
	var st struct {
		Clients          int64
		DraftContracts   int64
		OutstandingCents int64
		UnpaidCents      int64
		SignedThisMonth  int64
		UnassignedEvents int64
		UpcomingEvents   int64
	}
	now, month := q.Now.UTC(), q.MonthStart.UTC()
	// A nil SalesID / SupportID means everyone: then no condition at all,
	// so that no figure joins every contract to its client only to keep
	// them all (MySQL would do that join, row by row).
	everyone := clause.Expr{SQL: "1 = 1"}
	clientsMine, contractsMine, eventsMine := everyone, everyone, everyone
	if q.SalesID != nil {
		clientsMine = clause.Expr{SQL: "c.sales_contact_id = ?", Vars: []any{*q.SalesID}}
		contractsMine = clause.Expr{SQL: "k.client_id IN (SELECT id FROM clients WHERE sales_contact_id = ?)", Vars: []any{*q.SalesID}}
	}
	if q.SupportID != nil {
		eventsMine = clause.Expr{SQL: "e.support_contact_id = ?", Vars: []any{*q.SupportID}}
	}
	sum := r.db.bigint(clause.Expr{SQL: "COALESCE(SUM(k.remaining_cents), 0)"})
	err := r.db.conn(ctx).Raw(`SELECT
		(SELECT COUNT(*) FROM clients c WHERE ?) AS clients,
		(SELECT COUNT(*) FROM contracts k WHERE k.status = 'draft' AND ?) AS draft_contracts,
		(SELECT ? FROM contracts k WHERE k.status = 'signed' AND ?) AS outstanding_cents,
		(SELECT ? FROM contracts k WHERE ?) AS unpaid_cents,
		(SELECT COUNT(*) FROM contracts k WHERE k.status = 'signed' AND k.signed_at >= ? AND ?) AS signed_this_month,
		(SELECT COUNT(*) FROM events e WHERE e.support_contact_id IS NULL AND e.start_at >= ?) AS unassigned_events,
		(SELECT COUNT(*) FROM events e WHERE e.start_at >= ? AND ?) AS upcoming_events`,
		clientsMine, contractsMine, sum, contractsMine, sum, contractsMine,
		month, contractsMine, now, now, eventsMine).Scan(&st).Error
	if err != nil {
		return domain.Stats{}, wrap("dashboard figures", err)
	}
	return domain.Stats{
		Clients: int(st.Clients), DraftContracts: int(st.DraftContracts), OutstandingCents: st.OutstandingCents,
		UnpaidCents: st.UnpaidCents, SignedThisMonth: int(st.SignedThisMonth),
		UnassignedEvents: int(st.UnassignedEvents), UpcomingEvents: int(st.UpcomingEvents),
	}, nil
}
