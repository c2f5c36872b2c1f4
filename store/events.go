package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// eventModel is a row of events.
type eventModel struct {
	ID               int64 `gorm:"primaryKey"`
	Name             string
	ContractID       int64
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
	ClientID           int64
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
		ID: r.M.ID, Name: r.M.Name, ContractID: r.M.ContractID, ClientID: r.ClientID, ClientName: r.ClientName,
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
	return r.db.conn(ctx).Table("events AS e").
		Select(`e.*, k.client_id AS client_id, cl.full_name AS client_name, COALESCE(co.name, '') AS company_name,
			cl.sales_contact_id AS sales_contact_id, COALESCE(su.full_name, '') AS support_contact_name,
			COALESCE(ub.full_name, '') AS updated_by_name`).
		Joins("JOIN contracts AS k ON k.id = e.contract_id").
		Joins("JOIN clients AS cl ON cl.id = k.client_id").
		Joins("LEFT JOIN companies AS co ON co.id = cl.company_id").
		Joins("LEFT JOIN users AS su ON su.id = e.support_contact_id").
		Joins("LEFT JOIN users AS ub ON ub.id = e.updated_by_id")
}

func (r eventRepo) one(ctx context.Context, op string, q *gorm.DB) (domain.Event, error) {
	var row eventRow
	res := q.Limit(1).Scan(&row)
	if res.Error != nil {
		return domain.Event{}, wrap(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return domain.Event{}, notFound(op)
	}
	return row.event(), nil
}

// Get reads one event.
func (r eventRepo) Get(ctx context.Context, id int64) (domain.Event, error) {
	return r.one(ctx, "get event", r.base(ctx).Where("e.id = ?", id))
}

// GetByContract reads the event of a contract.
func (r eventRepo) GetByContract(ctx context.Context, contractID int64) (domain.Event, error) {
	return r.one(ctx, "get event", r.base(ctx).Where("e.contract_id = ?", contractID))
}

// Create inserts e; ErrDuplicate when the contract already has an event.
func (r eventRepo) Create(ctx context.Context, e *domain.Event, byID int64) error {
	now := time.Now().UTC()
	status := e.Status
	if status == "" {
		status = domain.EventPlanned
	}
	m := eventModel{
		Name: e.Name, ContractID: e.ContractID, StartAt: e.Start.UTC(), EndAt: e.End.UTC(), Location: e.Location,
		Attendees: e.Attendees, Notes: e.Notes, Status: string(status), SupportContactID: e.SupportContactID,
		Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedByID: &byID,
	}
	if err := r.db.write(ctx, func(g *gorm.DB) error { return g.Create(&m).Error }); err != nil {
		return wrap("create event", err)
	}
	e.ID, e.Status, e.Version, e.CreatedAt, e.UpdatedAt = m.ID, status, 1, now, now
	return nil
}

// Update saves e when its version is current.
func (r eventRepo) Update(ctx context.Context, e *domain.Event, byID int64) error {
	now := time.Now().UTC()
	affected, err := updateVersioned(ctx, r.db, &eventModel{}, e.ID, e.Version, map[string]any{
		"name": e.Name, "start_at": e.Start.UTC(), "end_at": e.End.UTC(), "location": e.Location,
		"attendees": e.Attendees, "notes": e.Notes, "status": string(e.Status),
		"support_contact_id": e.SupportContactID, "updated_at": now, "updated_by_id": byID,
	})
	if err != nil {
		return wrap("update event", err)
	}
	if affected == 0 {
		return versionMiss(ctx, r.db.g, "events", e.ID, "update event")
	}
	e.Version++
	e.UpdatedAt = now
	return nil
}

// Delete removes an event.
func (r eventRepo) Delete(ctx context.Context, id int64) error {
	return deleteRow(ctx, r.db, "delete event", &eventModel{}, id)
}

// List returns one page of events.
func (r eventRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Event], error) {
	g := r.base(ctx)
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
			g = g.Where("(e.support_contact_id = ? OR cl.sales_contact_id = ?)", q.ActorID, q.ActorID)
		default:
			g = g.Where("cl.sales_contact_id = ?", q.ActorID)
		}
	default:
		return domain.Page[domain.Event]{}, fmt.Errorf("list events: %w", errBadFilter)
	}
	if q.From != nil {
		g = g.Where("e.start_at >= ?", q.From.UTC())
	}
	if q.To != nil {
		g = g.Where("e.start_at < ?", q.To.UTC())
	}
	if q.ClientID != nil {
		g = g.Where("k.client_id = ?", *q.ClientID)
	}
	if q.CompanyID != nil {
		g = g.Where("cl.company_id = ?", *q.CompanyID)
	}
	if q.Search != "" {
		p := likePattern(q.Search)
		g = g.Where(`(lower(e.name) LIKE ? ESCAPE '\' OR k.client_id IN (?))`, p, matchingClients(p))
	}
	p, err := pageOf(ctx, g, eventList, q, eventRow.event)
	return p, wrapList("list events", err)
}
