package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// waitChanges collects what sub receives until want is seen or the
// deadline passes.
func waitChanges(sub domain.ChangeSubscription, d time.Duration, want func(domain.RecordChange) bool) ([]domain.RecordChange, bool) {
	var got []domain.RecordChange
	deadline := time.After(d)
	for {
		select {
		case <-sub.Ready():
			chs, _ := sub.Take()
			got = append(got, chs...)
			for _, c := range chs {
				if want(c) {
					return got, true
				}
			}
		case <-deadline:
			return got, false
		}
	}
}

// A committed change reaches every subscriber with the record, its new
// version, the action and the actor; a rolled-back one reaches nobody.
func TestFeedDeliversCommittedNotRolledBack(t *testing.T) {
	defer store.SetPollEvery(50 * time.Millisecond)()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		feed, err := db.Listen(bg, nil)
		if err != nil {
			t.Fatalf("listen: %v", err)
		}
		defer feed.Close()
		subA, subB := feed.Subscribe(), feed.Subscribe()
		defer subA.Close()
		defer subB.Close()

		m := mkUser(t, db, domain.RoleManagement, "Maya Laurent")
		cl := mkClient(t, db, "Kevin Casey", nil, nil, m.ID)

		errBoom := errors.New("boom")
		err = db.Tx(bg, func(tx domain.Store) error {
			c := cl
			c.FullName = "Rolled Back"
			if err := tx.Clients().Update(bg, &c, m.ID); err != nil {
				return err
			}
			if err := tx.Audit().Add(bg, &domain.AuditEntry{ActorID: &m.ID, Action: "client.update", Entity: "client", EntityID: cl.ID}); err != nil {
				return err
			}
			return errBoom
		})
		if !errors.Is(err, errBoom) {
			t.Fatalf("rolled-back tx: %v", err)
		}
		err = db.Tx(bg, func(tx domain.Store) error {
			c := cl
			c.FullName = "Kevin Casey Jr"
			if err := tx.Clients().Update(bg, &c, m.ID); err != nil {
				return err
			}
			return tx.Audit().Add(bg, &domain.AuditEntry{ActorID: &m.ID, Action: "client.reassign", Entity: "client", EntityID: cl.ID})
		})
		if err != nil {
			t.Fatalf("committed tx: %v", err)
		}
		isCommitted := func(c domain.RecordChange) bool { return c.Action == "client.reassign" }
		for name, sub := range map[string]domain.ChangeSubscription{"A": subA, "B": subB} {
			got, ok := waitChanges(sub, 5*time.Second, isCommitted)
			if !ok {
				t.Fatalf("subscriber %s: committed change not delivered; got %+v", name, got)
			}
			for _, c := range got {
				if c.Action == "client.update" {
					t.Errorf("subscriber %s: rolled-back change delivered: %+v", name, c)
				}
				if c.Action == "client.reassign" {
					if c.Entity != "client" || c.ID != cl.ID || c.Version != cl.Version+1 || c.ActorID != m.ID {
						t.Errorf("subscriber %s: change = %+v, want client %d version %d by %d", name, c, cl.ID, cl.Version+1, m.ID)
					}
				}
			}
		}

		// A notification row tells its recipient (entity notification, id
		// = the user), also when it is marked read.
		n := domain.Notification{UserID: m.ID, Kind: domain.NoteClientAssigned, Entity: "client", EntityID: cl.ID, Subject: "Kevin Casey"}
		if err := db.Notifications().Add(bg, &n); err != nil {
			t.Fatalf("add notification: %v", err)
		}
		isNote := func(c domain.RecordChange) bool { return c.Entity == domain.EntityNotification && c.ID == m.ID }
		if got, ok := waitChanges(subA, 5*time.Second, isNote); !ok {
			t.Fatalf("notification not delivered; got %+v", got)
		}
		if err := db.Notifications().MarkRead(bg, m.ID, n.ID, time.Now()); err != nil {
			t.Fatalf("mark read: %v", err)
		}
		if got, ok := waitChanges(subA, 5*time.Second, isNote); !ok {
			t.Fatalf("read state not delivered; got %+v", got)
		}

		// A closed subscription receives nothing more.
		subB.Close()
		if feed.Subscribers() != 1 {
			t.Errorf("subscribers after close = %d, want 1", feed.Subscribers())
		}
	})
}

