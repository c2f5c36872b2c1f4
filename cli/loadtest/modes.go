package loadtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Target is the server under test and how to observe it.
type Target struct {
	Addr string
	// Goroutines, RSS (bytes) and CPU (process time) observe the server;
	// nil ones are not reported.
	Goroutines func() int
	RSS        func() int64
	CPU        func() time.Duration
	// Accounts log in (email, password); sessions take them in turn.
	Accounts [][2]string
	// WriteStall is the server's stalled-client timeout, HandshakeTimeout
	// its SSH handshake timeout: the fault modes wait that long.
	WriteStall       time.Duration
	HandshakeTimeout time.Duration
	// ExtraSettle lengthens the time goroutines have to go (the race
	// detector slows everything down ten-fold).
	ExtraSettle time.Duration
	// Dump, if set, describes the server's goroutines when some are left
	// behind.
	Dump func() string
}

func (t Target) account(i int) (string, string) {
	a := t.Accounts[i%len(t.Accounts)]
	return a[0], a[1]
}

// Stats are latency percentiles.
type Stats struct {
	N             int
	P50, P99, Max time.Duration
}

func stats(d []time.Duration) Stats {
	if len(d) == 0 {
		return Stats{}
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return Stats{N: len(d), P50: at(0.50), P99: at(0.99), Max: d[len(d)-1]}
}

func (s Stats) String() string {
	if s.N == 0 {
		return "-"
	}
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f", float64(d.Microseconds())/1000) }
	return fmt.Sprintf("p50 %s ms · p99 %s ms · max %s ms (n=%d)", ms(s.P50), ms(s.P99), ms(s.Max), s.N)
}

// Result is what one mode measured and what went wrong.
type Result struct {
	Mode     string
	N        int
	Wall     time.Duration
	Latency  Stats // logins (burst) or keystroke → first byte
	Failures []string
	// Server side.
	BaseRSS, PeakRSS, EndRSS int64
	CPUPerKey                time.Duration
	CPUCores                 float64 // average cores used by the server
	Unchanged                int     // keys after which the screen did not change
	Notes                    []string
}

func (r *Result) fail(format string, a ...any) {
	r.Failures = append(r.Failures, fmt.Sprintf(format, a...))
}

func (r *Result) note(format string, a ...any) {
	r.Notes = append(r.Notes, fmt.Sprintf(format, a...))
}

func (r Result) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-18s N=%-4d wall %-8s %s", r.Mode, r.N, r.Wall.Round(time.Millisecond), r.Latency)
	if r.PeakRSS > 0 {
		fmt.Fprintf(&b, " · RSS base %d MB peak %d MB end %d MB", r.BaseRSS>>20, r.PeakRSS>>20, r.EndRSS>>20)
	}
	if r.CPUPerKey > 0 {
		fmt.Fprintf(&b, " · %.2f ms CPU/key, %.2f cores", float64(r.CPUPerKey.Microseconds())/1000, r.CPUCores)
	}
	if r.Unchanged > 0 {
		fmt.Fprintf(&b, "\n    %d keys left the screen unchanged (j and k in one frame): no output to time", r.Unchanged)
	}
	for _, n := range r.Notes {
		b.WriteString("\n    " + n)
	}
	for _, f := range r.Failures {
		b.WriteString("\n    FAIL " + f)
	}
	return b.String()
}

// sampler records the server's peak RSS while a mode runs.
type sampler struct {
	t    Target
	stop chan struct{}
	done chan struct{}
	peak int64
}

func sample(t Target) *sampler {
	s := &sampler{t: t, stop: make(chan struct{}), done: make(chan struct{})}
	if t.RSS == nil {
		close(s.done)
		return s
	}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			if r := t.RSS(); r > s.peak {
				s.peak = r
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *sampler) end() int64 {
	close(s.stop)
	<-s.done
	return s.peak
}

// settle waits until the server's goroutines are back to at most
// base+slack, for at most within, and fails r otherwise.
func settle(t Target, r *Result, base, slack int, within time.Duration, what string) {
	if t.Goroutines == nil {
		return
	}
	start := time.Now()
	within += t.ExtraSettle
	n := t.Goroutines()
	for n > base+slack && time.Since(start) < within {
		time.Sleep(20 * time.Millisecond)
		n = t.Goroutines()
	}
	if n > base+slack {
		r.fail("%s: %d goroutines %s later, %d before (leak or stuck session)", what, n, within, base)
		if t.Dump != nil {
			r.note("goroutines:\n%s", t.Dump())
		}
		return
	}
	r.note("%s: goroutines back to %d (before: %d) in %s", what, n, base, time.Since(start).Round(time.Millisecond))
}

// loginAll dials and logs in n clients, at most par at a time, spread
// over spread, and returns the clients that logged in.
func loginAll(ctx context.Context, t Target, r *Result, n, par int, spread time.Duration) ([]*Client, []time.Duration) {
	return loginAllWith(ctx, t, r, n, par, spread, DialOptions{})
}

func loginAllWith(ctx context.Context, t Target, r *Result, n, par int, spread time.Duration, o DialOptions) ([]*Client, []time.Duration) {
	var (
		mu      sync.Mutex
		clients []*Client
		lats    []time.Duration
		wg      sync.WaitGroup
	)
	sem := make(chan struct{}, max(1, par))
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if spread > 0 {
				time.Sleep(time.Duration(rand.Int64N(int64(spread))))
			}
			sem <- struct{}{}
			defer func() { <-sem }()
			start := time.Now()
			c, err := Dial(ctx, t.Addr, o)
			if err != nil {
				mu.Lock()
				r.fail("login %d: %v", i, err)
				mu.Unlock()
				return
			}
			email, pw := t.account(i)
			err = c.Login(email, pw, 60*time.Second)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.fail("login %d: %v", i, err)
				c.Close()
				return
			}
			lats = append(lats, time.Since(start))
			clients = append(clients, c)
		}()
	}
	wg.Wait()
	return clients, lats
}

