package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/epic-events/crm/domain"
)

func ctrl(r *run, c rune) { r.press(c, tea.ModCtrl) }

// openClientForm goes to the clients list and opens the new-client form.
func openClientForm(r *run) {
	r.t.Helper()
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("sort: name", "Aline Dubois")
	r.typeText("n")
	r.waitFor("New client", "Full name", "Company")
}

func TestClientFormValidationError(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.salesSess), sz.w, sz.h)
			openClientForm(r)
			r.typeText("Eve Martin")
			r.press(tea.KeyTab)
			r.typeText("eve-at-nowhere")
			ctrl(r, 's')
			r.waitFor("✗ ", "please correct") // the service's message sits under the email
			golden.RequireEqual(t, stable(r.final()))
		})
	}
}

func TestBadEmailChangesNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	before := must(w.svc.Clients.List(ctx, w.mgrSess, domain.ListQuery{Limit: 100}))
	r := start(t, w.options(w.salesSess), 100, 30)
	openClientForm(r)
	r.typeText("Eve Martin")
	r.press(tea.KeyEnter)
	r.typeText("eve@@example")
	r.press(tea.KeyEnter)
	r.typeText("+33 6 12 34 56 78")
	r.press(tea.KeyEnter)
	r.typeText("Umbrella")
	r.press(tea.KeyEnter) // last field: saves
	r.waitFor("please correct the fields marked in red")
	s := r.o.screen()
	lines := strings.Split(s, "\n")
	emailAt := -1
	for i, l := range lines {
		if strings.Contains(l, "Email") && strings.Contains(l, "eve@@example") {
			emailAt = i
		}
	}
	if emailAt < 0 || emailAt+1 >= len(lines) || !strings.Contains(lines[emailAt+1], "✗") {
		t.Fatalf("no inline error under the email field:\n%s", s)
	}
	for _, typed := range []string{"Eve Martin", "+33 6 12 34 56 78", "Umbrella"} {
		if !strings.Contains(s, typed) {
			t.Errorf("the form lost %q after the refused save:\n%s", typed, s)
		}
	}
	after := must(w.svc.Clients.List(ctx, w.mgrSess, domain.ListQuery{Limit: 100}))
	if len(after.Items) != len(before.Items) {
		t.Fatalf("clients: %d before, %d after a refused save", len(before.Items), len(after.Items))
	}
	if cs := must(w.svc.Companies.Search(ctx, w.mgrSess, "Umbrella", 5)); len(cs) != 0 {
		t.Errorf("the refused save created the company %q", cs[0].Name)
	}

	// esc on the changed form asks first; n keeps it.
	r.press(tea.KeyEscape)
	r.waitFor("Discard your changes")
	r.typeText("n")
	r.waitGone("Discard your changes")
	r.waitFor("eve@@example")
}

func TestSalesCreatesClient(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	openClientForm(r)
	r.typeText("Eve Martin")
	r.press(tea.KeyEnter)
	r.typeText("eve@umbrella.test")
	r.press(tea.KeyEnter)
	r.typeText("+33 6 12 34 56 78")
	r.press(tea.KeyEnter)
	r.typeText("glob")
	r.waitFor("  Globex") // a match is offered, not chosen: a new name creates a company
	r.press(tea.KeyDown)
	r.waitFor("▸ Globex")
	ctrl(r, 's') // saves with the highlighted match
	r.waitFor("client Eve Martin saved")
	r.waitGone("New client")
	r.waitFor("Eve Martin", "Globex")

	// In the list as theirs…
	var row string
	for _, l := range strings.Split(r.o.screen(), "\n") {
		if strings.Contains(l, "Eve Martin") {
			row = l
		}
	}
	if !strings.Contains(row, "Samuel Sales") {
		t.Errorf("the new client's row does not show its sales contact: %q", row)
	}
	// …and in the database.
	p := must(w.svc.Clients.List(context.Background(), w.mgrSess, domain.ListQuery{Search: "eve@umbrella.test", Limit: 5}))
	if len(p.Items) != 1 {
		t.Fatalf("clients matching eve@umbrella.test: %d", len(p.Items))
	}
	c := p.Items[0]
	if c.SalesContactID == nil || *c.SalesContactID != w.sales.ID || c.CompanyName != "Globex" || c.Phone == "" {
		t.Errorf("stored client = %+v, want Samuel Sales's, company Globex", c)
	}
}

