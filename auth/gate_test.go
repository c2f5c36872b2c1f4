package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGateAdmitsInOrderAndCountsWhoIsAhead(t *testing.T) {
	t.Parallel()
	idle := make(chan struct{}, 4)
	g := NewGate(1, 2, func() { idle <- struct{}{} })
	ctx := context.Background()

	a, err := g.Enter()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := a.Wait(ctx, time.Second); !ok || err != nil {
		t.Fatalf("first login not admitted at once: %v %v", ok, err)
	}
	b, _ := g.Enter()
	c, _ := g.Enter()
	if got := b.Ahead(); got != 1 {
		t.Errorf("second login: %d ahead, want 1", got)
	}
	if got := c.Ahead(); got != 2 {
		t.Errorf("third login: %d ahead, want 2", got)
	}
	if _, err := g.Enter(); !errors.Is(err, ErrBusy) {
		t.Errorf("a fourth login with a full queue: %v, want ErrBusy", err)
	}
	// c waits; when a leaves, c's place changes (b is next, not c).
	type res struct {
		ahead int
		ok    bool
	}
	got := make(chan res, 1)
	go func() {
		n, ok, _ := c.Wait(ctx, 5*time.Second)
		got <- res{n, ok}
	}()
	time.Sleep(20 * time.Millisecond)
	a.Leave()
	if r := <-got; r.ok || r.ahead != 1 {
		t.Errorf("third login after the first left: admitted %v, %d ahead; want waiting, 1 ahead", r.ok, r.ahead)
	}
	if _, ok, _ := b.Wait(ctx, time.Second); !ok {
		t.Error("second login not admitted once the first left")
	}
	b.Leave()
	if _, ok, _ := c.Wait(ctx, time.Second); !ok {
		t.Error("third login not admitted once the second left")
	}
	c.Leave()
	c.Leave() // twice is harmless
	select {
	case <-idle:
	case <-time.After(time.Second):
		t.Error("the gate did not report idle once empty")
	}
	if g.busy != 0 || len(g.queue) != 0 {
		t.Errorf("gate not empty: busy %d, queued %d", g.busy, len(g.queue))
	}
}

func TestGateDropsAbandonedTickets(t *testing.T) {
	t.Parallel()
	g := NewGate(1, 5, nil)
	a, _ := g.Enter()
	if _, ok, _ := a.Wait(context.Background(), time.Second); !ok {
		t.Fatal("not admitted")
	}
	gone, _ := g.Enter() // its session vanished: nobody waits on it
	gone.seen = time.Now().Add(-2 * abandonAfter)
	next, _ := g.Enter()
	if got := next.Ahead(); got != 1 {
		t.Errorf("behind an abandoned login: %d ahead, want 1 (the running one)", got)
	}
	if _, _, err := gone.Wait(context.Background(), time.Millisecond); !errors.Is(err, errAbandoned) {
		t.Errorf("abandoned ticket: %v, want errAbandoned", err)
	}
	a.Leave()
	if _, ok, _ := next.Wait(context.Background(), time.Second); !ok {
		t.Error("the login behind an abandoned one was not admitted")
	}
}

func TestGateWaitEndsWithItsContext(t *testing.T) {
	t.Parallel()
	g := NewGate(1, 5, nil)
	a, _ := g.Enter()
	_, _, _ = a.Wait(context.Background(), time.Second)
	b, _ := g.Enter()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, ok, err := b.Wait(ctx, time.Minute); ok || !errors.Is(err, context.Canceled) {
		t.Errorf("wait with an ended context: admitted %v, err %v", ok, err)
	}
}

// TestGateReportsAPlaceAtMostTwiceASecond: twenty logins admitted in a
// row change a waiting login's place twenty times; its screen hears of it
// once, after reportEvery, with the place it has then.
func TestGateReportsAPlaceAtMostTwiceASecond(t *testing.T) {
	t.Parallel()
	g := NewGate(1, 100, nil)
	ctx := context.Background()
	var front []*Ticket
	for range 21 {
		tk, err := g.Enter()
		if err != nil {
			t.Fatal(err)
		}
		front = append(front, tk)
	}
	last, _ := g.Enter()
	if got := last.Ahead(); got != 21 {
		t.Fatalf("last login: %d ahead, want 21", got)
	}
	go func() {
		for _, tk := range front[:20] {
			if _, ok, _ := tk.Wait(ctx, time.Second); ok {
				tk.Leave()
			}
		}
	}()
	start := time.Now()
	n, ok, err := last.Wait(ctx, 5*time.Second)
	took := time.Since(start)
	if ok || err != nil {
		t.Fatalf("last login: admitted %v, err %v; want still waiting", ok, err)
	}
	if took < reportEvery-50*time.Millisecond {
		t.Errorf("the new place was reported after %s, before reportEvery (%s)", took, reportEvery)
	}
	if n != 1 {
		t.Errorf("reported place %d, want 1 (the twenty ahead are done)", n)
	}
}
