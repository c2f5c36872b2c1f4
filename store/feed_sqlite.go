package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// keepLog is how many change_log rows the pollers leave behind them: a
// poller that fell further behind reports missed changes.
const keepLog = 10000

// pruneEvery is how often a poller trims change_log.
const pruneEvery = 5 * time.Minute

// startSQLite pins one connection (PRAGMA data_version is per connection
// and moves when any other connection, in this process or another,
// commits), reads where the log stands, then polls in the background.
func (f *Feed) startSQLite(ctx, run context.Context, db *DB) error {
	conn, err := db.sqlDB.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	var dv, last int64
	if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&dv); err != nil {
		_ = conn.Close()
		return mapErr(err)
	}
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM change_log").Scan(&last); err != nil {
		_ = conn.Close()
		return mapErr(err)
	}
	go f.pollSQLite(run, db, conn, dv, last)
	return nil
}

func (f *Feed) pollSQLite(ctx context.Context, db *DB, conn *sql.Conn, dv, last int64) {
	defer close(f.done)
	defer conn.Close()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	pruned := time.Now()
	failing := false // read the log at the next tick whatever data_version says
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var v int64
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
			if ctx.Err() != nil {
				return
			}
			f.log.Warn("change feed: poll failed", "err", err)
			failing = true
			continue
		}
		if v == dv && !failing {
			continue
		}
		next, chs, missed, more, err := readLog(ctx, conn, last)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.log.Warn("change feed: read failed", "err", err)
			failing = true
			continue
		}
		dv, last = v, next
		if len(chs) > 0 || missed || failing {
			f.hub.publish(chs, missed || failing)
		}
		failing = more
		if time.Since(pruned) > pruneEvery {
			pruned = time.Now()
			err := db.writeTx(ctx, func(g *gorm.DB) error {
				return g.Exec("DELETE FROM change_log WHERE id <= ?", last-keepLog).Error
			})
			if err != nil && ctx.Err() == nil {
				f.log.Warn("change feed: prune failed", "err", err)
			}
		}
	}
}

// readLog reads change_log after last; missed when rows after last were
// already pruned or too many came at once; more when rows are left to
// read.
func readLog(ctx context.Context, conn *sql.Conn, last int64) (next int64, chs []domain.RecordChange, missed, more bool, err error) {
	rows, err := conn.QueryContext(ctx,
		"SELECT id, entity, entity_id, version, action, actor_id FROM change_log WHERE id > ? ORDER BY id LIMIT ?", last, maxPending+1)
	if err != nil {
		return last, nil, false, false, err
	}
	defer rows.Close()
	var out []domain.RecordChange
	for rows.Next() {
		var c domain.RecordChange
		if err := rows.Scan(&c.Seq, &c.Entity, &c.ID, &c.Version, &c.Action, &c.ActorID); err != nil {
			return last, nil, false, false, err
		}
		if len(out) == 0 && last > 0 && c.Seq > last+1 {
			missed = true
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return last, nil, false, false, err
	}
	if len(out) > 0 {
		last = out[len(out)-1].Seq
	}
	if len(out) > maxPending {
		// A burst (an import): the subscribers reload instead; the rest
		// is read at the next poll.
		return last, nil, true, true, nil
	}
	return last, out, missed, false, nil
}