func closeAll(cs []*Client) {
	for _, c := range cs {
		c.Close()
	}
}

func base(t Target) int {
	if t.Goroutines == nil {
		return 0
	}
	return t.Goroutines()
}

// Burst: n logins arriving together.
func Burst(ctx context.Context, t Target, n int) Result {
	r := Result{Mode: "burst logins", N: n}
	g := base(t)
	if t.RSS != nil {
		r.BaseRSS = t.RSS()
	}
	s := sample(t)
	start := time.Now()
	clients, lats := loginAll(ctx, t, &r, n, n, 0)
	r.Wall = time.Since(start)
	r.PeakRSS = s.end()
	r.Latency = stats(lats)
	if t.RSS != nil {
		r.note("RSS with %d logged in: %d MB", len(clients), t.RSS()>>20)
	}
	closeAll(clients)
	settle(t, &r, g, 2, 2*time.Second, "after logout")
	if t.RSS != nil {
		time.Sleep(3 * time.Second) // the gate frees memory 2 s after the last login
		r.EndRSS = t.RSS()
	}
	return r
}

// typing makes each client press j and k in turn at rate keys per second
// for d, on the client list, and returns the latencies.
func typing(cs []*Client, rate float64, d time.Duration, r *Result, mu *sync.Mutex) []time.Duration {
	var (
		wg   sync.WaitGroup
		lats []time.Duration
	)
	period := time.Duration(float64(time.Second) / rate)
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Desynchronise the clients.
			time.Sleep(time.Duration(rand.Int64N(int64(period))))
			end := time.Now().Add(d)
			keys := []string{"j", "k"}
			for k := 0; time.Now().Before(end); k++ {
				next := time.Now().Add(period)
				lat, err := c.Key(keys[k%2], 5*time.Second)
				mu.Lock()
				if errors.Is(err, errNoOutput) {
					// j then k inside one frame: the screen did not change,
					// so there is nothing to send. Counted, not a failure.
					r.Unchanged++
					mu.Unlock()
					continue
				}
				if err != nil {
					r.fail("typing %d: %v", i, err)
					mu.Unlock()
					return
				}
				lats = append(lats, lat)
				mu.Unlock()
				time.Sleep(time.Until(next))
			}
		}()
	}
	wg.Wait()
	return lats
}

