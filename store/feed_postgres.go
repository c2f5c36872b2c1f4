package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/domain"
)

// pgPayload is what the audit trigger sends (see migration 00006).
type pgPayload struct {
	Seq     int64  `json:"s"`
	Entity  string `json:"e"`
	ID      int64  `json:"i"`
	Version int64  `json:"v"`
	Action  string `json:"a"`
	Actor   int64  `json:"u"`
}

// listenSQL subscribes to the channel the audit trigger notifies
// (migration 00006).
const listenSQL = "LISTEN epic_changes"

// pgIdle is how long the listener waits for a notification before it
// checks that its connection is still alive (a dead TCP peer would
// otherwise leave it waiting for ever).
const pgIdle = 30 * time.Second

func listenPG(ctx context.Context, dsn string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, mapErr(err)
	}
	if _, err := conn.Exec(ctx, listenSQL); err != nil {
		_ = conn.Close(context.Background())
		return nil, mapErr(err)
	}
	return conn, nil
}

// startPostgres opens the listening connection, then follows it in the
// background: on a lost connection it reconnects with backoff and tells
// every subscriber it missed changes (they reload what they show).
func (f *Feed) startPostgres(ctx, run context.Context, dsn string) error {
	conn, err := listenPG(ctx, dsn)
	if err != nil {
		return err
	}
	go f.followPostgres(run, dsn, conn)
	return nil
}

func (f *Feed) followPostgres(ctx context.Context, dsn string, conn *pgx.Conn) {
	defer close(f.done)
	defer func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}()
	backoff := 100 * time.Millisecond
	for {
		if conn == nil {
			c, err := listenPG(ctx, dsn)
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				f.log.Warn("change feed: reconnect failed", "err", err, "retry_in", backoff)
				if !sleepCtx(ctx, backoff) {
					return
				}
				backoff = min(backoff*2, 5*time.Second)
				continue
			}
			conn, backoff = c, 100*time.Millisecond
			f.log.Info("change feed: listening again")
			f.hub.publish(nil, true)
		}
		wctx, cancel := context.WithTimeout(ctx, pgIdle)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, context.DeadlineExceeded) && !conn.IsClosed() {
				pctx, pcancel := context.WithTimeout(ctx, 5*time.Second)
				err = conn.Ping(pctx)
				pcancel()
				if err == nil {
					continue
				}
			}
			f.log.Warn("change feed: connection lost", "err", err)
			_ = conn.Close(context.Background())
			conn = nil
			continue
		}
		var p pgPayload
		if err := json.Unmarshal([]byte(n.Payload), &p); err != nil {
			f.log.Error("change feed: bad payload", "err", err)
			f.hub.publish(nil, true)
			continue
		}
		f.hub.publish([]domain.RecordChange{{Seq: p.Seq, Entity: p.Entity, ID: p.ID, Version: p.Version, Action: p.Action, ActorID: p.Actor}}, false)
	}
}
