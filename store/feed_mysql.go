package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// gapWait is how long the MySQL poller waits for a hole in change_log to
// fill. InnoDB hands out AUTO_INCREMENT ids at insert time and the
// transactions commit in any order, so id 11 can be visible while id 10 is
// still being committed; a hole that stays is an insert that was rolled
// back (or rows pruned): then the subscribers are told they missed changes
// and reload what they show.
var gapWait = 3 * time.Second

// startMySQL pins one connection, reads where the log stands, then polls
// in the background (MySQL has no LISTEN, nor SQLite's data_version: the
// poll reads change_log after the last id seen, a primary-key range).
func (f *Feed) startMySQL(ctx, run context.Context, db *DB) error {
	conn, err := db.sqlDB.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	var last int64
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM change_log").Scan(&last); err != nil {
		_ = conn.Close()
		return mapErr(err)
	}
	go f.pollMySQL(run, db, conn, last)
	return nil
}

func (f *Feed) pollMySQL(ctx context.Context, db *DB, conn *sql.Conn, last int64) {
	defer close(f.done)
	defer conn.Close()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	pruned := time.Now()
	var gapSince time.Time
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		next, chs, burst, more, err := readLog(ctx, conn, last)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			f.log.Warn("change feed: read failed", "err", err)
			failing = true
			continue
		}
		missed := failing
		if burst && more {
			// More than a subscriber keeps: they reload instead.
			missed, gapSince = true, time.Time{}
		} else {
			// readLog's own hole check is for pruned rows; here a hole
			// is first waited for.
			i := holeAt(last, chs)
			switch {
			case i < 0:
				gapSince = time.Time{}
			case gapSince.IsZero() || time.Since(gapSince) < gapWait:
				if gapSince.IsZero() {
					gapSince = time.Now()
				}
				chs = chs[:i]
				next = last
				if i > 0 {
					next = chs[i-1].Seq
				}
			default:
				missed, gapSince = true, time.Time{}
			}
		}
		last, failing = next, false
		if len(chs) > 0 || missed {
			f.hub.publish(chs, missed)
		}
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

// holeAt is the index of the first change that does not follow the one
// before it (the first one must follow last, unless nothing was read yet),
// or -1.
func holeAt(last int64, chs []domain.RecordChange) int {
	want := last + 1
	for i, c := range chs {
		if (last > 0 || i > 0) && c.Seq != want {
			return i
		}
		want = c.Seq + 1
	}
	return -1
}
