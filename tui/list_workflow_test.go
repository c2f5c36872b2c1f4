package tui

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store/storetest"
)

// bigWorld is a generated SQLite data set with 10 002 events, logged in as
// a generated manager, and the ids of every event in the list's default
// order (read page by page through the service, the way the list does
// not: forward only, 500 at a time).
type bigWorld struct {
	svc    *domain.Services
	sess   *domain.Session
	events []int64
}

func newBigWorld(t *testing.T) *bigWorld {
	t.Helper()
	if testing.Short() {
		t.Skip("generates 10 000 events")
	}
	db := storetest.New(t, "sqlite")
	h := auth.NewHasher()
	hash, err := h.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := db.Generate(ctx, 3334, 7, hash, nil)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := auth.NewKeyRing([]byte("0123456789abcdef0123456789abcdef-tui-tests"), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.New(domain.Config{Store: db, Tokens: kr, Hasher: h, Now: func() time.Time { return testNow }})
	w := &bigWorld{svc: svc}
	w.sess = must(svc.Sessions.Login(ctx, res.Logins[domain.RoleManagement], testPassword))
	q := domain.ListQuery{Limit: 500}
	for {
		p := must(svc.Events.List(ctx, w.sess, q))
		for _, ev := range p.Items {
			w.events = append(w.events, ev.ID)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	if len(w.events) != 10002 {
		t.Fatalf("generated %d events, want 10 002", len(w.events))
	}
	return w
}

var positionRe = regexp.MustCompile(`(\d[\d ]*)–(\d[\d ]*) of (≈ )?(\d[\d ]*)`)

func atoiSpaced(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return n
}

// visible reads the screen: the header's "first–last of total" and the
// ids in the table's first column.
func visible(t *testing.T, screen string) (first, last, total int, ids []int64) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	m := positionRe.FindStringSubmatch(lines[1])
	if m == nil {
		t.Fatalf("no position in the header %q", lines[1])
	}
	first, last, total = atoiSpaced(t, m[1]), atoiSpaced(t, m[2]), atoiSpaced(t, m[4])
	for _, l := range lines[3:] {
		f := strings.Fields(l)
		if len(f) == 0 {
			break
		}
		id, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			break
		}
		ids = append(ids, id)
	}
	return first, last, total, ids
}

// expectRows waits until the screen shows rows first..last of the list
// (1-based), by their ids, with the exact total.
func (w *bigWorld) expectRows(t *testing.T, r *run, first, last int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		s := r.o.screen()
		f, l, n, ids := visible(t, s)
		want := w.events[first-1 : last]
		if f == first && l == last && n == len(w.events) && slices.Equal(ids, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("want rows %d–%d of %d (ids %v…), screen:\n%s", first, last, len(w.events), want[:3], s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestListEndsAndPagesOnTenThousandRows: end and home reach the list's
// true last and first rows, and pgup/pgdn cross the pages loaded from
// either end, every row where the database has it.
func TestListEndsAndPagesOnTenThousandRows(t *testing.T) {
	w := newBigWorld(t)
	r := start(t, Options{Services: w.svc, Session: w.sess, DBLabel: "sqlite big.db",
		Now: func() time.Time { return testNow }, Location: testLoc, NoColor: true}, 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("of 10 002")
	const page = 25 // 30 lines: tabs, header, column titles, help, status
	n := len(w.events)
	w.expectRows(t, r, 1, page)

	r.press(tea.KeyEnd)
	w.expectRows(t, r, n-page+1, n)
	// 5 pages up from the end: past the 100 rows loaded from there.
	for range 5 {
		r.press(tea.KeyPgUp)
	}
	w.expectRows(t, r, n-5*page, n-4*page-1)
	r.typeText("g")
	w.expectRows(t, r, 1, page)
	// 6 pages down: past the first 100 rows, and a row below the screen.
	for range 6 {
		r.press(tea.KeyPgDown)
	}
	w.expectRows(t, r, 6*page-page+2, 6*page+1)
	r.typeText("G")
	w.expectRows(t, r, n-page+1, n)
	r.press(tea.KeyHome)
	w.expectRows(t, r, 1, page)
}

// TestEscClearsTheSearch: a committed search shows in the header, esc
// clears it (and says so), the whole list is back.
func TestEscClearsTheSearch(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("1–4 of 4", "Aline Dubois")
	r.typeText("/globex")
	r.waitFor("1–1 of 1", "Bruno Keller")
	r.press(tea.KeyEnter)
	r.waitFor("search: globex (esc clears)", "esc clear search")
	if s := r.o.screen(); strings.Contains(s, "Aline Dubois") {
		t.Fatalf("the search does not filter:\n%s", s)
	}
	r.press(tea.KeyEscape)
	r.waitFor("1–4 of 4", "Aline Dubois", "Bruno Keller", "search cleared")
	if s := r.o.screen(); strings.Contains(s, "search:") || !strings.Contains(s, "Clients") {
		t.Fatalf("after esc the search is still on, or the view changed:\n%s", s)
	}
	// esc with no search leaves the list as it is.
	r.press(tea.KeyEscape)
	r.typeText("/")
	r.waitFor("/search names")
}

// TestJumpToRecord: `:` and a number selects a loaded record, opens one
// that is not loaded, and refuses what is not a number.
func TestJumpToRecord(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("1–3 of 3", "Martin wedding party")
	r.typeText(":x")
	r.press(tea.KeyEnter)
	r.waitFor("type a record number, like 1234")
	id := w.events["Martin wedding party"].ID
	r.typeText(":" + strconv.FormatInt(id, 10))
	r.press(tea.KeyEnter)
	r.press(tea.KeyEnter) // open the selected row
	r.waitFor("Event Martin wedding party")
}

// TestDetailShowsLongValuesInFull: values wider than the window wrap in
// the detail view instead of being cut.
func TestDetailShowsLongValuesInFull(t *testing.T) {
	w := newWorld(t)
	email := "bartholomew.montgomery-smythe.the-third@consolidated-holdings.example"
	company := "Consolidated International Holdings and Logistics Partners of Lyon"
	c := must(w.svc.Clients.Create(context.Background(), w.salesSess, domain.ClientInput{
		FullName: "Bartholomew Montgomery-Smythe", Email: email, Phone: "+33 6 12 34 56 78", CompanyName: company}))
	r := start(t, w.options(w.mgrSess), 60, 15)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("of 5")
	r.typeText(":" + strconv.FormatInt(c.ID, 10))
	r.press(tea.KeyEnter)
	r.press(tea.KeyEnter)
	r.waitFor("Client Bartholomew")
	flat := strings.Join(strings.Fields(r.o.screen()), "")
	for _, v := range []string{email, strings.ReplaceAll(company, " ", ""), "+33612345678"} {
		if !strings.Contains(flat, v) {
			t.Errorf("the detail does not show %q in full:\n%s", v, r.o.screen())
		}
	}
	lines := strings.Split(r.o.screen(), "\n")
	if body := strings.Join(lines[1:len(lines)-2], "\n"); strings.Contains(body, "…") { // the help bar may be cut
		t.Errorf("a value is cut:\n%s", r.o.screen())
	}
}
