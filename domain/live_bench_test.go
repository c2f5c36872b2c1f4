package domain_test

// The live fan-out: one change committed, 200 sessions subscribed through
// LiveService (each batch re-checks the session and filters by the read
// policy), time until the last of them has the change, and CPU spent per
// change by the whole process. See docs/PERFORMANCE.md:
//
//	EPIC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	    go test -run '^$' -bench LiveFanout -benchtime 200x ./domain/

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

const fanout = 200

func BenchmarkLiveFanout(b *testing.B) {
	for _, d := range storetest.Dialects {
		b.Run(fmt.Sprintf("%s/sessions=%d", d, fanout), func(b *testing.B) {
			benchFanout(b, storetest.New(b, d))
		})
	}
}

func benchFanout(b *testing.B, db *store.DB) {
	ctx := context.Background()
	feed, err := db.Listen(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer feed.Close()
	h, hash := sharedHasher(b)
	ring := newRing(b)
	svc := domain.New(domain.Config{Store: db, Tokens: ring, Hasher: h, Feed: feed})

	// A few users, many sessions, as a busy office.
	var users []domain.User
	for i := range 10 {
		role := domain.Roles[i%3]
		u := domain.User{FullName: fmt.Sprintf("Bench %d", i), Email: fmt.Sprintf("bench.%d@epic-events.test", i), Role: role, Active: true, PasswordHash: hash}
		if err := db.Users().Create(ctx, &u, nil); err != nil {
			b.Fatal(err)
		}
		users = append(users, u)
	}
	var want atomic.Int64 // the client id of the change in flight
	var wg sync.WaitGroup
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	for i := range fanout {
		u := users[i%len(users)]
		now := time.Now()
		fam := fmt.Sprintf("bench-%d", i)
		access, err := ring.IssueAccess(u.ID, u.Role, fam, now)
		if err != nil {
			b.Fatal(err)
		}
		refresh, rh, err := ring.NewRefresh()
		if err != nil {
			b.Fatal(err)
		}
		rt := domain.RefreshToken{Hash: rh, FamilyID: fam, UserID: u.ID, IssuedAt: now, ExpiresAt: now.Add(domain.RefreshLifetime)}
		if err := db.Tokens().Create(ctx, rt); err != nil {
			b.Fatal(err)
		}
		sess, err := svc.Sessions.Resume(ctx, access, refresh)
		if err != nil {
			b.Fatal(err)
		}
		sub, err := svc.Live.Subscribe(ctx, sess)
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Close()
		go func() {
			var seen int64
			for {
				batch, err := sub.Next(runCtx)
				if err != nil {
					return
				}
				for _, c := range batch.Changes {
					if w := want.Load(); c.Entity == "client" && c.ID == w && seen != w {
						seen = w
						wg.Done()
					}
				}
			}
		}()
	}
	mgr := users[0].ID
	lat := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := range b.N {
		id := int64(i + 1)
		want.Store(id)
		wg.Add(fanout)
		t0 := time.Now()
		err := db.Tx(ctx, func(tx domain.Store) error {
			return tx.Audit().Add(ctx, &domain.AuditEntry{ActorID: &mgr, Action: "client.update", Entity: "client", EntityID: id})
		})
		if err != nil {
			b.Fatal(err)
		}
		wg.Wait()
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/change")
}

// cpuTime is the user and system CPU time of the process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
