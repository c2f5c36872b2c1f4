package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// userModel is a row of users.
type userModel struct {
	ID                 int64 `gorm:"primaryKey"`
	EmployeeNo         string
	FullName           string
	Email              string
	Phone              string
	Role               string
	Active             bool
	PasswordHash       string
	SessionsValidAfter *time.Time
	Version            int64
	CreatedAt          time.Time
	UpdatedAt          time.Time
	UpdatedByID        *int64
}

func (userModel) TableName() string { return "users" }

// userRow is a user as read, with joined and computed columns.
type userRow struct {
	M              userModel `gorm:"embedded"`
	UpdatedByName  string
	UpcomingEvents int
	ClientCount    int
}

func (r userRow) rowID() int64 { return r.M.ID }

func (r userRow) sortValue(sort string) any {
	if sort == domain.SortEmployee {
		return r.M.EmployeeNo
	}
	return r.M.FullName
}

func (r userRow) user() domain.User {
	return domain.User{
		ID: r.M.ID, EmployeeNo: r.M.EmployeeNo, FullName: r.M.FullName, Email: r.M.Email, Phone: r.M.Phone,
		Role: domain.Role(r.M.Role), Active: r.M.Active, PasswordHash: r.M.PasswordHash,
		CreatedAt: utc(r.M.CreatedAt), UpdatedAt: utc(r.M.UpdatedAt), Version: r.M.Version,
		UpdatedBy: r.UpdatedByName, UpcomingEvents: r.UpcomingEvents, ClientCount: r.ClientCount,
	}
}

var userList = listSpec{
	sorts: map[string]sortKey{
		domain.SortName:     {col("u", "full_name"), kindText},
		domain.SortEmployee: {col("u", "employee_no"), kindText},
	},
	def: domain.SortName,
	id:  col("u", "id"),
}

type userRepo struct{ db *DB }

func (r userRepo) base(ctx context.Context) *gorm.DB {
	return r.db.conn(ctx).Table("users AS u").
		Select("u.*, COALESCE(ub.full_name, '') AS updated_by_name").
		Joins("LEFT JOIN users AS ub ON ub.id = u.updated_by_id")
}

// Get reads one collaborator.
func (r userRepo) Get(ctx context.Context, id int64) (domain.User, error) {
	return scanOne("get user", r.base(ctx).Where("u.id = ?", id), userRow.user)
}

// GetByEmail reads a collaborator by email, case-insensitively.
func (r userRepo) GetByEmail(ctx context.Context, email string) (domain.User, error) {
	return scanOne("get user", r.base(ctx).Where(r.db.textEq(col("u", "email"), email)), userRow.user)
}

// State reads what every service call needs about the actor.
func (r userRepo) State(ctx context.Context, id int64) (domain.ActorState, error) {
	return findOne("user state", r.db.conn(ctx).Where("id = ?", id), userModel.state)
}

func (m userModel) state() domain.ActorState {
	st := domain.ActorState{ID: m.ID, Name: m.FullName, Email: m.Email, Role: domain.Role(m.Role), Active: m.Active}
	if m.SessionsValidAfter != nil {
		st.ValidAfter = m.SessionsValidAfter.UTC()
	}
	return st
}

// Count counts every collaborator.
func (r userRepo) Count(ctx context.Context) (int, error) {
	return countRows("count users", r.db.conn(ctx).Model(&userModel{}))
}

// Create inserts u; an empty EmployeeNo becomes EE-<id> (zero-padded).
func (r userRepo) Create(ctx context.Context, u *domain.User, byID *int64) error {
	now := time.Now().UTC()
	m := userModel{
		EmployeeNo: u.EmployeeNo, FullName: u.FullName, Email: u.Email, Phone: u.Phone,
		Role: string(u.Role), Active: u.Active, PasswordHash: u.PasswordHash,
		Version: 1, CreatedAt: now, UpdatedAt: now, UpdatedByID: byID,
	}
	generate := m.EmployeeNo == ""
	if generate {
		// A unique placeholder until the id is known.
		m.EmployeeNo = "pending-" + randomHex(8)
	}
	err := r.db.writeTx(ctx, func(g *gorm.DB) error {
		if err := g.Create(&m).Error; err != nil {
			return mapErr(err)
		}
		if !generate {
			return nil
		}
		// Someone may have taken EE-<id> by hand: try the next numbers.
		for n := m.ID; n < m.ID+50; n++ {
			no := employeeNo(n)
			err := g.Transaction(func(sp *gorm.DB) error {
				return sp.Model(&userModel{}).Where("id = ?", m.ID).Update("employee_no", no).Error
			})
			if err == nil {
				m.EmployeeNo = no
				return nil
			}
			if !errors.Is(mapErr(err), domain.ErrDuplicate) {
				return mapErr(err)
			}
		}
		return domain.ErrDuplicate
	})
	if err != nil {
		return fmt.Errorf("create user: %w", mapErr(err))
	}
	u.ID, u.EmployeeNo, u.Version, u.CreatedAt, u.UpdatedAt = m.ID, m.EmployeeNo, 1, now, now
	return nil
}

