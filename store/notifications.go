package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// notificationModel is a row of notifications.
type notificationModel struct {
	ID       int64 `gorm:"primaryKey"`
	UserID   int64
	At       time.Time
	Kind     string
	Entity   string
	EntityID int64
	Subject  string
	StartsAt *time.Time
	ByID     *int64
	ByName   string
	Detail   string
	ReadAt   *time.Time
	Dedupe   *string
}

func (notificationModel) TableName() string { return "notifications" }

func (m notificationModel) note() domain.Notification {
	n := domain.Notification{
		ID: m.ID, UserID: m.UserID, At: utc(m.At), Kind: m.Kind, Entity: m.Entity, EntityID: m.EntityID,
		Subject: m.Subject, When: utcPtr(m.StartsAt), ByID: m.ByID, ByName: m.ByName, Detail: m.Detail,
		ReadAt: utcPtr(m.ReadAt),
	}
	if m.Dedupe != nil {
		n.Dedupe = *m.Dedupe
	}
	return n
}

type notificationRepo struct{ db *DB }

// Notifications returns the inboxes.
func (db *DB) Notifications() domain.NotificationRepo { return notificationRepo{db} }

// Add appends n; a reminder already given (same user and Dedupe key) is
// skipped without touching the table, so its id sequence and the change
// feed stay quiet.
func (r notificationRepo) Add(ctx context.Context, n *domain.Notification) error {
	at := n.At
	if at.IsZero() {
		at = time.Now()
	}
	m := notificationModel{
		UserID: n.UserID, At: at.UTC(), Kind: n.Kind, Entity: n.Entity, EntityID: n.EntityID,
		Subject: n.Subject, ByID: n.ByID, ByName: n.ByName, Detail: n.Detail,
	}
	if n.When != nil {
		w := n.When.UTC()
		m.StartsAt = &w
	}
	if n.Dedupe != "" {
		d := n.Dedupe
		m.Dedupe = &d
	}
	err := r.db.write(ctx, func(g *gorm.DB) error {
		if m.Dedupe != nil {
			var seen int64
			if err := g.Model(&notificationModel{}).Where("user_id = ? AND dedupe = ?", m.UserID, *m.Dedupe).Count(&seen).Error; err != nil {
				return err
			}
			if seen > 0 {
				return nil
			}
		}
		return g.Clauses(clause.OnConflict{DoNothing: true}).Create(&m).Error
	})
	if err != nil {
		return wrap("add notification", err)
	}
	n.ID, n.At = m.ID, m.At
	return nil
}

// List returns the user's notifications, newest first.
func (r notificationRepo) List(ctx context.Context, userID int64, limit int) ([]domain.Notification, error) {
	var ms []notificationModel
	err := r.db.conn(ctx).Where("user_id = ?", userID).Order("id DESC").Limit(limit).Find(&ms).Error
	if err != nil {
		return nil, wrap("list notifications", err)
	}
	out := make([]domain.Notification, len(ms))
	for i, m := range ms {
		out[i] = m.note()
	}
	return out, nil
}

// Unread counts the user's unread notifications (a partial index answers).
func (r notificationRepo) Unread(ctx context.Context, userID int64) (int, error) {
	var n int64
	err := r.db.conn(ctx).Model(&notificationModel{}).Where("user_id = ? AND read_at IS NULL", userID).Count(&n).Error
	return int(n), wrap("count notifications", err)
}

// MarkRead marks one notification read, only if it is the user's.
func (r notificationRepo) MarkRead(ctx context.Context, userID, id int64, at time.Time) error {
	var found int64
	err := r.db.write(ctx, func(g *gorm.DB) error {
		if err := g.Model(&notificationModel{}).Where("id = ? AND user_id = ?", id, userID).Count(&found).Error; err != nil {
			return err
		}
		if found == 0 {
			return domain.ErrNotFound
		}
		return g.Model(&notificationModel{}).Where("id = ? AND user_id = ? AND read_at IS NULL", id, userID).
			Update("read_at", at.UTC()).Error
	})
	return wrap("mark notification read", err)
}

// Resolve marks read the unread notifications of kind about one record,
// and frees their de-duplication key: should the cause come back (the
// support contact removed again), so does the reminder.
func (r notificationRepo) Resolve(ctx context.Context, kind, entity string, id int64, at time.Time) error {
	return wrap("resolve notifications", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&notificationModel{}).Where("kind = ? AND entity = ? AND entity_id = ? AND read_at IS NULL", kind, entity, id).
			Updates(map[string]any{"read_at": at.UTC(), "dedupe": nil}).Error
	}))
}

// MarkAllRead marks the user's unread notifications read.
func (r notificationRepo) MarkAllRead(ctx context.Context, userID int64, at time.Time) error {
	return wrap("mark notifications read", r.db.write(ctx, func(g *gorm.DB) error {
		return g.Model(&notificationModel{}).Where("user_id = ? AND read_at IS NULL", userID).Update("read_at", at.UTC()).Error
	}))
}
