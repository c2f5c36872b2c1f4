package domain_test

import (
	"context"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// A session sees the changes it may read: an assignment reaches the
// support user as an event change and a notification of their own; a
// permission grant (roles are management's) and another user's inbox do
// not.
func TestLiveFiltersByReadPolicy(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db, false)
		feed, err := db.Listen(e.ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer feed.Close()
		h, _ := sharedHasher(t)
		e.svc = domain.New(domain.Config{Store: db, Tokens: e.ring, Hasher: h, Now: e.clock.Now, Feed: feed})

		sub, err := e.svc.Live.Subscribe(e.ctx, e.session("support"))
		if err != nil {
			t.Fatalf("subscribe: %v", err)
		}
		defer sub.Close()

		mgr := e.session("mgr")
		if err := e.svc.Roles.Grant(e.ctx, mgr, domain.RoleSales, "audit:read:any"); err != nil {
			t.Fatalf("grant: %v", err)
		}
		k := e.newContract(e.newClient(nil), 1000, true)
		ev := e.newEvent(k, nil)
		sup := e.users["support"]
		if _, err := e.svc.Events.AssignSupport(e.ctx, mgr, ev.ID, ev.Version, &sup.ID); err != nil {
			t.Fatalf("assign: %v", err)
		}

		var got []domain.RecordChange
		ctx, cancel := context.WithTimeout(e.ctx, 5*time.Second)
		defer cancel()
		sawEvent, sawNote := false, false
		for !sawEvent || !sawNote {
			b, err := sub.Next(ctx)
			if err != nil {
				t.Fatalf("next after %+v: %v", got, err)
			}
			for _, c := range b.Changes {
				got = append(got, c)
				sawEvent = sawEvent || (c.Entity == "event" && c.ID == ev.ID && c.Action == "event.assign_support")
				sawNote = sawNote || (c.Entity == domain.EntityNotification && c.ID == sup.ID)
			}
		}
		for _, c := range got {
			if c.Entity == "role" || (c.Entity == domain.EntityNotification && c.ID != sup.ID) {
				t.Errorf("support saw %+v", c)
			}
		}
	})
}