// employeeNo formats a generated employee number.
func employeeNo(n int64) string { return fmt.Sprintf("EE-%04d", n) }

// Update saves u (not its password) when its version is current.
func (r userRepo) Update(ctx context.Context, u *domain.User, byID int64) error {
	return updateVersioned(ctx, r.db, "update user", &userModel{}, u.ID, byID, &u.Version, &u.UpdatedAt, map[string]any{
		"employee_no": u.EmployeeNo, "full_name": u.FullName, "email": u.Email, "phone": u.Phone,
		"role": string(u.Role), "active": u.Active,
	})
}

// SetPassword replaces the password hash.
func (r userRepo) SetPassword(ctx context.Context, id int64, hash string) error {
	return setColumn(ctx, r.db, "set password", &userModel{}, id, "password_hash", hash)
}

// InvalidateSessions refuses tokens issued before at.
func (r userRepo) InvalidateSessions(ctx context.Context, id int64, at time.Time) error {
	return setColumn(ctx, r.db, "end sessions", &userModel{}, id, "sessions_valid_after", at.UTC())
}

// Delete removes a collaborator.
func (r userRepo) Delete(ctx context.Context, id int64) error {
	return deleteRow(ctx, r.db, "delete user", &userModel{}, id)
}

// List returns one page of collaborators.
func (r userRepo) List(ctx context.Context, q domain.ListQuery) (domain.Page[domain.User], error) {
	g := r.base(ctx)
	switch q.Filter {
	case domain.FilterAll:
	case domain.FilterActive:
		g = g.Where("u.active = ?", true)
	case domain.FilterInactive:
		g = g.Where("u.active = ?", false)
	default:
		return domain.Page[domain.User]{}, fmt.Errorf("list users: %w", errBadFilter)
	}
	if q.Role != "" {
		g = g.Where("u.role = ?", string(q.Role))
	}
	if q.Search != "" {
		g = g.Where(r.db.anyLike(r.db.pattern(q.Search), col("u", "full_name"), col("u", "email"), col("u", "employee_no")))
	}
	p, err := withTotal(ctx, r.db, q, g, func() (domain.Page[domain.User], error) {
		return pageOf(ctx, g, userList, q, userRow.user)
	})
	return p, wrapList("list users", err)
}

// errBadFilter is a filter the resource does not offer.
var errBadFilter = &ConstraintError{"this list has no such filter"}

func wrapList(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, mapErr(err))
}

// CountActiveManagers counts active collaborators of role management.
func (r userRepo) CountActiveManagers(ctx context.Context) (int, error) {
	return countRows("count managers", r.db.conn(ctx).Model(&userModel{}).Where("role = ? AND active = ?", string(domain.RoleManagement), true))
}

// CountClients counts the clients salesID is the sales contact of.
func (r userRepo) CountClients(ctx context.Context, salesID int64) (int, error) {
	return countRows("count clients", r.db.conn(ctx).Model(&clientModel{}).Where("sales_contact_id = ?", salesID))
}

// CountFutureEvents counts the events supportID supports that start at or
// after now.
func (r userRepo) CountFutureEvents(ctx context.Context, supportID int64, now time.Time) (int, error) {
	return countRows("count events", r.db.conn(ctx).Model(&eventModel{}).Where("support_contact_id = ? AND start_at >= ?", supportID, now.UTC()))
}

// Candidates lists the active collaborators of role by name, with their
// upcoming events and clients counted.
func (r userRepo) Candidates(ctx context.Context, role domain.Role, now time.Time) ([]domain.User, error) {
	var rows []userRow
	err := r.db.conn(ctx).Table("users AS u").
		Select(`u.*, COALESCE(ub.full_name, '') AS updated_by_name,
			(SELECT COUNT(*) FROM events e WHERE e.support_contact_id = u.id AND e.start_at >= ?) AS upcoming_events,
			(SELECT COUNT(*) FROM clients c WHERE c.sales_contact_id = u.id) AS client_count`, now.UTC()).
		Joins("LEFT JOIN users AS ub ON ub.id = u.updated_by_id").
		Where("u.role = ? AND u.active = ?", string(role), true).
		Order("u.full_name, u.id").Scan(&rows).Error
	if err != nil {
		return nil, wrap("list candidates", err)
	}
	out := make([]domain.User, len(rows))
	for i, row := range rows {
		out[i] = row.user()
	}
	return out, nil
}