// toList opens the client list (2) and waits for it, so j and k move a
// cursor on every press.
func toList(cs []*Client, r *Result) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, c := range cs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.Type("2")
			if err == nil {
				// The list's header line ("filter: … · sort: name").
				_, err = c.WaitFor(20*time.Second, "sort:")
			}
			if err != nil {
				mu.Lock()
				r.fail("client list %d: %v", i, err)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// Typing: n sessions log in spread over spread, then all type at rate
// keys/s for d.
func Typing(ctx context.Context, t Target, n int, spread, d time.Duration, rate float64) Result {
	r := Result{Mode: "typing", N: n}
	g := base(t)
	clients, _ := loginAll(ctx, t, &r, n, 8, spread)
	toList(clients, &r)
	time.Sleep(300 * time.Millisecond)
	if t.RSS != nil {
		r.BaseRSS = t.RSS()
	}
	var cpu0 time.Duration
	if t.CPU != nil {
		cpu0 = t.CPU()
	}
	s := sample(t)
	var mu sync.Mutex
	start := time.Now()
	lats := typing(clients, rate, d, &r, &mu)
	r.Wall = time.Since(start)
	r.PeakRSS = s.end()
	r.Latency = stats(lats)
	if t.CPU != nil && len(lats) > 0 {
		used := t.CPU() - cpu0
		r.CPUPerKey = used / time.Duration(len(lats))
		r.CPUCores = used.Seconds() / r.Wall.Seconds()
	}
	if t.RSS != nil && len(clients) > 0 {
		r.note("RSS per logged-in session ≈ %.2f MB", float64(r.BaseRSS)/float64(len(clients))/(1<<20))
	}
	closeAll(clients)
	r.EndRSS = 0
	settle(t, &r, g, 2, 2*time.Second, "after logout")
	return r
}

// Storm: typers type while storm logins arrive at once; valid says
// whether the storm uses good passwords or unknown emails and wrong ones.
func Storm(ctx context.Context, t Target, typers, storm int, valid bool) Result {
	r := Result{Mode: "storm", N: storm}
	if !valid {
		r.Mode = "storm (bad)"
	}
	g := base(t)
	clients, _ := loginAll(ctx, t, &r, typers, typers, 0)
	toList(clients, &r)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var stormClients []*Client
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(500 * time.Millisecond)
		var swg sync.WaitGroup
		for i := range storm {
			swg.Add(1)
			go func() {
				defer swg.Done()
				// Each from its own loopback address, as a storm from many
				// machines: the per-address throttle is not what is measured.
				c, err := Dial(ctx, t.Addr, DialOptions{Local: fmt.Sprintf("127.0.%d.%d", 1+i/250, 1+i%250)})
				if err != nil {
					mu.Lock()
					r.fail("storm dial %d: %v", i, err)
					mu.Unlock()
					return
				}
				email, pw := t.account(i)
				if !valid {
					// Unknown emails: wrong passwords on real accounts would
					// lock them (the per-account throttle) for the next modes.
					email = fmt.Sprintf("nobody%d@example.com", i)
					pw = "wrong password " + fmt.Sprint(i)
				}
				t0 := time.Now()
				err = c.Login(email, pw, 60*time.Second)
				if d := time.Since(t0); d > 10*time.Second {
					mu.Lock()
					r.note("storm login %d took %s: %v", i, d.Round(time.Millisecond), err)
					mu.Unlock()
				}
				mu.Lock()
				defer mu.Unlock()
				stormClients = append(stormClients, c)
				if valid && err != nil {
					r.fail("storm login %d: %v", i, err)
				}
				if !valid && (err == nil || !strings.Contains(err.Error(), "wrong email or password") && !strings.Contains(err.Error(), "too many failed")) {
					r.fail("storm bad login %d: want a refusal, got %v", i, err)
				}
			}()
		}
		swg.Wait()
	}()
	start := time.Now()
	lats := typing(clients, 9, 5*time.Second, &r, &mu)
	r.Wall = time.Since(start)
	wg.Wait()
	r.Latency = stats(lats)
	r.note("%d users typing while %d logins arrive", len(clients), storm)
	closeAll(clients)
	closeAll(stormClients)
	settle(t, &r, g, 2, 2*time.Second, "after logout")
	return r
}

// Drop: n clients reach the login screen, type a few characters and drop
// the TCP connection; the server must be back to its goroutines within
// a second of the last drop.
func Drop(ctx context.Context, t Target, n int) Result {
	r := Result{Mode: "drop", N: n}
	g := base(t)
	if t.RSS != nil {
		r.BaseRSS = t.RSS()
	}
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 50)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			c, err := Dial(ctx, t.Addr, DialOptions{})
			if err != nil {
				mu.Lock()
				r.fail("drop dial %d: %v", i, err)
				mu.Unlock()
				return
			}
			if _, err := c.WaitFor(20*time.Second, "Log in"); err != nil {
				mu.Lock()
				r.fail("drop %d: %v", i, err)
				mu.Unlock()
			}
			// A few characters, the last one an escape sequence cut short
			// (the terminal reader holds it, waiting for the rest).
			_ = c.Type("ab\x1b[")
			c.Drop()
		}()
	}
	wg.Wait()
	r.Wall = time.Since(start)
	settle(t, &r, g, 2, time.Second, fmt.Sprintf("1 s after %d drops", n))
	if t.RSS != nil {
		r.EndRSS = t.RSS()
	}
	return r
}

// MidFrame: logged-in clients ask for a full redraw (a resize) and drop
// while it is being written.
func MidFrame(ctx context.Context, t Target, n int) Result {
	r := Result{Mode: "mid-frame drop", N: n}
	g := base(t)
	clients, _ := loginAll(ctx, t, &r, n, n, 0)
	for i, c := range clients {
		_ = c.Resize(TermW+20+i%7, TermH+10)
		_ = c.Type("2")
		c.Drop()
	}
	settle(t, &r, g, 2, time.Second, "1 s after the drops")
	return r
}

