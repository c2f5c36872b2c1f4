package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/epic-events/crm/domain"
)

// Feed is the change feed of one process: one listener on the database
// (LISTEN on a dedicated PostgreSQL connection, a PRAGMA data_version
// poller on SQLite, a change_log poller on MySQL) fanned out to every subscriber of the process. It
// implements domain.ChangeFeed.
type Feed struct {
	hub    hub
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
}

var _ domain.ChangeFeed = (*Feed)(nil)

// pollEvery is how often the SQLite poller asks whether another connection
// committed.
var pollEvery = time.Second

// Listen starts the process's change feed on db and returns once it
// listens, so a change committed after Listen returns is delivered. Close
// stops it.
func (db *DB) Listen(ctx context.Context, log *slog.Logger) (*Feed, error) {
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	runCtx, cancel := context.WithCancel(context.Background())
	f := &Feed{hub: hub{subs: map[*subscription]struct{}{}}, log: log, cancel: cancel, done: make(chan struct{})}
	var err error
	switch db.dialect {
	case DialectPostgres:
		err = f.startPostgres(ctx, runCtx, db.dsn)
	case DialectMySQL:
		err = f.startMySQL(ctx, runCtx, db)
	default:
		err = f.startSQLite(ctx, runCtx, db)
	}
	if err != nil {
		cancel()
		return nil, fmt.Errorf("follow changes: %w", err)
	}
	return f, nil
}

// Subscribe implements domain.ChangeFeed.
func (f *Feed) Subscribe() domain.ChangeSubscription {
	s := &subscription{h: &f.hub, ready: make(chan struct{}, 1)}
	f.hub.mu.Lock()
	f.hub.subs[s] = struct{}{}
	f.hub.mu.Unlock()
	return s
}

// Subscribers counts the open subscriptions (the status command, tests).
func (f *Feed) Subscribers() int {
	f.hub.mu.RLock()
	defer f.hub.mu.RUnlock()
	return len(f.hub.subs)
}

// Close stops the listener and waits for it.
func (f *Feed) Close() {
	f.cancel()
	<-f.done
}

// maxPending bounds what waits for one slow subscriber; beyond it the
// subscriber is told it missed changes and reloads what it shows.
const maxPending = 1024

// hub fans changes out to subscriptions. Publishing never blocks on a
// subscriber: each has a pending list and a one-slot signal channel.
type hub struct {
	mu   sync.RWMutex
	subs map[*subscription]struct{}
}

func (h *hub) publish(chs []domain.RecordChange, missed bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		s.push(chs, missed)
	}
}

type subscription struct {
	h     *hub
	ready chan struct{}

	mu      sync.Mutex
	pending []domain.RecordChange
	missed  bool
	closed  bool
}

func (s *subscription) push(chs []domain.RecordChange, missed bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	if missed || len(s.pending)+len(chs) > maxPending {
		s.missed = true
		s.pending = s.pending[:0]
	} else {
		s.pending = append(s.pending, chs...)
	}
	s.mu.Unlock()
	select {
	case s.ready <- struct{}{}:
	default: // a signal is already waiting: this change rides on it
	}
}

// Ready implements domain.ChangeSubscription.
func (s *subscription) Ready() <-chan struct{} { return s.ready }

// Take implements domain.ChangeSubscription.
func (s *subscription) Take() ([]domain.RecordChange, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, missed := s.pending, s.missed
	s.pending, s.missed = nil, false
	return out, missed
}

// Close implements domain.ChangeSubscription.
func (s *subscription) Close() {
	s.h.mu.Lock()
	delete(s.h.subs, s)
	s.h.mu.Unlock()
	s.mu.Lock()
	s.closed, s.pending = true, nil
	s.mu.Unlock()
}

// sleepCtx waits d or until ctx ends (false then).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
