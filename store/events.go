package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// eventModel is a row of events.
type eventModel struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	ContractID       int64
	ClientID         int64
	StartAt          time.Time
	EndAt            time.Time
	Location         string
	Attendees        int
	Notes            string
	Status           string
	SupportContactID *int64
	Version          int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	UpdatedByID      *int64
}

func (eventModel) TableName() string { return "events" }

// eventRow is an event as read, with joined names.
type eventRow struct {
	M                  eventModel `gorm:"embedded"`
	ClientName         string
	CompanyName        string
	SalesContactID     *int64
	SupportContactName string
	UpdatedByName      string
}

func (r eventRow) rowID() int64 { return r.M.ID }

func (r eventRow) sortValue(sort string) any {
	switch sort {
	case domain.SortName:
		return r.M.Name
	case domain.SortCreated:
		return r.M.CreatedAt
	}
	return r.M.StartAt
}

func (r eventRow) event() domain.Event {
	return domain.Event{
		ID: r.M.ID, Name: r.M.Name, ContractID: r.M.ContractID, ClientID: r.M.ClientID, ClientName: r.ClientName,
		CompanyName: r.CompanyName, SalesContactID: r.SalesContactID, Start: utc(r.M.StartAt), End: utc(r.M.EndAt),
		Location: r.M.Location, Attendees: r.M.Attendees, Notes: r.M.Notes, Status: domain.EventStatus(r.M.Status),
		SupportContactID: r.M.SupportContactID, SupportContactName: r.SupportContactName,
		CreatedAt: utc(r.M.CreatedAt), UpdatedAt: utc(r.M.UpdatedAt), Version: r.M.Version, UpdatedBy: r.UpdatedByName,
	}
}

var eventList = listSpec{
	sorts: map[string]sortKey{
		domain.SortStart:   {col("e", "start_at"), kindTime},
		domain.SortName:    {col("e", "name"), kindText},
		domain.SortCreated: {col("e", "created_at"), kindTime},
	},
	def: domain.SortStart,
	id:  col("e", "id"),
}

type eventRepo struct{ db *DB }

func (r eventRepo) base(ctx context.Context) *gorm.DB {
	return r.with(r.db.conn(ctx).Table("events AS e"))
}

// with adds the columns and joins of a read to g (FROM set).
func (r eventRepo) with(g *gorm.DB) *gorm.DB {
	// Events first on MySQL too (see contractRepo.with).
	joinClients := "JOIN clients AS cl ON cl.id = e.client_id"
	if r.db.dialect == DialectMySQL {
		joinClients = "STRAIGHT_JOIN clients AS cl ON cl.id = e.client_id"
	}
	// Collaborator names through scalar subqueries: fewer relations for
	// PostgreSQL's planner (see contractRepo.base).
	return g.Select(`e.*, cl.full_name AS client_name, COALESCE(co.name, '') AS company_name,
			cl.sales_contact_id AS sales_contact_id,
			COALESCE((SELECT su.full_name FROM users AS su WHERE su.id = e.support_contact_id), '') AS support_contact_name,
			COALESCE((SELECT ub.full_name FROM users AS ub WHERE ub.id = e.updated_by_id), '') AS updated_by_name`).
		Joins(joinClients).
		Joins("LEFT JOIN companies AS co ON co.id = cl.company_id")
}

// Get reads one event.
func (r eventRepo) Get(ctx context.Context, id int64) (domain.Event, error) {
	return scanOne("get event", r.base(ctx).Where("e.id = ?", id), eventRow.event)
}

// GetByContract reads the event of a contract.
func (r eventRepo) GetByContract(ctx context.Context, contractID int64) (domain.Event, error) {
	return scanOne("get event", r.base(ctx).Where("e.contract_id = ?", contractID), eventRow.event)
}

// Create inserts e; ErrDuplicate when the contract already has an event.
func (r eventRepo) Create(ctx context.Context, e *domain.Event, byID int64) error {
	now := time.Now().UTC()
	status := e.Status
	if status == "" {
		status = domain.EventPlanned
	}
	m := eventModel{
		Name: e.Name, ContractID: e.ContractID, ClientID: e.ClientID, StartAt: e.Start.UTC(), EndAt: e.End.UTC(), Location: e.Location,
		Attendees: e.Attendees, Notes: e.Notes, Status: string(status), SupportContactID: e.SupportContactID,
		Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedByID: &byID,
	}
	// The event's client is its contract's, read in the same step.
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		var k contractModel
		res := g.Select("client_id").Where("id = ?", e.ContractID).Limit(1).Find(&k)
		if res.Error != nil {
			return mapErr(res.Error)
		}
		if res.RowsAffected == 0 {
			return &ConstraintError{"a record it refers to does not exist, or other records still refer to it"}
		}
		m.ClientID = k.ClientID
		return g.Create(&m).Error
	})
	if err != nil {
		return wrap("create event", err)
	}
	e.ClientID = m.ClientID
	e.ID, e.Status, e.Version, e.CreatedAt, e.UpdatedAt = m.ID, status, 1, now, now
	return nil
}

