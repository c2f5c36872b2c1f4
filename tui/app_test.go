package tui

import (
	"context"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/epic-events/crm/domain"
)

var sizes = []struct {
	name string
	w, h int
}{{"100x30", 100, 30}, {"60x15", 60, 15}, {"160x40", 160, 40}}

func TestLoginScreen(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(nil), sz.w, sz.h)
			r.waitFor("Log in", "Email", "Password")
			golden.RequireEqual(t, r.final())
		})
	}
}

func TestDashboardManagement(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.mgrSess), sz.w, sz.h)
			r.waitFor("Events without support 2", "Acme spring")
			golden.RequireEqual(t, r.final())
		})
	}
}

func TestDashboardSales(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("My clients 4", "My draft contracts 1", "Martin wedding party")
	if s := r.o.screen(); strings.Contains(s, "assign support") {
		t.Errorf("sales should not be offered to assign support:\n%s", s)
	}
}

func TestEventsList(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.mgrSess), sz.w, sz.h)
			r.waitFor("Dashboard")
			r.typeText("4")
			r.waitFor("filter: all", "Martin wedding", "Sue Support")
			golden.RequireEqual(t, r.final())
		})
	}
}

// TestClientsList: ids, names, emails and phones whole where they fit;
// columns drop out, rather than cut, on narrow windows.
func TestClientsList(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.mgrSess), sz.w, sz.h)
			r.waitFor("Dashboard")
			r.typeText("2")
			r.waitFor("1–4 of 4", "dora@initech.test")
			// The store stamps "last contact" with the real clock.
			golden.RequireEqual(t, anyTime.ReplaceAllString(r.final(), "DD/MM/YYYY hh:mm"))
		})
	}
}

var anyTime = regexp.MustCompile(`\d\d/\d\d/\d{4} \d\d:\d\d`)

func TestTooSmallWindow(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 59, 20)
	r.waitFor("please enlarge the window to at least 60×15")
	r.tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	r.waitFor("Events without support")
}

func TestLoginFailureThenSuccess(t *testing.T) {
	w := newWorld(t)
	var saved atomic.Pointer[domain.Session]
	opts := w.options(nil)
	opts.OnLogin = func(s *domain.Session) { saved.Store(s) }
	loggedOut := make(chan struct{}, 1) // OnLogout runs once the token is revoked
	opts.OnLogout = func() {
		select {
		case loggedOut <- struct{}{}:
		default:
		}
	}
	r := start(t, opts, 100, 30)
	r.waitFor("Log in")
	r.typeText("margaret@epic.test")
	r.press(tea.KeyEnter)
	r.typeText("not the right password")
	r.press(tea.KeyEnter)
	r.waitFor("wrong email or password")
	if strings.Contains(r.o.screen(), "not the right password") {
		t.Fatal("the password was shown in clear")
	}
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.waitFor("Margaret Hale · management", "Events without support")
	r.waitFor("1 Dashboard", "4 Events")
	if saved.Load() == nil {
		t.Fatal("OnLogin was not called: the session file would not be written")
	}
	// L logs out and the refresh token is revoked.
	r.typeText("L")
	r.waitFor("Log in")
	r.waitShown("logged out")
	select {
	case <-loggedOut:
	case <-time.After(10 * time.Second):
		t.Fatal("OnLogout was not called after L: the session file would stay")
	}
	access, refresh := saved.Load().Tokens()
	if _, err := w.svc.Sessions.Resume(context.Background(), access, refresh); err == nil {
		t.Error("the session still resumes after logging out")
	}
}

func TestManagementAssignsSupportBacklog(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("filter: all", "Martin wedding party")
	// One f at a time: a press sent before the frame shows the previous
	// one could step past "without support" under load.
	for _, label := range []string{"upcoming", "past", "without support"} {
		r.typeText("f")
		r.waitFor("filter: " + label)
	}
	r.waitGone("Martin wedding party")
	r.waitFor("Acme spring gala", "Globex product")

	r.typeText("a")
	r.waitFor("Support for Acme spring gala", "Sue Support", "1 upcoming event", "Tom Tech", "0 upcoming events")
	r.typeText("tom")
	r.waitGone("Sue Support")
	r.press(tea.KeyEnter)
	r.waitFor("Tom Tech now supports Acme spring gala")
	r.waitGone("Acme spring gala ") // the row left the "without support" list

	// The selection moved to the next event: assign it straight away.
	r.typeText("a")
	r.waitFor("Support for Globex product launch")
	r.press(tea.KeyEnter) // first candidate: Sue Support
	r.waitFor("Sue Support now supports Globex product launch", "nothing here")

	gala := w.event(t, w.events["Acme spring gala"].ID)
	launch := w.event(t, w.events["Globex product launch"].ID)
	if gala.SupportContactID == nil || *gala.SupportContactID != w.tom.ID {
		t.Errorf("gala support = %v, want Tom (%d)", gala.SupportContactID, w.tom.ID)
	}
	if launch.SupportContactID == nil || *launch.SupportContactID != w.sue.ID {
		t.Errorf("launch support = %v, want Sue (%d)", launch.SupportContactID, w.sue.ID)
	}
}

func TestSupportCannotEditAnothersEvent(t *testing.T) {
	w := newWorld(t)
	tom := w.session(t, "tom@epic.test")
	r := start(t, w.options(tom), 100, 30)
	r.waitFor("My upcoming events 0")
	r.typeText("4")
	r.waitFor("Acme spring gala", "enter open")
	s := r.o.screen()
	for _, hidden := range []string{"e edit", "a assign", "d delete"} {
		if strings.Contains(s, hidden) {
			t.Errorf("support sees %q on an event they do not support:\n%s", hidden, s)
		}
	}
	if strings.Contains(s, "without support") {
		t.Error("the without-support filter is management's")
	}

	r.typeText("e")
	r.waitFor("you may edit only the events you support")

	r.typeText("a") // refused before the picker opens (ask_test.go)
	r.waitFor("only management may assign support to events")
	gala := w.event(t, w.events["Acme spring gala"].ID)
	if gala.SupportContactID != nil {
		t.Fatalf("the refused assignment changed the database: support %d", *gala.SupportContactID)
	}
}

func TestHelpOverlayListsScreenKeys(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("Acme spring gala")
	r.typeText("?")
	r.waitFor("Keys", "assign support", "next view", "log out", "pgdn")
	r.press(tea.KeyEscape)
	r.waitFor("Acme spring gala")
}

func TestSearchFiltersTheList(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("Clients", "Dora Petit", "Aline Dubois")
	r.typeText("/glob")
	r.waitGone("Dora Petit")
	r.waitFor("Bruno Keller")
	r.press(tea.KeyEscape)
	r.waitFor("Dora Petit")
}

func TestManagementSignsDraftContract(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("3")
	r.waitFor("Contracts", "Dora Petit")
	r.typeText("f") // unsigned
	r.waitFor("filter: unsigned")
	r.waitGone("Aline Dubois")
	r.waitFor("Dora Petit", "S sign")
	r.typeText("S")
	r.waitFor("Sign contract")
	r.typeText("y")
	r.waitFor("signed", "nothing here") // it left the "unsigned" list
	page, err := w.svc.Contracts.List(context.Background(), w.mgrSess, domain.ListQuery{Filter: domain.FilterUnsigned})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != 0 {
		t.Fatalf("the database still holds %d unsigned contracts", len(page.Items))
	}
}
