package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// auditModel is a row of audit_entries (append-only: triggers refuse
// UPDATE and DELETE).
type auditModel struct {
	ID        int64 `gorm:"primaryKey"`
	At        time.Time
	ActorID   *int64
	ActorName string
	Action    string
	Entity    string
	EntityID  int64
	Label     string
	Changes   string
}

func (auditModel) TableName() string { return "audit_entries" }

func (m auditModel) rowID() int64 { return m.ID }

func (m auditModel) sortValue(string) any { return m.At }

func (m auditModel) entry() domain.AuditEntry {
	e := domain.AuditEntry{
		ID: m.ID, At: utc(m.At), ActorID: m.ActorID, ActorName: m.ActorName,
		Action: m.Action, Entity: m.Entity, EntityID: m.EntityID, Label: m.Label,
	}
	if m.Changes != "" {
		// Written by Add from []domain.Change; a row that does not parse
		// shows no changes rather than failing the whole page.
		_ = json.Unmarshal([]byte(m.Changes), &e.Changes)
	}
	return e
}

var auditList = listSpec{
	sorts: map[string]sortKey{domain.SortAt: {col("a", "at"), kindTime}},
	def:   domain.SortAt,
	id:    col("a", "id"),
}

type auditRepo struct{ db *DB }

// Add appends e. The actor's name is kept as it is now, so the entry
// still says who it was after the collaborator is renamed or deleted.
func (r auditRepo) Add(ctx context.Context, e *domain.AuditEntry) error {
	at := e.At
	if at.IsZero() {
		at = time.Now()
	}
	changes := e.Changes
	if changes == nil {
		changes = []domain.Change{}
	}
	b, err := json.Marshal(changes)
	if err != nil {
		return fmt.Errorf("add audit entry: %w", err)
	}
	m := auditModel{
		At: at.UTC(), ActorID: e.ActorID, ActorName: e.ActorName, Action: e.Action,
		Entity: e.Entity, EntityID: e.EntityID, Label: e.Label, Changes: string(b),
	}
	err = r.db.write(ctx, func(g *gorm.DB) error {
		if m.ActorName == "" && m.ActorID != nil {
			var name string
			if err := g.Model(&userModel{}).Where("id = ?", *m.ActorID).Limit(1).Pluck("full_name", &name).Error; err != nil {
				return err
			}
			m.ActorName = name
		}
		return g.Create(&m).Error
	})
	if err != nil {
		return wrap("add audit entry", err)
	}
	e.ID, e.At, e.ActorName = m.ID, m.At, m.ActorName
	return nil
}

// List returns one page of the audit log, newest first unless q.Desc is
// set (then oldest first).
func (r auditRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.AuditEntry], error) {
	g := r.db.conn(ctx).Table("audit_entries AS a").Select("a.*")
	if q.Filter != domain.FilterAll {
		return domain.Page[domain.AuditEntry]{}, fmt.Errorf("list audit: %w", errBadFilter)
	}
	if q.Entity != "" {
		g = g.Where("a.entity = ?", q.Entity)
		if q.EntityID != 0 {
			g = g.Where("a.entity_id = ?", q.EntityID)
		}
	}
	if q.From != nil {
		g = g.Where("a.at >= ?", q.From.UTC())
	}
	if q.To != nil {
		g = g.Where("a.at < ?", q.To.UTC())
	}
	if q.Search != "" {
		g = g.Where(r.db.anyLike(r.db.pattern(q.Search), col("a", "action"), col("a", "actor_name"), col("a", "label")))
	}
	// The log reads newest first: the cursor is made for that order.
	q.Desc = !q.Desc
	p, err := withTotal(ctx, r.db, q, g, func() (domain.Page[domain.AuditEntry], error) {
		return pageOf(ctx, g, auditList, q, auditModel.entry)
	})
	return p, wrapList("list audit", err)
}
