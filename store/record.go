package store

import (
	"sync"

	"gorm.io/gorm"
)

// Statement is one SQL statement as sent to the database, with its
// arguments (PostgreSQL placeholders $1, $2, … on PostgreSQL).
type Statement struct {
	SQL  string
	Args []any
}

// recorder holds the function RecordSQL installed, shared by every DB
// derived from one Open.
type recorder struct {
	mu   sync.Mutex
	fn   func(Statement)
	once sync.Once
}

// RecordSQL calls fn with every SELECT this DB runs (not the subqueries
// GORM renders into them) (and the DBs derived
// from it, transactions included), after it ran. It exists for the
// benchmarks, which replay the exact statements with a bare driver; fn nil
// stops recording. Not for production paths: it adds a lock per query.
func (db *DB) RecordSQL(fn func(Statement)) {
	db.rec.mu.Lock()
	db.rec.fn = fn
	db.rec.mu.Unlock()
	db.rec.once.Do(func() {
		record := func(g *gorm.DB) {
			db.rec.mu.Lock()
			f := db.rec.fn
			db.rec.mu.Unlock()
			if f == nil || g.Error != nil || g.DryRun {
				return
			}
			f(Statement{SQL: g.Statement.SQL.String(), Args: append([]any(nil), g.Statement.Vars...)})
		}
		// Registration errors only come from duplicate names, which once
		// rules out.
		_ = db.g.Callback().Query().After("gorm:query").Register("epic:record", record)
		_ = db.g.Callback().Row().After("gorm:row").Register("epic:record", record)
		_ = db.g.Callback().Raw().After("gorm:raw").Register("epic:record", record)
	})
}
