package store

import (
	"gorm.io/gorm"
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
