package store

import (
	"database/sql/driver"
	"strings"
	"unicode"
	"unicode/utf8"

	gosqlite "github.com/glebarez/go-sqlite"
	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm/clause"
)

// foldFunc is the SQLite function that folds a text for searching.
// SQLite's own lower() changes ASCII letters only, so without it "hélène"
// would not find "HÉLÈNE", nor "helene" "Hélène". It is deterministic,
// and used in queries only (no index or constraint refers to it), so the
// database file stays readable by any SQLite tool.
const foldFunc = "epic_fold"

func init() {
	gosqlite.MustRegisterDeterministicScalarFunction(foldFunc, 1, func(_ *gosqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
		switch v := args[0].(type) {
		case string:
			return fold(v), nil
		case []byte:
			return fold(string(v)), nil
		case nil:
			return nil, nil
		default:
			return v, nil
		}
	})
}

// fold is text in lower case without diacritics: "Hélène LEFÈVRE" →
// "helene lefevre". Letters that are not a base letter plus marks (ø, ß,
// œ) stay as they are.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// pattern is the LIKE pattern for a search text on this database: folded
// where the comparison folds the column too (SQLite through epic_fold,
// MySQL through its collation); on PostgreSQL, which compares lower()
// only, lower case with the accents kept.
func (db *DB) pattern(text string) string {
	if db.dialect == DialectPostgres {
		return likePattern(text)
	}
	return likePattern(fold(text))
}

// like is "column contains the text", for a pattern made by db.pattern:
// lower(column) LIKE pattern on PostgreSQL (its trigram indexes are on
// lower(column)), epic_fold(column) on SQLite (lower() for ASCII-only
// values, the same result for less), and the column itself on
// MySQL, whose collation ignores case and accents already.
func (db *DB) like(c clause.Column, pat string) clause.Expr {
	switch db.dialect {
	case DialectSQLite:
		// A call into Go per row costs more than SQLite's own lower(),
		// which is right for ASCII text: fold only the values that have
		// another character.
		return clause.Expr{SQL: `(CASE WHEN ? GLOB '*[^ -~]*' THEN epic_fold(?) ELSE lower(?) END) LIKE ? ESCAPE '\'`, Vars: []any{c, c, c, pat}}
	case DialectMySQL:
		return clause.Expr{SQL: `? LIKE ? ESCAPE '\'`, Vars: []any{c, pat}}
	}
	return clause.Expr{SQL: `lower(?) LIKE ? ESCAPE '\'`, Vars: []any{c, pat}}
}

// anyLike is (like(c1) OR like(c2) …).
func (db *DB) anyLike(pat string, cols ...clause.Column) clause.Expr {
	exprs := make([]clause.Expression, len(cols))
	for i, c := range cols {
		exprs[i] = db.like(c, pat)
	}
	return clause.Expr{SQL: "?", Vars: []any{clause.Or(exprs...)}}
}
