package tui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// Fixed clock and zone so goldens are stable.
var (
	testNow = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	testLoc = time.FixedZone("CET", 3600)
)

const testPassword = "violet tractor umbrella 41"

// world is a seeded database with the services on top of it.
type world struct {
	db                 *store.DB
	kr                 *auth.KeyRing
	svc                *domain.Services
	mgr, sales, sue    domain.User
	tom                domain.User
	events             map[string]domain.Event
	mgrSess, salesSess *domain.Session
}

// must panics on a seed error (Go cannot pass t along with a call's two
// results); the test fails with the error and where it happened.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("seed: %v", err))
	}
	return v
}

// newWorld builds a SQLite store with one manager, one sales, two support
// collaborators, three clients with signed contracts, a draft contract and
// three upcoming events (one supported by Sue).
func newWorld(t testing.TB) *world {
	t.Helper()
	db := storetest.New(t, "sqlite")
	kr, err := auth.NewKeyRing([]byte("0123456789abcdef0123456789abcdef-tui-tests"), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.New(domain.Config{Store: db, Tokens: kr, Hasher: auth.NewHasher(), Now: func() time.Time { return testNow }})
	ctx := context.Background()
	w := &world{db: db, kr: kr, svc: svc, events: map[string]domain.Event{}}
	w.mgr = must(svc.Sessions.Setup(ctx, domain.UserInput{FullName: "Margaret Hale", Email: "margaret@epic.test"}, testPassword))
	w.mgrSess = must(svc.Sessions.Login(ctx, "margaret@epic.test", testPassword))
	user := func(name, email string, r domain.Role) domain.User {
		return must(svc.Users.Create(ctx, w.mgrSess, domain.UserInput{FullName: name, Email: email, Role: r}, testPassword))
	}
	w.sales = user("Samuel Sales", "sam@epic.test", domain.RoleSales)
	w.sue = user("Sue Support", "sue@epic.test", domain.RoleSupport)
	w.tom = user("Tom Tech", "tom@epic.test", domain.RoleSupport)
	w.salesSess = must(svc.Sessions.Login(ctx, "sam@epic.test", testPassword))

	at := func(day, hour int) time.Time { return time.Date(2026, 3, day, hour, 0, 0, 0, time.UTC) }
	seed := []struct {
		client, email, company, event, location string
		start                                   time.Time
		total                                   int64
	}{
		{"Aline Dubois", "aline@acme.test", "Acme Corp", "Acme spring gala", "Lyon", at(10, 17), 1_250_000},
		{"Bruno Keller", "bruno@globex.test", "Globex", "Globex product launch", "Paris", at(14, 8), 830_050},
		{"Chloé Martin", "chloe@martin.test", "", "Martin wedding party", "Annecy", at(21, 15), 2_000_000},
	}
	for _, s := range seed {
		c := must(svc.Clients.Create(ctx, w.salesSess, domain.ClientInput{FullName: s.client, Email: s.email, Phone: "+33 1 23 45 67 89", CompanyName: s.company}))
		k := must(svc.Contracts.Create(ctx, w.mgrSess, domain.ContractInput{ClientID: c.ID, TotalCents: s.total}))
		k = must(svc.Contracts.Sign(ctx, w.mgrSess, k.ID, k.Version))
		ev := must(svc.Events.Create(ctx, w.salesSess, domain.EventInput{ContractID: k.ID, Name: s.event,
			Location: s.location, Start: s.start, End: s.start.Add(5 * time.Hour), Attendees: 120}))
		w.events[s.event] = ev
	}
	wed := w.events["Martin wedding party"]
	w.events[wed.Name] = must(svc.Events.AssignSupport(ctx, w.mgrSess, wed.ID, wed.Version, &w.sue.ID))
	c := must(svc.Clients.Create(ctx, w.salesSess, domain.ClientInput{FullName: "Dora Petit", Email: "dora@initech.test", CompanyName: "Initech"}))
	must(svc.Contracts.Create(ctx, w.mgrSess, domain.ContractInput{ClientID: c.ID, TotalCents: 99_900}))
	return w
}

// event reads an event as the manager.
func (w *world) event(t testing.TB, id int64) domain.Event {
	t.Helper()
	ev, err := w.svc.Events.Get(context.Background(), w.mgrSess, id)
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// session logs in as email.
func (w *world) session(t testing.TB, email string) *domain.Session {
	t.Helper()
	return must(w.svc.Sessions.Login(context.Background(), email, testPassword))
}

// options are the App options of a test run.
func (w *world) options(sess *domain.Session) Options {
	return Options{Services: w.svc, Session: sess, DBLabel: "sqlite test.db",
		Now: func() time.Time { return testNow }, Location: testLoc, NoColor: true}
}

// observed wraps the App to keep its last frame, so tests can wait for
// what the screen shows (teatest's output stream only has diffs).
type observed struct {
	*App
	mu   sync.Mutex
	last string
	raw  string
	// shown are the texts of every frame drawn, for a message that lives
	// a few seconds (the status line's): a loaded machine may draw its
	// frame and the next before a poll of last sees it.
	shown strings.Builder
}

func (o *observed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := o.App.Update(msg)
	return o, cmd
}

func (o *observed) View() tea.View {
	v := o.App.View()
	o.mu.Lock()
	if text := ansi.Strip(v.Content); text != o.last {
		o.last = text
		if o.shown.Len() > 1<<20 { // a long key storm: keep the recent frames
			recent := o.shown.String()[o.shown.Len()/2:]
			o.shown.Reset()
			o.shown.WriteString(recent)
		}
		o.shown.WriteString(text)
	}
	o.raw = v.Content
	o.mu.Unlock()
	return v
}

func (o *observed) screen() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.last
}

// run is a teatest program around a fresh App.
type run struct {
	t  *testing.T
	tm *teatest.TestModel
	o  *observed
}

func start(t *testing.T, opts Options, w, h int) *run {
	t.Helper()
	o := &observed{App: New(opts)}
	tm := teatest.NewTestModel(t, o, teatest.WithInitialTermSize(w, h))
	r := &run{t: t, tm: tm, o: o}
	t.Cleanup(func() { _ = tm.Quit() })
	return r
}

// waitFor waits until the screen shows every text.
func (r *run) waitFor(texts ...string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.o.screen()
		ok := true
		for _, x := range texts {
			if !strings.Contains(s, x) {
				ok = false
				break
			}
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("screen never showed %q; last frame:\n%s\nraw: %q", texts, s, r.o.raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitShown waits until some frame since the start has shown text (it may
// be gone again: a status message expires after a few seconds).
func (r *run) waitShown(text string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.o.mu.Lock()
		ok := strings.Contains(r.o.shown.String(), text)
		r.o.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("no frame showed %q; last frame:\n%s", text, r.o.screen())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitGone waits until the screen no longer shows text.
func (r *run) waitGone(text string) {
	r.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for strings.Contains(r.o.screen(), text) {
		if time.Now().After(deadline) {
			r.t.Fatalf("screen still shows %q:\n%s\nraw: %q", text, r.o.screen(), r.o.raw)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (r *run) typeText(s string) { r.tm.Type(s) }

func (r *run) press(code rune, mod ...tea.KeyMod) {
	k := tea.KeyPressMsg{Code: code}
	for _, m := range mod {
		k.Mod |= m
	}
	r.tm.Send(k)
}

// final quits and returns the last frame, for goldens.
func (r *run) final() string {
	r.t.Helper()
	if err := r.tm.Quit(); err != nil {
		r.t.Fatal(err)
	}
	m := r.tm.FinalModel(r.t, teatest.WithFinalTimeout(10*time.Second))
	return ansi.Strip(m.View().Content)
}
