package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// TestEveryRoleReadsTheTeam: sales and support hold user:read:any, so the
// Team view opens for them, without the keys that change collaborators.
func TestEveryRoleReadsTheTeam(t *testing.T) {
	w := newWorld(t)
	for _, email := range []string{"sam@epic.test", "sue@epic.test"} {
		t.Run(email, func(t *testing.T) {
			r := start(t, w.options(w.session(t, email)), 100, 30)
			r.waitFor("1 Dashboard", "5 Team")
			r.typeText("5")
			r.waitFor("Team  1–", "Tom Tech", "Margaret Hale")
			help := lastLine(r.o.screen(), 1)
			for _, k := range []string{"n new", "e edit", "d delete", "x deactivate", "P reset"} {
				if strings.Contains(help, k) {
					t.Errorf("the help bar offers %q to %s: %q", k, email, help)
				}
			}
			r.press(tea.KeyEnter) // reading, not editing: enter opens no form
			r.typeText("j")
			if s := r.o.screen(); strings.Contains(s, "Edit collaborator") {
				t.Fatalf("enter opened the edit form for %s:\n%s", email, s)
			}
		})
	}
}

// TestViewKeySaysWhyItDoesNotOpen: a number key for a view one may not
// open says so in the status line.
func TestViewKeySaysWhyItDoesNotOpen(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("1 Dashboard")
	if s := r.o.screen(); strings.Contains(s, "7 Audit") || strings.Contains(s, "6 Roles") {
		t.Fatalf("sales sees views they may not open:\n%s", s)
	}
	r.typeText("7")
	r.waitFor("Audit is not open to you: it needs the audit:read:any permission")
	r.typeText("6")
	r.waitFor("Roles is not open to you: it needs the role:read:any permission")
}

// TestGrantedViewAppears: a view whose read permission is granted while
// the app is open appears at the next action.
func TestGrantedViewAppears(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("1 Dashboard")
	if err := w.svc.Roles.Grant(context.Background(), w.mgrSess, domain.RoleSales, "audit:read:any"); err != nil {
		t.Fatal(err)
	}
	r.typeText("2") // any view switch reads the permissions again
	r.waitFor("7 Audit")
	r.typeText("7")
	r.waitFor("user.login")
}

// lastLine returns the n-th line from the bottom of a screen (0 = last).
func lastLine(screen string, n int) string {
	lines := strings.Split(screen, "\n")
	return lines[max(len(lines)-1-n, 0)]
}
