package tui

import (
	"context"
	"testing"

	"github.com/epic-events/crm/domain"
)

// A permission revoked elsewhere (another session, another process)
// disappears from the help bar as soon as the user changes view: the App
// re-reads the actor instead of keeping what it read at login.
func TestRevokedPermissionLeavesTheHelpBar(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("Events", "a assign support")

	other := w.session(t, "margaret@epic.test")
	if err := w.svc.Roles.Revoke(context.Background(), other, domain.RoleManagement, "event:assign_support:any"); err != nil {
		t.Fatal(err)
	}
	r.typeText("1")
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitGone("a assign support")
	r.waitFor("e edit")
}
