package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// benchApp is a root model logged in as a manager, on the events list
// holding one loaded page of n events, at 100×30. The services are not
// called: the page is handed to the list as its load would.
func benchApp(tb testing.TB, n int) *App {
	tb.Helper()
	a := New(Options{Services: &domain.Services{}, DBLabel: "sqlite bench.db",
		Now: func() time.Time { return testNow }, Location: testLoc})
	a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	a.e.sess = &domain.Session{}
	actor := domain.NewActor(1, "Margaret Hale", "margaret@epic.test", domain.RoleManagement,
		domain.DefaultGrants[domain.RoleManagement])
	a.Update(actorMsg{actor: actor})
	a.Update(tea.KeyPressMsg{Code: '4', Text: "4"})
	ev, ok := a.top().(*eventsScreen)
	if !ok {
		tb.Fatalf("top screen is %T, want the events list", a.top())
	}
	items := make([]domain.Event, n)
	sue := int64(7)
	for i := range items {
		start := testNow.Add(time.Duration(i) * 6 * time.Hour)
		items[i] = domain.Event{
			ID: int64(i + 1), Name: fmt.Sprintf("Event number %d of the season", i+1),
			ClientName: fmt.Sprintf("Client %d", i+1), CompanyName: "Company & Sons",
			Start: start, End: start.Add(4 * time.Hour), Location: "Lyon, salle " + fmt.Sprint(i%9),
			Attendees: 40 + i, Status: domain.EventPlanned, Version: 1,
		}
		if i%3 == 0 {
			items[i].SupportContactID, items[i].SupportContactName = &sue, "Sue Support"
		}
	}
	l := ev.list
	a.Update(pageMsg[domain.Event]{list: l.id, gen: l.gen, page: domain.Page[domain.Event]{Items: items}})
	if !strings.Contains(a.View().Content, "Event number 1") || l.tbl.Len() != n {
		tb.Fatalf("the page was not shown:\n%s", a.View().Content)
	}
	return a
}

// BenchmarkKeyDown is Update+View of the root model for one ↓ in the
// events list holding a loaded page of 200 rows at 100×30.
func BenchmarkKeyDown(b *testing.B) {
	a := benchApp(b, 200)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	home := tea.KeyPressMsg{Code: tea.KeyHome}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%150 == 149 {
			a.Update(home)
		}
		a.Update(down)
		_ = a.View()
	}
}

// BenchmarkStartup is New + Init + the first frame.
func BenchmarkStartup(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		a := New(Options{Services: &domain.Services{}, DBLabel: "sqlite bench.db"})
		_ = a.Init()
		a.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
		_ = a.View()
	}
}

func TestKeyDownBudget(t *testing.T) {
	a := benchApp(t, 200)
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	a.Update(down)
	_ = a.View()
	allocs := testing.AllocsPerRun(100, func() {
		a.Update(down)
		_ = a.View()
	})
	if allocs > 300 {
		t.Fatalf("one ↓ costs %.0f allocations, budget 300", allocs)
	}
	if got := a.top().(*eventsScreen).list.tbl.Cursor(); got != 102 {
		t.Fatalf("after 102 ↓ (one warm-up run) the selection is on row %d", got)
	}
}
