package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
)

// live puts the world's services on a change feed, as `ui` and `serve` do.
func (w *world) live(t *testing.T) *store.Feed {
	t.Helper()
	feed, err := w.db.Listen(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(feed.Close)
	w.svc = domain.New(domain.Config{Store: w.db, Tokens: w.kr, Hasher: auth.NewHasher(),
		Now: func() time.Time { return testNow }, Feed: feed})
	return feed
}

// A closed App (its program ended, its SSH session gone) no longer takes
// a share of the feed; logging out ends the subscription too.
func TestLiveCloseEndsTheSubscription(t *testing.T) {
	w := newWorld(t)
	feed := w.live(t)
	waitSubs := func(n int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for feed.Subscribers() != n {
			if time.Now().After(deadline) {
				t.Fatalf("subscribers = %d, want %d", feed.Subscribers(), n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	a := start(t, w.options(w.session(t, "tom@epic.test")), 100, 30)
	b := start(t, w.options(w.session(t, "sue@epic.test")), 100, 30)
	a.waitFor("My upcoming events")
	b.waitFor("My upcoming events")
	waitSubs(2)
	a.o.Close()
	waitSubs(1)
	b.typeText("L")
	b.waitFor("Log in")
	waitSubs(0)
}

// One manager assigns support in her UI; without a key, the support
// collaborator's dashboard and inbox count move and another manager's
// "without support" list loses the row with a note.
func TestLiveAssignmentReachesOtherUIs(t *testing.T) {
	w := newWorld(t)
	w.live(t)

	tom := start(t, w.options(w.session(t, "tom@epic.test")), 100, 30)
	tom.waitFor("My upcoming events 0")

	watcher := start(t, w.options(w.session(t, "margaret@epic.test")), 100, 30)
	watcher.waitFor("Events without support 2")
	watcher.typeText("4")
	watcher.waitFor("filter: all", "Martin wedding party")
	for _, label := range []string{"upcoming", "past", "without support"} {
		watcher.typeText("f")
		watcher.waitFor("filter: " + label)
	}
	watcher.waitGone("Martin wedding party")
	watcher.waitFor("Acme spring gala", "Globex product launch")
	if !containsRow(watcher.o.screen(), "Acme spring gala", "Lyon") {
		t.Fatalf("the row check would not see the event:\n%s", watcher.o.screen())
	}

	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Next events without support", "Acme spring gala")
	r.typeText("a")
	r.waitFor("Support for Acme spring gala", "Tom Tech")
	r.typeText("tom")
	r.waitGone("Sue Support")
	r.press(tea.KeyEnter)
	r.waitFor("Tom Tech now supports Acme spring gala")

	// No key pressed in the other UIs from here on.
	tom.waitFor("My upcoming events 1", "Acme spring gala", "! inbox 1")
	watcher.waitFor("Acme spring gala left this list (without support): changed by Margaret Hale")
	watcher.waitFor("Globex product launch")
	if got := watcher.o.screen(); containsRow(got, "Acme spring gala", "Lyon") {
		t.Errorf("the assigned event is still listed without support:\n%s", got)
	}

	// Tom opens his inbox, then the event; the notification is read.
	tom.typeText("!")
	tom.waitFor("Inbox", "1 unread", "you now support Acme spring gala (10/03/2026 18:00), assigned by Margaret Hale")
	tom.press(tea.KeyEnter)
	tom.waitFor("Tom Tech", "Lyon")
	tom.waitGone("! inbox 1")
	n, err := w.svc.Inbox.Unread(t.Context(), w.session(t, "tom@epic.test"))
	if err != nil || n != 0 {
		t.Errorf("unread after opening = %d, %v; want 0", n, err)
	}
}

// containsRow reports whether one line of screen holds every text.
func containsRow(screen string, texts ...string) bool {
	for _, line := range strings.Split(screen, "\n") {
		all := true
		for _, x := range texts {
			if !strings.Contains(line, x) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// An open form on a record someone else changes says so before the save,
// keeps the typing, and ctrl+r shows their values beside the typed ones.
func TestLiveFormWarnsOfAnotherChange(t *testing.T) {
	w := newWorld(t)
	w.live(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("Aline Dubois", "aline@acme.test") // the list's row, not the dashboard's
	r.typeText("e")
	r.waitFor("Edit client Aline Dubois")
	r.typeText(" Jr")
	r.waitFor("Aline Dubois Jr")

	ctx := t.Context()
	page, err := w.svc.Clients.List(ctx, w.mgrSess, domain.ListQuery{Search: "Aline"})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("find the client: %v %v", page.Items, err)
	}
	c := page.Items[0]
	_, err = w.svc.Clients.Update(ctx, w.mgrSess, c.ID, c.Version, domain.ClientInput{
		FullName: c.FullName, Email: c.Email, Phone: "+33 9 99 99 99 99", CompanyName: c.CompanyName})
	if err != nil {
		t.Fatalf("the manager's change: %v", err)
	}
	r.waitFor("changed by Margaret Hale at 09:00 — ctrl+r shows their version, your typing is kept", "Aline Dubois Jr")
	r.press('r', tea.ModCtrl)
	r.waitFor("Their version (changed by Margaret Hale at 09:00)", "+33 9 99 99 99 99")
	r.typeText("n")
	r.waitGone("Their version")
	r.waitFor("Aline Dubois Jr", "+33 1 23 45 67 89")
	r.press('r', tea.ModCtrl)
	r.waitFor("Their version")
	r.typeText("y")
	r.waitFor("+33 9 99 99 99 99")
	r.waitGone("Aline Dubois Jr")
}

// Entries of the audit log alone (logins, failed logins, refusals) alter
// no record: open lists and dashboards do not reload for them, so a storm
// of logins does not reload every screen of every session.
func TestLiveLoginsReloadNothing(t *testing.T) {
	batch := func(changes ...domain.RecordChange) changesMsg {
		return changesMsg{batch: domain.LiveBatch{Changes: changes}, onTop: true}
	}
	auditOnly := []domain.RecordChange{
		{Entity: "user", ID: 3, Action: "user.login"},
		{Entity: "user", ID: 4, Action: "user.login_failed"},
		{Entity: "user", ID: 3, Action: "user.logout"},
		{Entity: "client", ID: 9, Action: "client.update.denied"},
		{Entity: "user", ID: 3, Action: "session.reuse_detected"},
	}
	for _, c := range auditOnly {
		if batch(c).touches(recordChanges...) {
			t.Errorf("%s reloads the screens of records", c.Action)
		}
	}
	if !batch(append(auditOnly, domain.RecordChange{Entity: "user", ID: 3, Action: "user.update"})...).touches("user") {
		t.Error("a collaborator's change among logins does not reload the lists that name them")
	}
	if !(changesMsg{batch: domain.LiveBatch{Missed: true}}).touches("client") {
		t.Error("missed changes do not reload")
	}
}

// A note about a change (a record left the list) never hides the answer to
// the user's own action: in the UI that assigned support, "X now supports
// Y" stays; where the status line is free, the note shows.
func TestLiveNoteDoesNotHideTheUsersAnswer(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Events without support 2")
	r.tm.Send(statusMsg{text: "Tom Tech now supports Acme spring gala"})
	r.waitFor("Tom Tech now supports Acme spring gala")
	r.tm.Send(statusMsg{text: "Acme spring gala left this list", aside: true})
	r.tm.Send(statusMsg{text: "a later answer"})
	r.waitFor("a later answer")
	r.o.mu.Lock()
	hidden := strings.Contains(r.o.shown.String(), "Acme spring gala left this list")
	r.o.mu.Unlock()
	if hidden {
		t.Error("the note about a change replaced the answer being read")
	}

	free := start(t, w.options(w.mgrSess), 100, 30)
	free.waitFor("Events without support 2")
	free.tm.Send(statusMsg{text: "Acme spring gala left this list", aside: true})
	free.waitFor("Acme spring gala left this list")
}