// A subscriber that does not keep up is told it missed changes instead of
// holding them all.
func TestFeedOverflowReportsMissed(t *testing.T) {
	defer store.SetPollEvery(50 * time.Millisecond)()
	db := storetest.NewSQLite(t)
	feed, err := db.Listen(bg, nil)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer feed.Close()
	sub := feed.Subscribe()
	defer sub.Close()
	m := mkUser(t, db, domain.RoleManagement, "Maya Laurent")
	err = db.Tx(bg, func(tx domain.Store) error {
		for i := 0; i < 1100; i++ {
			if err := tx.Audit().Add(bg, &domain.AuditEntry{ActorID: &m.ID, Action: "client.update", Entity: "client", EntityID: int64(i + 1)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("burst: %v", err)
	}
	select {
	case <-sub.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("burst not signalled")
	}
	time.Sleep(200 * time.Millisecond)
	chs, missed := sub.Take()
	if !missed || len(chs) > 1024 {
		t.Fatalf("after a burst of 1100: missed=%v with %d changes held, want missed and at most 1024", missed, len(chs))
	}
}

// The PostgreSQL listener survives losing its connection: it reconnects,
// tells the subscribers they missed changes (they reload), and delivers
// what comes next.
func TestFeedPostgresReconnects(t *testing.T) {
	db := storetest.NewPostgres(t)
	feed, err := db.Listen(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	sub := feed.Subscribe()
	defer sub.Close()
	err = store.ExecForTest(bg, db, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = current_database() AND query = 'LISTEN epic_changes' AND pid <> pg_backend_pid()`)
	if err != nil {
		t.Fatalf("terminate the listener: %v", err)
	}
	select {
	case <-sub.Ready():
	case <-time.After(10 * time.Second):
		t.Fatal("no word from the feed after its connection was cut")
	}
	if _, missed := sub.Take(); !missed {
		t.Fatal("after a reconnection the subscribers were not told they missed changes")
	}
	m := mkUser(t, db, domain.RoleManagement, "Maya Laurent")
	if err := db.Audit().Add(bg, &domain.AuditEntry{ActorID: &m.ID, Action: "user.update", Entity: "user", EntityID: m.ID}); err != nil {
		t.Fatal(err)
	}
	if got, ok := waitChanges(sub, 5*time.Second, func(c domain.RecordChange) bool { return c.Action == "user.update" }); !ok {
		t.Fatalf("change after the reconnection not delivered; got %+v", got)
	}
}

// On MySQL an id is taken at insert: a transaction that commits after a
// later one holds the smaller id. Its change is never lost without a word:
// it is delivered, or the subscriber is told it missed changes (and the
// screens reload).
func TestFeedMySQLOutOfOrderCommits(t *testing.T) {
	defer store.SetPollEvery(50 * time.Millisecond)()
	db := storetest.New(t, store.DialectMySQL)
	m := mkUser(t, db, domain.RoleManagement, "Maya Laurent")
	entry := func(action string) *domain.AuditEntry {
		return &domain.AuditEntry{ActorID: &m.ID, Action: action, Entity: "user", EntityID: m.ID}
	}
	// A log that already holds a row, as any database in use does.
	if err := db.Audit().Add(bg, entry("user.create")); err != nil {
		t.Fatal(err)
	}
	feed, err := db.Listen(bg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer feed.Close()
	sub := feed.Subscribe()
	defer sub.Close()
	inserted, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- db.Tx(bg, func(tx domain.Store) error {
			if err := tx.Audit().Add(bg, entry("user.first")); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	<-inserted
	if err := db.Audit().Add(bg, entry("user.second")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // several polls with the hole open
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	first, second, missed := false, false, false
	deadline := time.After(10 * time.Second)
	for !(second && (first || missed)) {
		select {
		case <-sub.Ready():
			chs, m := sub.Take()
			missed = missed || m
			for _, c := range chs {
				first = first || c.Action == "user.first"
				second = second || c.Action == "user.second"
			}
		case <-deadline:
			t.Fatalf("after two commits out of id order: first %v, second %v, missed %v", first, second, missed)
		}
	}
}
