package store

import (
	"context"
	"database/sql"
	"time"

	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// The change feed of SQLite and MySQL: triggers append to change_log in
// the transaction of each change (migration 00006), and one poller per
// process reads the new rows. On SQLite it first asks PRAGMA data_version,
// which moves when any other connection (of this process or another)
// commits, so an idle database costs one pragma a second; MySQL has no
// such counter and reads the log's tail by its primary key.

// keepLog is how many change_log rows the pollers leave behind them: a
// poller that fell further behind reports missed changes.
const keepLog = 10000

// pruneEvery is how often a poller trims change_log.
const pruneEvery = 5 * time.Minute

// gapWait is how long an id missing below delivered ones is waited for:
// on MySQL an AUTO_INCREMENT id is taken at insert, so a transaction that
// commits later can hold a smaller id; one missing for longer was rolled
// back.
const gapWait = 5 * time.Second

// startPoller pins one connection (PRAGMA data_version is per connection),
// reads where the log stands, then polls in the background.
func (f *Feed) startPoller(ctx, run context.Context, db *DB) error {
	conn, err := db.sqlDB.Conn(ctx)
	if err != nil {
		return mapErr(err)
	}
	p := &poller{f: f, db: db, conn: conn, watch: db.dialect == DialectSQLite, seen: map[int64]bool{}, gaps: map[int64]time.Time{}}
	if p.watch {
		if err := conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&p.dv); err != nil {
			_ = conn.Close()
			return mapErr(err)
		}
	}
	if err := conn.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM change_log").Scan(&p.floor); err != nil {
		_ = conn.Close()
		return mapErr(err)
	}
	go p.run(run)
	return nil
}

type poller struct {
	f     *Feed
	db    *DB
	conn  *sql.Conn
	watch bool  // SQLite: skip the read while data_version stands still
	dv    int64 // last data_version seen
	// floor: every id up to it was delivered (or given up on); seen: ids
	// above it delivered already; gaps: ids missing above it, since when.
	floor int64
	seen  map[int64]bool
	gaps  map[int64]time.Time
}

func (p *poller) run(ctx context.Context) {
	defer close(p.f.done)
	defer p.conn.Close()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	pruned := time.Now()
	again := false // read the log at the next tick whatever data_version says
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if p.watch && !again && len(p.gaps) == 0 {
			var v int64
			if err := p.conn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
				if ctx.Err() != nil {
					return
				}
				p.f.log.Warn("change feed: poll failed", "err", err)
				again = true
				continue
			}
			if v == p.dv {
				continue
			}
			p.dv = v
		}
		chs, missed, more, err := p.read(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			p.f.log.Warn("change feed: read failed", "err", err)
			if !again {
				// What was committed meanwhile may be read late: the
				// screens reload once it answers again.
				p.f.hub.publish(nil, true)
			}
			again = true
			continue
		}
		if len(chs) > 0 || missed {
			p.f.hub.publish(chs, missed)
		}
		again = more
		if time.Since(pruned) > pruneEvery {
			pruned = time.Now()
			floor := p.floor
			err := p.db.writeTx(ctx, func(g *gorm.DB) error {
				return g.Exec("DELETE FROM change_log WHERE id <= ?", floor-keepLog).Error
			})
			if err != nil && ctx.Err() == nil {
				p.f.log.Warn("change feed: prune failed", "err", err)
			}
		}
	}
}

// read returns the rows committed since the last read. missed when rows
// were pruned before this poller read them or too many came at once;
// more when rows are left to read.
func (p *poller) read(ctx context.Context) (chs []domain.RecordChange, missed, more bool, err error) {
	all, err := p.tail(ctx)
	if err != nil {
		return nil, false, false, err
	}
	// The result set is closed: the pinned connection may ask again (a
	// MySQL connection serves one statement at a time).
	if len(all) > 0 && all[0].Seq > p.floor+1 && len(p.gaps) == 0 && len(p.seen) == 0 && p.pruned(ctx, all[0].Seq) {
		missed = true
	}
	for _, c := range all {
		if !p.seen[c.Seq] {
			p.seen[c.Seq] = true
			chs = append(chs, c)
		}
	}
	p.advance(time.Now())
	if len(all) > maxPending {
		// A burst (an import): the subscribers reload instead; the rest
		// is read at the next poll.
		return nil, true, true, nil
	}
	return chs, missed, false, nil
}

// tail reads the log above the floor, at most maxPending+1 rows.
func (p *poller) tail(ctx context.Context) ([]domain.RecordChange, error) {
	rows, err := p.conn.QueryContext(ctx,
		"SELECT id, entity, entity_id, version, action, actor_id FROM change_log WHERE id > ? ORDER BY id LIMIT ?", p.floor, maxPending+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []domain.RecordChange
	for rows.Next() {
		var c domain.RecordChange
		if err := rows.Scan(&c.Seq, &c.Entity, &c.ID, &c.Version, &c.Action, &c.ActorID); err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	return all, rows.Err()
}

// pruned reports whether rows between the floor and id are gone because a
// poller pruned them (rather than not committed yet).
func (p *poller) pruned(ctx context.Context, id int64) bool {
	var lowest int64
	err := p.conn.QueryRowContext(ctx, "SELECT COALESCE(MIN(id), 0) FROM change_log").Scan(&lowest)
	return err == nil && lowest == id && p.floor > 0
}

// advance moves the floor over the delivered ids and over ids missing for
// longer than gapWait.
func (p *poller) advance(now time.Time) {
	for len(p.seen) > 0 {
		next := p.floor + 1
		if p.seen[next] {
			delete(p.seen, next)
			delete(p.gaps, next)
			p.floor = next
			continue
		}
		since, waiting := p.gaps[next]
		if !waiting {
			p.gaps[next] = now
			return
		}
		if now.Sub(since) < gapWait {
			return
		}
		delete(p.gaps, next)
		p.floor = next
	}
}