func TestPaymentLowersBalance(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("3")
	r.waitFor("sort: created", "Bruno Keller")
	r.typeText("/Bruno")
	r.waitGone("Aline Dubois")
	r.press(tea.KeyEnter)
	r.waitFor("8 300.50 €")
	r.typeText("p")
	r.waitFor("Payment on contract", "remaining 8 300.50 €", "Paid on")
	r.typeText("1 300,50")
	r.press(tea.KeyEnter)
	r.press(tea.KeyEnter) // date: now
	r.typeText("bank transfer")
	r.press(tea.KeyEnter) // last field: saves
	r.waitFor("1 300.50 € recorded", "7 000.00 €")
	r.waitGone("Payment on contract")

	p := must(w.svc.Contracts.List(context.Background(), w.mgrSess, domain.ListQuery{Search: "Bruno", Limit: 5}))
	if len(p.Items) != 1 || p.Items[0].RemainingCents != 700_000 {
		t.Fatalf("remaining in the database = %+v, want 7 000.00 €", p.Items)
	}
	d := must(w.svc.Contracts.Detail(context.Background(), w.mgrSess, p.Items[0].ID))
	if len(d.Payments) != 1 || d.Payments[0].Note != "bank transfer" || d.Payments[0].AmountCents != 130_050 {
		t.Errorf("payments = %+v", d.Payments)
	}
}

func TestClientDetail(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.salesSess), sz.w, sz.h)
			r.waitFor("Dashboard")
			r.typeText("2")
			r.waitFor("sort: name", "Aline Dubois")
			r.press(tea.KeyEnter)
			r.waitFor("Client Aline Dubois", "Acme Corp", "Contracts")
			golden.RequireEqual(t, stable(r.final()))
		})
	}
}

func TestClientDetailShowsRelatedAndHistory(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("sort: name", "Aline Dubois")
	r.press(tea.KeyEnter)
	r.waitFor("Client Aline Dubois", "signed", "12 500.00 €", "Acme spring gala", "History", "client.create", "e edit")
	// The event line (title, 6 fields, blank, Contracts, the contract,
	// blank, Events, the event) opens the event detail.
	r.typeText(strings.Repeat("j", 12))
	r.waitFor("enter open related")
	r.press(tea.KeyEnter)
	r.waitFor("Event Acme spring gala", "Lyon", "Contract")
	r.press(tea.KeyEscape)
	r.waitFor("Client Aline Dubois")
}

func TestTeamScreen(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.mgrSess), sz.w, sz.h)
			r.waitFor("Dashboard")
			r.typeText("5")
			r.waitFor("Team  1–", "Tom Tech", "Sue Support")
			golden.RequireEqual(t, stable(r.final()))
		})
	}
}

func TestRolesScreen(t *testing.T) {
	w := newWorld(t)
	for _, sz := range sizes {
		t.Run(sz.name, func(t *testing.T) {
			r := start(t, w.options(w.mgrSess), sz.w, sz.h)
			r.waitFor("Dashboard")
			r.typeText("6")
			r.waitFor("Roles & permissions", "client:read:any")
			golden.RequireEqual(t, stable(r.final()))
		})
	}
}

func TestRolesSpaceRevokes(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("6")
	r.waitFor("Roles & permissions", "client:read:any")
	// company:create:any is row 5; sales is the second column.
	for range 4 {
		r.typeText("j")
	}
	r.typeText("l")
	r.waitFor("company:create:any — create companies")
	r.press(tea.KeySpace)
	r.waitFor("company:create:any revoked from sales")
	m := must(w.svc.Roles.Matrix(context.Background(), w.mgrSess))
	if m.Granted[domain.RoleSales]["company:create:any"] {
		t.Fatal("the database still grants company:create:any to sales")
	}
	if !m.Granted[domain.RoleManagement]["company:create:any"] {
		t.Fatal("the revoke touched management's cell")
	}

	// The refusal is explained and changes nothing.
	row := -1
	for i, p := range m.Permissions {
		if p.Code == "role:grant:any" {
			row = i
		}
	}
	r.typeText(strings.Repeat("k", 10) + strings.Repeat("j", row) + "h")
	r.waitFor("role:grant:any — grant")
	r.press(tea.KeySpace)
	r.waitFor("management always keeps role:grant:any")
	m = must(w.svc.Roles.Matrix(context.Background(), w.mgrSess))
	if !m.Granted[domain.RoleManagement]["role:grant:any"] {
		t.Fatal("role:grant:any was revoked from management")
	}
}

func TestFormConflictKeepsTypingUntilReload(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("sort: name", "Aline Dubois")
	r.typeText("e")
	r.waitFor("Edit client Aline Dubois")

	// Someone else saves the client meanwhile.
	p := must(w.svc.Clients.List(ctx, w.mgrSess, domain.ListQuery{Search: "aline@acme.test", Limit: 1}))
	c := p.Items[0]
	must(w.svc.Clients.Update(ctx, w.mgrSess, c.ID, c.Version, domain.ClientInput{
		FullName: "Aline Dubois-Roy", Email: c.Email, Phone: c.Phone, CompanyName: c.CompanyName}))

	r.typeText(" Jr")
	ctrl(r, 's')
	// One instruction, once: the form's banner; no dialog, and the status
	// line does not add another way ("press r").
	r.waitFor("changed by Margaret Hale", "ctrl+r reloads it", "Aline Dubois Jr")
	if s := r.o.screen(); strings.Contains(s, "Reload the record?") || strings.Contains(s, "press r") ||
		strings.Count(s, "reload") != 2 { // the banner and the help bar's ctrl+r
		t.Fatalf("want one reload instruction:\n%s", s)
	}
	if got := must(w.svc.Clients.Get(ctx, w.mgrSess, c.ID)); got.FullName != "Aline Dubois-Roy" {
		t.Fatalf("the stale save overwrote the record: %q", got.FullName)
	}
	ctrl(r, 'r')
	r.waitFor("Aline Dubois-Roy")
	r.waitGone("Aline Dubois Jr")
	r.typeText("!")
	ctrl(r, 's')
	r.waitFor("client Aline Dubois-Roy! saved")
	if got := must(w.svc.Clients.Get(ctx, w.mgrSess, c.ID)); got.FullName != "Aline Dubois-Roy!" {
		t.Fatalf("after the reload the save did not land: %q", got.FullName)
	}
}

