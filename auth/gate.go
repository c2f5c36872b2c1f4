package auth

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"
)

// ErrBusy is Gate.Enter's answer when its queue is full.
var ErrBusy = errors.New("auth: too many logins waiting")

// errAbandoned is Wait's answer for a ticket the gate dropped because no
// one waited on it for abandonAfter (its session went away).
var errAbandoned = errors.New("auth: login ticket abandoned")

// abandonAfter: a queued ticket nobody waits on for this long is dropped,
// so a session that vanished while queued does not hold the line.
const abandonAfter = 3 * time.Second

// Gate admits logins in arrival order, a few at a time (Slots), with a
// bounded queue behind them. A login costs one argon2id verification
// (19 MiB, tens of milliseconds of a core): admitting them one per core
// keeps a burst from multiplying memory and from starving every other
// session of CPU. A queued login learns its place; one the queue cannot
// take is refused at once (ErrBusy) rather than piled up.
//
// Admission is claimed by the waiter itself (Ticket.Wait), never handed
// to a ticket nobody waits on, so a login abandoned while queued cannot
// keep a slot.
type Gate struct {
	slots, maxQueue int
	idle            func()

	mu      sync.Mutex
	busy    int
	queue   []*Ticket
	changed chan struct{} // closed and replaced at every change
}

// Ticket is one login's place in a Gate.
type Ticket struct {
	g        *Gate
	seen     time.Time
	waiting  bool
	admitted bool
	done     bool
}

// DefaultSlots is half the cores (at least one): a burst of logins then
// leaves the other half to the users already working.
func DefaultSlots() int { return max(1, runtime.NumCPU()/2) }

// NewGate returns a gate of slots concurrent logins (0: DefaultSlots) and
// a queue of at most maxQueue waiting ones. idle, if not nil, runs (on its
// own goroutine) each time the gate empties.
func NewGate(slots, maxQueue int, idle func()) *Gate {
	if slots <= 0 {
		slots = DefaultSlots()
	}
	return &Gate{slots: slots, maxQueue: maxQueue, idle: idle, changed: make(chan struct{})}
}

// Slots is how many logins run at once.
func (g *Gate) Slots() int { return g.slots }

func (g *Gate) signal() {
	close(g.changed)
	g.changed = make(chan struct{})
}

// prune drops queued tickets nobody waits on any more.
func (g *Gate) prune(now time.Time) {
	n := len(g.queue)
	g.queue = slices.DeleteFunc(g.queue, func(t *Ticket) bool {
		if !t.waiting && now.Sub(t.seen) > abandonAfter {
			t.done = true
			return true
		}
		return false
	})
	if len(g.queue) != n {
		g.signal()
	}
}

// Enter queues a login; ErrBusy when the queue is full.
func (g *Gate) Enter() (*Ticket, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := time.Now()
	g.prune(now)
	if len(g.queue) >= g.maxQueue && g.busy >= g.slots {
		return nil, ErrBusy
	}
	t := &Ticket{g: g, seen: now}
	g.queue = append(g.queue, t)
	g.signal()
	return t, nil
}

// ahead is how many logins must finish before t can start (locked).
func (g *Gate) ahead(t *Ticket) int {
	i := slices.Index(g.queue, t)
	if i < 0 {
		return -1
	}
	return max(0, i+g.busy-g.slots+1)
}

// reportEvery: a waiting login's new place in line is reported at most
// this often. Every admission changes every waiter's place; reporting each
// change would redraw every queued login screen once per login admitted
// (a hundred queued logins: ten thousand frames).
const reportEvery = 500 * time.Millisecond

// Wait blocks until t is admitted, patience passes or ctx ends, or, once
// reportEvery has passed, the number of logins ahead of it has changed,
// and reports that number. Once admitted is true the caller holds a slot
// until Leave.
func (t *Ticket) Wait(ctx context.Context, patience time.Duration) (ahead int, admitted bool, err error) {
	g := t.g
	timer := time.NewTimer(patience)
	defer timer.Stop()
	report := time.NewTimer(reportEvery)
	defer report.Stop()
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.admitted {
		return 0, true, nil
	}
	t.waiting = true
	defer func() {
		t.waiting = false
		t.seen = time.Now()
	}()
	first, due := -1, false
	for {
		if t.done {
			return 0, false, errAbandoned
		}
		g.prune(time.Now())
		n := g.ahead(t)
		if n == 0 {
			g.queue = slices.DeleteFunc(g.queue, func(o *Ticket) bool { return o == t })
			g.busy++
			t.admitted = true
			g.signal()
			return 0, true, nil
		}
		if first < 0 {
			first = n
		}
		if due && n != first {
			return n, false, nil
		}
		ch := g.changed
		g.mu.Unlock()
		select {
		case <-ch:
			g.mu.Lock()
		case <-report.C:
			g.mu.Lock()
			due = true
		case <-timer.C:
			g.mu.Lock()
			return g.ahead(t), false, nil
		case <-ctx.Done():
			g.mu.Lock()
			return first, false, ctx.Err()
		}
	}
}

// Leave gives back t's slot, or its place in the queue. It is safe to
// call more than once.
func (t *Ticket) Leave() {
	g := t.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if t.done {
		return
	}
	t.done = true
	if t.admitted {
		g.busy--
	} else {
		g.queue = slices.DeleteFunc(g.queue, func(o *Ticket) bool { return o == t })
	}
	g.signal()
	if g.busy == 0 && len(g.queue) == 0 && g.idle != nil {
		go g.idle()
	}
}

// Ahead is how many logins must finish before t can start (0 once it
// may, or has).
func (t *Ticket) Ahead() int {
	t.g.mu.Lock()
	defer t.g.mu.Unlock()
	return max(0, t.g.ahead(t))
}
