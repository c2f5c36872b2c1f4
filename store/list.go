package store

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
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

// pageParams is a list query resolved against its spec.
type pageParams struct {
	sort  string
	key   sortKey
	limit int
	desc  bool // the list's order
	after bool // a cursor is set: (v, id) bounds the walk
	back  bool // walking from the end: Before or Last (see backward)
	v     any
	id    int64
	q     domain.ListQuery
}

func resolvePage(spec listSpec, q domain.ListQuery) (pageParams, error) {
	p := pageParams{sort: q.Sort, limit: q.Limit, desc: q.Desc}
	if p.sort == "" {
		p.sort = spec.def
	}
	key, ok := spec.sorts[p.sort]
	if !ok {
		return p, &ConstraintError{"this list cannot be sorted that way"}
	}
	p.key = key
	switch {
	case p.limit <= 0:
		p.limit = defaultLimit
	case p.limit > maxLimit:
		p.limit = maxLimit
	}
	if q.After != "" {
		v, id, err := decodeCursor(q.After, p.sort, q.Desc, key.kind)
		if err != nil {
			return p, err
		}
		p.after, p.v, p.id = true, v, id
	}
	return p.backward(q)
}

// keyset restricts g to the rows after the cursor. Row-value comparison:
// PostgreSQL and SQLite both walk the (key, id) index from the position.
// MySQL and MariaDB do not seek an index with a row value (they would
// read the index from its start), so there the same condition is spelt
// key >= v AND (key > v OR id > last), whose first term is a range.
func (p pageParams) keyset(g *gorm.DB, spec listSpec) *gorm.DB {
	if !p.after {
		return g
	}
	less := p.desc != p.back
	if g.Dialector.Name() == DialectMySQL {
		if less {
			return g.Where("? <= ? AND (? < ? OR ? < ?)", p.key.col, p.v, p.key.col, p.v, spec.id, p.id)
		}
		return g.Where("? >= ? AND (? > ? OR ? > ?)", p.key.col, p.v, p.key.col, p.v, spec.id, p.id)
	}
	if less {
		return g.Where("(?, ?) < (?, ?)", p.key.col, spec.id, p.v, p.id)
	}
	return g.Where("(?, ?) > (?, ?)", p.key.col, spec.id, p.v, p.id)
}

// ordered sorts g by (key, id) and keeps n rows.
func (p pageParams) ordered(g *gorm.DB, spec listSpec, n int) *gorm.DB {
	return g.Order(clause.OrderBy{Columns: []clause.OrderByColumn{
		{Column: p.key.col, Desc: p.desc != p.back},
		{Column: spec.id, Desc: p.desc != p.back},
	}}).Limit(n)
}

// scanPage runs g (keyset, order and limit+1 applied) and makes the page.
func scanPage[R keyed, T any](ctx context.Context, g *gorm.DB, p pageParams, conv func(R) T) (domain.Page[T], error) {
	var rows []R
	if err := g.WithContext(ctx).Scan(&rows).Error; err != nil {
		return domain.Page[T]{}, mapErr(err)
	}
	return makePage(rows, p, conv), nil
}

func makePage[R keyed, T any](rows []R, p pageParams, conv func(R) T) domain.Page[T] {
	var out domain.Page[T]
	if p.back {
		rows, out.Prev, out.Next = edgesBackward(p, rows)
	} else if len(rows) > p.limit {
		rows = rows[:p.limit]
		last := rows[p.limit-1]
		out.Next = encodeCursor(p.sort, p.desc, last.sortValue(p.sort), last.rowID())
	}
	if !p.back && p.after {
		out.Prev = p.q.After
		if len(rows) > 0 {
			out.Prev = encodeCursor(p.sort, p.desc, rows[0].sortValue(p.sort), rows[0].rowID())
		}
	}
	out.Items = make([]T, len(rows))
	for i, r := range rows {
		out.Items[i] = conv(r)
	}
	return out
}

// pageOf runs q over base (FROM, joins and filters already applied):
// keyset pagination on (key, id), limit+1 rows to know if there is more.
func pageOf[R keyed, T any](ctx context.Context, base *gorm.DB, spec listSpec, q domain.ListQuery, conv func(R) T) (domain.Page[T], error) {
	p, err := resolvePage(spec, q)
	if err != nil {
		return domain.Page[T]{}, err
	}
	return scanPage(ctx, p.ordered(p.keyset(base, spec), spec, p.limit+1), p, conv)
}

// backward resolves the backward reads: Before (a cursor, walked the other
// way) and Last (the list's end, walked the other way from no cursor).
func (p pageParams) backward(q domain.ListQuery) (pageParams, error) {
	p.q = q
	switch {
	case q.Before != "":
		if q.After != "" || q.Last {
			return p, ErrBadCursor
		}
		v, id, err := decodeCursor(q.Before, p.sort, q.Desc, p.key.kind)
		if err != nil {
			return p, err
		}
		p.after, p.back, p.v, p.id = true, true, v, id
	case q.Last:
		if q.After != "" {
			return p, ErrBadCursor
		}
		p.back = true
	}
	return p, nil
}

