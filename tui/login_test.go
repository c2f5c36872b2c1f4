package tui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// TestThrottleIsReadFromTheDatabase: the login screen keeps no wait of its
// own. Once the stored wait is in the past (here moved there through the
// store, as an operator clearing it or the clock passing would), the next
// attempt in the same running app goes through. The services' clock is
// frozen, so only the database can lift the wait.
func TestThrottleIsReadFromTheDatabase(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for range 5 {
		if _, err := w.svc.Sessions.Login(ctx, "sam@epic.test", "wrong password, again"); !errors.Is(err, domain.ErrWrongCredentials) {
			t.Fatalf("seed failure: %v", err)
		}
	}
	r := start(t, w.options(nil), 100, 30)
	r.waitFor("Log in")
	r.typeText("sam@epic.test")
	r.press(tea.KeyEnter)
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.waitFor("too many failed attempts: try again in 1 s (at 09:00:01)")

	// The stored state now says: five failures, the last an hour ago.
	logins := w.db.Logins()
	if err := logins.Reset(ctx, "sam@epic.test"); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if _, err := logins.Fail(ctx, "sam@epic.test", testNow.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	r.press(tea.KeyEnter) // the password is still typed
	r.waitFor("Samuel Sales · sales", "1 Dashboard")
}

// TestLoginShowsWhyTheSavedSessionWasRefused: the notice is on the first
// login screen, wrapped inside its box, and gone after a later logout.
func TestLoginShowsWhyTheSavedSessionWasRefused(t *testing.T) {
	w := newWorld(t)
	opts := w.options(nil)
	opts.Notice = "the saved session was not resumed: session file /home/someone/.local/state/epic-events/session.json is readable by others (mode 0644): remove it or chmod 600"
	r := start(t, opts, 100, 30)
	r.waitFor("the saved session was not resumed", "chmod 600")
	for _, l := range strings.Split(r.o.screen(), "\n") {
		if len([]rune(l)) > 100 {
			t.Fatalf("a line is wider than the window: %q", l)
		}
	}
	r.typeText("sam@epic.test")
	r.press(tea.KeyEnter)
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.waitFor("1 Dashboard")
	r.typeText("L")
	r.waitFor("Log in", "logged out")
	if strings.Contains(r.o.screen(), "not resumed") {
		t.Error("the start-up notice came back after a logout")
	}
}
