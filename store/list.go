package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// Limits of one page.
const (
	defaultLimit = 50
	maxLimit     = 500
)

// keyKind is the type of a sort key, for the cursor.
type keyKind int

const (
	kindText keyKind = iota
	kindInt
	kindTime
)

// sortKey is an allow-listed ORDER BY column. Column names come only from
// the fixed maps of each repository, never from the caller.
type sortKey struct {
	col  clause.Column
	kind keyKind
}

// col names a column of a table alias (a constant, quoted by GORM).
func col(table, name string) clause.Column { return clause.Column{Table: table, Name: name} }

// ErrBadCursor is a cursor this store did not produce (or produced for
// another sort order).
var ErrBadCursor = &ConstraintError{"the page position is not valid any more: reload the list"}

// cursor is the position after the last row of a page: its sort value and
// id, bound to the sort it was made for.
type cursor struct {
	S  string          `json:"s"`
	D  bool            `json:"d,omitempty"`
	V  json.RawMessage `json:"v"`
	ID int64           `json:"id"`
}

func encodeCursor(sort string, desc bool, v any, id int64) string {
	if t, ok := v.(time.Time); ok {
		v = t.UTC().Format(time.RFC3339Nano)
	}
	raw, _ := json.Marshal(v) // string, int64: cannot fail
	b, _ := json.Marshal(cursor{S: sort, D: desc, V: raw, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s, sort string, desc bool, kind keyKind) (any, int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) > 2048 {
		return nil, 0, ErrBadCursor
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.S != sort || c.D != desc || c.ID <= 0 {
		return nil, 0, ErrBadCursor
	}
	switch kind {
	case kindInt:
		var n int64
		if err := json.Unmarshal(c.V, &n); err != nil {
			return nil, 0, ErrBadCursor
		}
		return n, c.ID, nil
	case kindTime:
		var ts string
		if err := json.Unmarshal(c.V, &ts); err != nil {
			return nil, 0, ErrBadCursor
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return nil, 0, ErrBadCursor
		}
		return t.UTC(), c.ID, nil
	default:
		var txt string
		if err := json.Unmarshal(c.V, &txt); err != nil {
			return nil, 0, ErrBadCursor
		}
		return txt, c.ID, nil
	}
}

// keyed is a scanned list row: its id and the value of each sort key.
type keyed interface {
	rowID() int64
	sortValue(sort string) any
}

// listSpec describes one resource's list.
type listSpec struct {
	sorts map[string]sortKey
	def   string        // default sort
	id    clause.Column // tie-breaker, ascending with the key
}

// pageOf runs q over base (FROM, joins and filters already applied):
// keyset pagination on (key, id), limit+1 rows to know if there is more.
func pageOf[R keyed, T any](ctx context.Context, base *gorm.DB, spec listSpec, q domain.ListQuery, conv func(R) T) (domain.Page[T], error) {
	var out domain.Page[T]
	sort := q.Sort
	if sort == "" {
		sort = spec.def
	}
	key, ok := spec.sorts[sort]
	if !ok {
		return out, &ConstraintError{"this list cannot be sorted that way"}
	}
	limit := q.Limit
	switch {
	case limit <= 0:
		limit = defaultLimit
	case limit > maxLimit:
		limit = maxLimit
	}
	if q.After != "" {
		v, id, err := decodeCursor(q.After, sort, q.Desc, key.kind)
		if err != nil {
			return out, err
		}
		// Row-value comparison: PostgreSQL and SQLite both walk the
		// (key, id) index from the position.
		if q.Desc {
			base = base.Where("(?, ?) < (?, ?)", key.col, spec.id, v, id)
		} else {
			base = base.Where("(?, ?) > (?, ?)", key.col, spec.id, v, id)
		}
	}
	base = base.Order(clause.OrderBy{Columns: []clause.OrderByColumn{
		{Column: key.col, Desc: q.Desc},
		{Column: spec.id, Desc: q.Desc},
	}}).Limit(limit + 1)
	var rows []R
	if err := base.WithContext(ctx).Scan(&rows).Error; err != nil {
		return out, mapErr(err)
	}
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		out.Next = encodeCursor(sort, q.Desc, last.sortValue(sort), last.rowID())
	}
	out.Items = make([]T, len(rows))
	for i, r := range rows {
		out.Items[i] = conv(r)
	}
	return out, nil
}

// likePattern is the LIKE pattern matching text anywhere, case-insensitive
// (compare with lower(column) ... ESCAPE '\'): %, _ and \ in text match
// themselves.
func likePattern(text string) string {
	var b strings.Builder
	b.WriteByte('%')
	for _, r := range strings.ToLower(text) {
		if r == '%' || r == '_' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('%')
	return b.String()
}

// notFound reports a missing row as domain.ErrNotFound for op.
func notFound(op string) error { return fmt.Errorf("%s: %w", op, domain.ErrNotFound) }

// isNotFound reports whether err is a missing row.
func isNotFound(err error) bool {
	return errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, domain.ErrNotFound)
}

// utc normalizes a time for storage: UTC, so that SQLite's text order is
// time order.
func utc(t time.Time) time.Time { return t.UTC() }

// utcPtr is utc for an optional time.
func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