// Update saves e when its version is current.
func (r eventRepo) Update(ctx context.Context, e *domain.Event, byID int64) error {
	return updateVersioned(ctx, r.db, "update event", &eventModel{}, e.ID, byID, &e.Version, &e.UpdatedAt, map[string]any{
		"name": e.Name, "start_at": e.Start.UTC(), "end_at": e.End.UTC(), "location": e.Location,
		"attendees": e.Attendees, "notes": e.Notes, "status": string(e.Status),
		"support_contact_id": e.SupportContactID,
	})
}

// Delete removes an event.
func (r eventRepo) Delete(ctx context.Context, id int64) error {
	return deleteRow(ctx, r.db, "delete event", &eventModel{}, id)
}

// filters applies q's filters to a query over "events AS e" (no other
// table needed: the client and sales contact go through subqueries on
// clients, index-friendly).
func (r eventRepo) filters(g *gorm.DB, q domain.ListQuery) (*gorm.DB, error) {
	now := q.Now.UTC()
	if q.Now.IsZero() {
		now = time.Now().UTC()
	}
	switch q.Filter {
	case domain.FilterAll:
	case domain.FilterUpcoming:
		g = g.Where("e.start_at >= ?", now)
	case domain.FilterPast:
		g = g.Where("e.start_at < ?", now)
	case domain.FilterUnassigned:
		g = g.Where("e.support_contact_id IS NULL")
	case domain.FilterMine:
		switch q.Role {
		case domain.RoleSupport:
			g = g.Where("e.support_contact_id = ?", q.ActorID)
		case "":
			// Role unknown: either relation.
			g = g.Where("(e.support_contact_id = ? OR e.client_id IN (SELECT id FROM clients WHERE sales_contact_id = ?))", q.ActorID, q.ActorID)
		default:
			if r.db.dialect == DialectMySQL {
				// A probe per event while walking the sort index (see
				// contractRepo.filters).
				g = g.Where("(SELECT s.sales_contact_id FROM clients AS s WHERE s.id = e.client_id) = ?", q.ActorID)
			} else {
				g = g.Where("e.client_id IN (SELECT id FROM clients WHERE sales_contact_id = ?)", q.ActorID)
			}
		}
	default:
		return nil, errBadFilter
	}
	if q.From != nil {
		g = g.Where("e.start_at >= ?", q.From.UTC())
	}
	if q.To != nil {
		g = g.Where("e.start_at < ?", q.To.UTC())
	}
	if q.ClientID != nil {
		g = g.Where("e.client_id = ?", *q.ClientID)
	}
	if q.CompanyID != nil {
		g = g.Where("e.client_id IN (SELECT id FROM clients WHERE company_id = ?)", *q.CompanyID)
	}
	return g, nil
}

// List returns one page of events.
func (r eventRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Event], error) {
	return listOf(ctx, r.db, q, listDef[eventRow, domain.Event]{
		op: "list events", table: "events AS e", with: r.with, filters: r.filters, spec: eventList, conv: eventRow.event,
		match: func(pat string) clause.Expr {
			return r.db.anyLike(pat, col("e", "name"), col("cl", "full_name"), col("cl", "email"), col("co", "name"))
		},
		cands: func(pat string) clause.Expr {
			if r.db.dialect == DialectMySQL {
				// As for contracts: a join, not IN (subquery).
				return clause.Expr{SQL: `SELECT id FROM events WHERE ?
					UNION SELECT e.id FROM (?) AS m JOIN events AS e ON e.client_id = m.id`, Vars: []any{r.db.like(clause.Column{Name: "name"}, pat), r.db.matchingClients(pat)}}
			}
			return clause.Expr{SQL: `SELECT id FROM events WHERE ?
				UNION SELECT id FROM events WHERE client_id IN (?)`, Vars: []any{r.db.like(clause.Column{Name: "name"}, pat), r.db.matchingClients(pat)}}
		},
	})
}
