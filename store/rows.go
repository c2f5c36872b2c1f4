package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// scanOne reads the first row of q (FROM, columns and conditions set)
// into an R and converts it; ErrNotFound for op when there is none.
func scanOne[R, T any](op string, q *gorm.DB, conv func(R) T) (T, error) {
	var row R
	res := q.Limit(1).Scan(&row)
	return oneRow(op, res, func() T { return conv(row) })
}

// findOne is scanOne for a model read on its own table (Find).
func findOne[M, T any](op string, q *gorm.DB, conv func(M) T) (T, error) {
	var m M
	res := q.Limit(1).Find(&m)
	return oneRow(op, res, func() T { return conv(m) })
}

// oneRow is the result of a one-row read: res's error, ErrNotFound when
// it read nothing, else the row converted.
func oneRow[T any](op string, res *gorm.DB, conv func() T) (T, error) {
	var zero T
	if res.Error != nil {
		return zero, wrap(op, res.Error)
	}
	if res.RowsAffected == 0 {
		return zero, notFound(op)
	}
	return conv(), nil
}

// tabler is a GORM model: it names its table.
type tabler interface{ TableName() string }

// writeRows runs one write step (see DB.write) and returns the rows it
// touched.
func writeRows(ctx context.Context, db *DB, fn func(g *gorm.DB) *gorm.DB) (int64, error) {
	var affected int64
	err := db.write(ctx, func(g *gorm.DB) error {
		res := fn(g)
		affected = res.RowsAffected
		return res.Error
	})
	return affected, err
}

// writeOne runs one write step meant for one row; ErrNotFound for op
// when it touched none.
func writeOne(ctx context.Context, db *DB, op string, fn func(g *gorm.DB) *gorm.DB) error {
	affected, err := writeRows(ctx, db, fn)
	if err != nil {
		return wrap(op, err)
	}
	if affected == 0 {
		return notFound(op)
	}
	return nil
}

// deleteRow deletes the row id of model's table; ErrNotFound if none.
func deleteRow(ctx context.Context, db *DB, op string, model tabler, id int64) error {
	return writeOne(ctx, db, op, func(g *gorm.DB) *gorm.DB { return g.Where("id = ?", id).Delete(model) })
}

// setColumn sets one column (a constant of the caller) of the row id of
// model's table; ErrNotFound if none.
func setColumn(ctx context.Context, db *DB, op string, model tabler, id int64, column string, v any) error {
	return writeOne(ctx, db, op, func(g *gorm.DB) *gorm.DB { return g.Model(model).Where("id = ?", id).Update(column, v) })
}

// updateVersioned saves cols on the row id of model's table when its
// version is still *version: UPDATE ... SET cols, version = version + 1,
// updated_at = now, updated_by_id = byID WHERE id = ? AND version = ?.
// Then it advances *version and sets *updatedAt. When nothing matched:
// ErrConflict (stale version) or ErrNotFound (no such row), for op.
func updateVersioned(ctx context.Context, db *DB, op string, model tabler, id, byID int64,
	version *int64, updatedAt *time.Time, cols map[string]any) error {
	now := time.Now().UTC()
	cols["version"] = gorm.Expr("version + 1")
	cols["updated_at"] = now
	cols["updated_by_id"] = byID
	affected, err := writeRows(ctx, db, func(g *gorm.DB) *gorm.DB {
		return g.Model(model).Where("id = ? AND version = ?", id, *version).Updates(cols)
	})
	if err != nil {
		return wrap(op, err)
	}
	if affected == 0 {
		return versionMiss(ctx, db.g, model.TableName(), id, op)
	}
	*version++
	*updatedAt = now
	return nil
}

// versionMiss tells a stale version (ErrConflict) from a missing row
// (ErrNotFound) after a conditional update matched nothing.
func versionMiss(ctx context.Context, g *gorm.DB, table string, id int64, op string) error {
	var n int64
	if err := g.WithContext(ctx).Table(table).Where("id = ?", id).Count(&n).Error; err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return notFound(op)
	}
	return fmt.Errorf("%s: %w", op, domain.ErrConflict)
}

// countRows counts the rows of q; op names a failure.
func countRows(op string, q *gorm.DB) (int, error) {
	var n int64
	err := q.Count(&n).Error
	return int(n), wrap(op, err)
}

// createRow creates the row of model m (a pointer; the database sets its id)
// in one write step.
func createRow(ctx context.Context, db *DB, op string, m any) error {
	return wrap(op, db.write(ctx, func(g *gorm.DB) error { return g.Create(m).Error }))
}