// edgesBackward turns the rows of a backward walk (limit+1 of them, from
// the end) into the page in list order with its cursors: Prev when more
// rows lie before it, Next when the walk started at a cursor (the rows from
// that cursor on follow the page).
func edgesBackward[R keyed](p pageParams, rows []R) (page []R, prev, next string) {
	more := len(rows) > p.limit
	if more {
		rows = rows[:p.limit]
	}
	slices.Reverse(rows)
	if more {
		prev = encodeCursor(p.sort, p.desc, rows[0].sortValue(p.sort), rows[0].rowID())
	}
	if p.q.Before != "" {
		next = p.q.Before
		if n := len(rows); n > 0 {
			next = encodeCursor(p.sort, p.desc, rows[n-1].sortValue(p.sort), rows[n-1].rowID())
		}
	}
	return rows, prev, next
}

// countCap is how many rows a list's Total counts exactly; beyond it a
// PostgreSQL list gives the planner's estimate (Page.Exact false), so that
// counting 100 000 rows never slows the first page down.
const countCap = 10000

// total counts the rows of sub (a list's FROM, joins, filters and search;
// no keyset, order or limit): exactly up to the cap, estimated beyond on
// PostgreSQL, exactly beyond on the others (their COUNT is an index scan of
// a local file). sub must be a clone no one else chains on.
func (db *DB) total(ctx context.Context, sub *gorm.DB) (n int64, exact bool, err error) {
	limit := db.countCap
	if limit == 0 {
		limit = countCap
	}
	raw := db.conn(ctx)
	sub = sub.Select("1 AS one")
	if err := raw.Raw("SELECT COUNT(*) FROM (?) AS t", sub.Session(&gorm.Session{}).Limit(limit+1)).Scan(&n).Error; err != nil {
		return 0, false, mapErr(err)
	}
	if n <= int64(limit) {
		return n, true, nil
	}
	if db.dialect != DialectPostgres {
		if err := db.conn(ctx).Raw("SELECT COUNT(*) FROM (?) AS t", sub).Scan(&n).Error; err != nil {
			return 0, false, mapErr(err)
		}
		return n, true, nil
	}
	var plan string
	if err := db.conn(ctx).Raw("EXPLAIN (FORMAT JSON) ?", sub).Row().Scan(&plan); err != nil {
		return 0, false, mapErr(err)
	}
	var out []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &out); err != nil || len(out) == 0 {
		return n, false, nil
	}
	return max(int64(out[0].Plan.Rows), n), false, nil
}

// withTotal runs page and, when q asks for it, fills the page's Total from
// base. base is cloned first: page chains its keyset and order on base.
func withTotal[T any](ctx context.Context, db *DB, q domain.ListQuery, base *gorm.DB, page func() (domain.Page[T], error)) (domain.Page[T], error) {
	var sub *gorm.DB
	if q.Count {
		sub = base.Session(&gorm.Session{}).Select("1 AS one")
	}
	p, err := page()
	if err != nil || sub == nil {
		return p, err
	}
	p.Total, p.Exact, err = db.total(ctx, sub)
	return p, err
}

// Search strategy. A substring search cannot use a B-tree index in list
// order, and the trigram indexes give matches in no order. So a search
// first walks the list in order, testing each row (fast when the text is
// common: a page fills after a few hundred rows), but only over a window
// of searchWindow rows; when the page does not fill there, the text is
// rare, and the page is taken from the matching ids found through the
// indexes (few, by then), sorted.
const (
	searchWindow  = 2000
	maxCandidates = 5000
)

// searchLimits are searchWindow and maxCandidates, per DB so that tests can
// force each path.
type searchLimits struct{ window, cands int }

// searchSpec describes one list's search.
type searchSpec struct {
	conn  func() *gorm.DB // a fresh handle
	table string          // the main table with its alias ("events AS e")
	// full adds the list's columns, joins and filters (not the search) to
	// a query whose FROM is the main table (or a derived table with its
	// alias and columns).
	full func(g *gorm.DB) *gorm.DB
	// filters adds the list's filters only (they use the main table only).
	filters func(g *gorm.DB) *gorm.DB
	// match tests one joined row of full.
	match clause.Expr
	// cands selects the ids of the main table's matching rows, through
	// indexes, ignoring the other filters.
	cands clause.Expr
	lim   searchLimits
	mysql bool // the window is read through its ids (see searchPageOf)
}