func TestTeamCreateAndDeactivate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("5")
	r.waitFor("Team  1–", "Tom Tech")
	r.typeText("n")
	r.waitFor("New collaborator", "Role", "Repeat")
	r.press(tea.KeyEnter) // employee number generated
	r.typeText("Paula Plan")
	r.press(tea.KeyEnter)
	r.typeText("paula@epic.test")
	r.press(tea.KeyEnter)
	r.press(tea.KeyEnter) // no phone
	r.press(tea.KeyRight) // sales → support
	r.waitFor("‹ support ›")
	r.press(tea.KeyEnter)
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.typeText("something else entirely 77")
	r.press(tea.KeyEnter)
	r.waitFor("the two passwords differ")
	if _, err := w.svc.Sessions.Login(ctx, "paula@epic.test", testPassword); err == nil {
		t.Fatal("a collaborator was created although the passwords differ")
	}
	ctrl(r, 'u') // clear the repeat field
	r.typeText(testPassword)
	ctrl(r, 's')
	r.waitFor("collaborator Paula Plan saved")
	r.waitFor("Paula Plan", "support")
	if _, err := w.svc.Sessions.Login(ctx, "paula@epic.test", testPassword); err != nil {
		t.Fatalf("the new collaborator cannot log in: %v", err)
	}

	// x deactivates after a confirmation; she can no longer log in.
	r.typeText("x")
	r.waitFor("Deactivate Paula Plan?")
	r.typeText("y")
	r.waitFor("Paula Plan deactivated", "inactive")
	if _, err := w.svc.Sessions.Login(ctx, "paula@epic.test", testPassword); err == nil {
		t.Fatal("a deactivated collaborator can still log in")
	}
}

func TestSupportEditsTheirEvent(t *testing.T) {
	w := newWorld(t)
	sue := w.session(t, "sue@epic.test")
	r := start(t, w.options(sue), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("sort: start", "Martin wedding party")
	r.typeText("/wedding")
	r.waitGone("Acme spring gala")
	r.press(tea.KeyEnter)
	r.press(tea.KeyEnter) // open the detail
	r.waitFor("Event Martin wedding party", "Annecy", "e edit")
	r.typeText("e")
	r.waitFor("Edit event Martin wedding party", "‹ planned ›")
	r.press(tea.KeyTab) // start
	r.press(tea.KeyTab) // end
	ctrl(r, 'u')
	r.typeText("21/03/2026 15:00") // before the start (16:00 CET)
	r.press(tea.KeyTab, tea.ModShift)
	r.press(tea.KeyTab, tea.ModShift)
	ctrl(r, 's')
	r.waitFor("✗ the end must be after the start") // the focus went to the end
	ctrl(r, 'u')
	r.typeText("2026-03-22 01:00")
	for range 3 {
		r.press(tea.KeyTab)
	}
	r.typeText("Vegan menu")
	r.press(tea.KeyEnter) // a new line in the notes
	r.typeText("DJ at 22:00")
	r.press(tea.KeyTab)
	r.press(tea.KeyRight)
	r.waitFor("‹ confirmed ›")
	ctrl(r, 's')
	r.waitFor("event Martin wedding party saved", "confirmed", "DJ at 22:00")

	ev := w.event(t, w.events["Martin wedding party"].ID)
	if ev.Status != domain.EventConfirmed || ev.Notes != "Vegan menu\nDJ at 22:00" ||
		!ev.End.Equal(time.Date(2026, 3, 22, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("stored event: status %s, notes %q, end %s", ev.Status, ev.Notes, ev.End)
	}
}

func TestAuditShowsEntryChanges(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("7")
	r.waitFor("Audit log", "event.assign_support", "client.create")
	// Newest first: the seed's last act is Dora Petit's contract.
	if l := strings.Split(r.o.screen(), "\n")[3]; !strings.Contains(l, "contract.create") || !strings.Contains(l, "Dora Petit") {
		t.Errorf("the newest entry is not first:\n%s", r.o.screen())
	}
	r.typeText("jjj") // contract, client, company, then the assignment
	r.press(tea.KeyEnter)
	r.waitFor("support", "now Sue Support", "esc close")
	r.press(tea.KeyEscape)
	r.waitGone("now Sue Support")
	r.typeText("/sign") // actions and actors are searched
	r.waitGone("client.create")
	r.waitFor("contract.sign", "event.assign_support")
}
