package tui

import (
	"context"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store/storetest"
)

// emptyServices are services on an empty database (no collaborator yet).
func emptyServices(t *testing.T) *domain.Services {
	t.Helper()
	kr, err := auth.NewKeyRing([]byte("0123456789abcdef0123456789abcdef-tui-tests"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return domain.New(domain.Config{Store: storetest.New(t, "sqlite"), Tokens: kr, Hasher: auth.NewHasher(),
		Now: func() time.Time { return testNow }})
}

// TestSetupSavesWithCtrlS: the first manager is created with ctrl+s from
// any field, phone included; a bad phone is refused and creates no one.
func TestSetupSavesWithCtrlS(t *testing.T) {
	svc := emptyServices(t)
	r := start(t, Options{Services: svc, DBLabel: "sqlite test.db", Now: func() time.Time { return testNow },
		Location: testLoc, NoColor: true}, 100, 30)
	r.waitFor("Welcome to Epic Events CRM", "Phone", "ctrl+s create")
	r.typeText("Ada Lovelace")
	r.press(tea.KeyTab)
	r.typeText("ada@epic.test")
	r.press(tea.KeyTab)
	r.typeText("12")
	r.press(tea.KeyTab)
	r.typeText(testPassword)
	r.press(tea.KeyTab)
	r.typeText(testPassword)
	r.press(tea.KeyUp) // back on the password: ctrl+s works from any field
	ctrl(r, 's')
	r.waitFor("6 to 20 digits")
	if needed, err := svc.Sessions.NeedsSetup(context.Background()); err != nil || !needed {
		t.Fatalf("a refused setup created someone (needs setup %v, %v)", needed, err)
	}
	r.press(tea.KeyUp)
	r.press(tea.KeyBackspace)
	r.press(tea.KeyBackspace)
	r.typeText("+33 6 12 34 56 78")
	ctrl(r, 's')
	r.waitFor("welcome: your manager account is ready", "Dashboard")
	sess, err := svc.Sessions.Login(context.Background(), "ada@epic.test", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	a, err := svc.Sessions.Actor(context.Background(), sess)
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.Users.Get(context.Background(), sess, a.ID)
	if err != nil || u.Phone != "+33 6 12 34 56 78" || u.Role != domain.RoleManagement {
		t.Fatalf("the first manager: %+v, %v", u, err)
	}
}
