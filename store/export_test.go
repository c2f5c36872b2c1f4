package store

import (
	"context"
	"time"

	"github.com/epic-events/crm/domain"
)

// ExecForTest runs a statement directly, for tests that check what the
// schema itself refuses.
func ExecForTest(ctx context.Context, db *DB, sql string, args ...any) error {
	return wrap("exec", db.conn(ctx).Exec(sql, args...).Error)
}

// SetSearchLimits changes how many rows a search tests in list order before
// using the candidates, and how many candidates it takes at most.
func SetSearchLimits(db *DB, window, cands int) { db.lim = searchLimits{window, cands} }

// DSNForTest is the DSN a database was opened with, to open it again.
func DSNForTest(db *DB) string { return db.dsn }

// SetCountCap changes how many rows a list total counts exactly.
func SetCountCap(db *DB, n int) { db.countCap = n }

// SetPollEvery changes how often the SQLite change poller looks, so tests
// do not wait a second per step; it returns the function that restores it.
func SetPollEvery(d time.Duration) func() {
	old := pollEvery
	pollEvery = d
	return func() { pollEvery = old }
}

// HoleAt is holeAt, for its test.
func HoleAt(last int64, seqs ...int64) int {
	chs := make([]domain.RecordChange, len(seqs))
	for i, s := range seqs {
		chs[i].Seq = s
	}
	return holeAt(last, chs)
}