// searchPageOf is pageOf for a list query with a search text.
func searchPageOf[R keyed, T any](ctx context.Context, s searchSpec, spec listSpec, q domain.ListQuery, conv func(R) T) (domain.Page[T], error) {
	p, err := resolvePage(spec, q)
	if err != nil {
		return domain.Page[T]{}, err
	}
	alias := clause.Table{Name: spec.id.Table}
	// 1. The next window rows in list order (a derived table, so that the
	// planner knows how few they are and joins from them), tested one by
	// one.
	var window any = p.ordered(p.keyset(s.filters(s.conn().Table(s.table).Select("?.*", alias)), spec), spec, s.lim.window)
	if s.mysql {
		// MySQL and MariaDB sort the whole table for the window rather
		// than read whole rows through the sort index: take the window's
		// ids from the index alone (it covers them), then their rows.
		ids := p.ordered(p.keyset(s.filters(s.conn().Table(s.table).Select("?", spec.id)), spec), spec, s.lim.window)
		window = clause.Expr{SQL: "SELECT ?.* FROM (?) AS w STRAIGHT_JOIN ? ON ? = w.id",
			Vars: []any{alias, ids, clause.Expr{SQL: s.table}, spec.id}}
	}
	var rows []R
	g := p.ordered(s.full(s.conn().Table("(?) AS ?", window, alias)).Where(s.match), spec, p.limit+1)
	if err := g.WithContext(ctx).Scan(&rows).Error; err != nil {
		return domain.Page[T]{}, mapErr(err)
	}
	if len(rows) > p.limit {
		return makePage(rows, p, conv), nil
	}
	raw := s.conn().WithContext(ctx)
	var n int64
	counted := p.ordered(p.keyset(s.filters(s.conn().Table(s.table).Select("?", spec.id)), spec), spec, s.lim.window)
	if err := raw.Raw("SELECT COUNT(*) FROM (?) AS w", counted).Scan(&n).Error; err != nil {
		return domain.Page[T]{}, mapErr(err)
	}
	if n < int64(s.lim.window) {
		// The window reached the end of the list: the rows found are all.
		return makePage(rows, p, conv), nil
	}
	// 2. Rare text: the matching ids through the indexes, then the page.
	var ids []int64
	if err := raw.Raw("SELECT c.id FROM (?) AS c LIMIT ?", s.cands, s.lim.cands+1).Scan(&ids).Error; err != nil {
		return domain.Page[T]{}, mapErr(err)
	}
	if len(ids) == 0 {
		return domain.Page[T]{Items: []T{}}, nil
	}
	g = s.full(s.conn().Table(s.table))
	if len(ids) <= s.lim.cands {
		g = g.Where("? IN ?", spec.id, ids)
	}
	return scanPage(ctx, p.ordered(p.keyset(g.Where(s.match), spec), spec, p.limit+1), p, conv)
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

// listDef is what one searchable list states: its table, columns,
// filters, sorts and search; listOf does the rest.
type listDef[R keyed, T any] struct {
	op    string // "list clients"
	table string // the main table with its alias ("clients AS c")
	// with adds the columns and joins of a read to g (FROM set).
	with func(g *gorm.DB) *gorm.DB
	// filters applies q's filters (on the main table only); an error for
	// a filter the list does not offer.
	filters func(g *gorm.DB, q domain.ListQuery) (*gorm.DB, error)
	spec    listSpec
	conv    func(R) T
	// match and cands are searchSpec's, for a LIKE pattern.
	match, cands func(pat string) clause.Expr
}

// listOf returns one page of d's list for q: pageOf, or searchPageOf when
// q has a search text.
func listOf[R keyed, T any](ctx context.Context, db *DB, q domain.ListQuery, d listDef[R, T]) (domain.Page[T], error) {
	if _, err := d.filters(db.conn(ctx), q); err != nil {
		return domain.Page[T]{}, fmt.Errorf("%s: %w", d.op, err)
	}
	filters := func(g *gorm.DB) *gorm.DB { g, _ = d.filters(g, q); return g }
	if q.Search == "" {
		base := filters(d.with(db.conn(ctx).Table(d.table)))
		p, err := withTotal(ctx, db, q, base, func() (domain.Page[T], error) {
			return pageOf(ctx, base, d.spec, q, d.conv)
		})
		return p, wrapList(d.op, err)
	}
	pat := db.pattern(q.Search)
	// The total of a search counts the candidates that match, so that the
	// indexes find them (a rare text would otherwise test every row).
	matching := filters(d.with(db.conn(ctx).Table(d.table))).Where(d.match(pat)).Where("? IN (?)", d.spec.id, d.cands(pat))
	p, err := withTotal(ctx, db, q, matching, func() (domain.Page[T], error) {
		return searchPageOf(ctx, searchSpec{
			conn:    func() *gorm.DB { return db.conn(ctx) },
			table:   d.table,
			full:    func(g *gorm.DB) *gorm.DB { return filters(d.with(g)) },
			filters: filters,
			lim:     db.lim,
			mysql:   db.dialect == DialectMySQL,
			match:   d.match(pat),
			cands:   d.cands(pat),
		}, d.spec, q, d.conv)
	})
	return p, wrapList(d.op, err)
}