// Silent: n TCP connections that never speak; the server must close each
// within its handshake timeout.
func Silent(ctx context.Context, t Target, n int) Result {
	r := Result{Mode: "silent TCP", N: n}
	g := base(t)
	if err := CheckLoopback(t.Addr); err != nil {
		r.fail("%v", err)
		return r
	}
	start := time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", t.Addr)
			if err != nil {
				mu.Lock()
				r.fail("silent dial %d: %v", i, err)
				mu.Unlock()
				return
			}
			defer conn.Close()
			if !ServerClosed(conn, t.HandshakeTimeout+3*time.Second) {
				mu.Lock()
				r.fail("silent %d: still open %s after connecting", i, t.HandshakeTimeout+3*time.Second)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	r.Wall = time.Since(start)
	r.note("all %d closed by the server after %s (handshake timeout %s)", n, r.Wall.Round(100*time.Millisecond), t.HandshakeTimeout)
	settle(t, &r, g, 2, time.Second, "after the silent connections")
	return r
}

// Stalled: a logged-in client stops reading while the server has output
// for it (window changes when resizes, else view switches, each a new
// screen). The server must stay responsive for another user, disconnect
// the stalled client within its write stall timeout of the moment it
// could write no more (the client's receive queue stops growing), and
// then hold none of its goroutines.
func Stalled(ctx context.Context, t Target, resizes bool) Result {
	r := Result{Mode: "stalled reader", N: 1}
	if resizes {
		r.Mode = "stalled + resizes"
	}
	g := base(t)
	cs, _ := loginAllWith(ctx, t, &r, 1, 1, 0, DialOptions{SmallBuffer: true})
	if len(cs) == 0 {
		return r
	}
	c := cs[0]
	c.Stall()
	start := time.Now()
	stop := make(chan struct{})
	var fed sync.WaitGroup
	fed.Add(2)
	go func() {
		defer fed.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-c.Ended():
				return
			default:
			}
			if resizes {
				_ = c.Resize(TermW-i%40, TermH-i%10)
				time.Sleep(2 * time.Millisecond)
			} else {
				// One view switch per frame or so: every frame differs.
				_ = c.Type("\t")
				time.Sleep(10 * time.Millisecond)
			}
		}
	}()
	// The moment the server's last byte arrived: the receive queue of the
	// client's socket stops growing (or, where it cannot be read, the stall).
	var lastGrowth atomic.Int64
	lastGrowth.Store(start.UnixNano())
	go func() {
		defer fed.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		last := -1
		for {
			select {
			case <-stop:
				return
			case <-c.Ended():
				return
			case <-tick.C:
				if q := c.Unread(); q > last {
					last = q
					lastGrowth.Store(time.Now().UnixNano())
				}
			}
		}
	}()
	// Meanwhile another user logs in and types.
	time.Sleep(time.Second)
	others, _ := loginAll(ctx, t, &r, 1, 1, 0)
	var mu sync.Mutex
	lats := typing(others, 9, 2*time.Second, &r, &mu)
	r.Latency = stats(lats)
	closeAll(others)
	const slack, limit = 5 * time.Second, time.Minute
	tick := time.NewTicker(50 * time.Millisecond)
wait:
	for {
		select {
		case <-c.Ended():
			blocked := time.Unix(0, lastGrowth.Load())
			r.note("stalled client disconnected by the server %s after it could write no more (%s after the client stalled)",
				time.Since(blocked).Round(100*time.Millisecond), time.Since(start).Round(100*time.Millisecond))
			break wait
		case <-tick.C:
			blocked := time.Unix(0, lastGrowth.Load())
			switch {
			case time.Since(blocked) > t.WriteStall+slack:
				r.fail("stalled client still connected %s after the server's last byte reached it (write stall timeout %s)",
					time.Since(blocked).Round(time.Second), t.WriteStall)
			case time.Since(start) > limit:
				r.fail("the server's output still reached the stalled client %s later: nothing filled its socket", limit)
			default:
				continue
			}
			if t.Dump != nil {
				r.note("goroutines:\n%s", t.Dump())
			}
			break wait
		}
	}
	tick.Stop()
	close(stop)
	fed.Wait()
	c.Close()
	r.Wall = time.Since(start)
	settle(t, &r, g, 2, time.Second, "1 s after the disconnect")
	return r
}

// NoPTY: a session without a terminal is told one and ended.
func NoPTY(ctx context.Context, t Target) Result {
	r := Result{Mode: "no PTY", N: 1}
	g := base(t)
	c, err := Dial(ctx, t.Addr, DialOptions{NoPTY: true})
	if err != nil {
		r.fail("dial: %v", err)
		return r
	}
	select {
	case <-c.Ended():
	case <-time.After(5 * time.Second):
		r.fail("a session without a PTY still open after 5 s")
	}
	c.Close()
	settle(t, &r, g, 2, time.Second, "after it")
	return r
}
