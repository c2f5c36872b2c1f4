package tui

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// denied counts the audit rows of a refusal of action on the record id.
func (w *world) denied(t *testing.T, action string, id int64) int {
	t.Helper()
	page := must(w.svc.Audit.List(context.Background(), w.mgrSess, domain.ListQuery{Limit: 500}))
	n := 0
	for _, e := range page.Items {
		if e.Action == action+".denied" && e.EntityID == id {
			n++
		}
	}
	return n
}

// client finds a seeded client by name.
func (w *world) client(t *testing.T, name string) domain.Client {
	t.Helper()
	page := must(w.svc.Clients.List(context.Background(), w.mgrSess, domain.ListQuery{Search: name, Limit: 5}))
	if len(page.Items) != 1 {
		t.Fatalf("client %q: %d matches", name, len(page.Items))
	}
	return page.Items[0]
}

// refusedKey presses a key that is not in the help bar and checks that
// the refusal's sentence is on screen, that what it would open never
// opened, and that exactly one <action>.denied row names the record.
func refusedKey(t *testing.T, r *run, w *world, keyText, sentence, neverOpens, action string, id int64) {
	t.Helper()
	if help := lastLine(r.o.screen(), 1); strings.Contains(" "+help, " "+keyText+" ") {
		t.Errorf("the help bar offers %q: %q", keyText, help)
	}
	before := w.denied(t, action, id)
	r.typeText(keyText)
	r.waitFor(sentence)
	if s := r.o.screen(); strings.Contains(s, neverOpens) {
		t.Fatalf("%q opened although the action is refused:\n%s", neverOpens, s)
	}
	if got := w.denied(t, action, id) - before; got != 1 {
		t.Errorf("%s.denied rows for record %d: %d new, want 1", action, id, got)
	}
}

// TestRefusedFormNeverOpens: a sales person presses e on a colleague's
// client: the form does not open, the status line says whose client it
// is, and the refusal is on the record.
func TestRefusedFormNeverOpens(t *testing.T) {
	w := newWorld(t)
	must(w.svc.Users.Create(context.Background(), w.mgrSess, domain.UserInput{FullName: "Sara Lopez", Email: "sara@epic.test", Role: domain.RoleSales}, testPassword))
	r := start(t, w.options(w.session(t, "sara@epic.test")), 100, 30)
	r.waitFor("1 Dashboard")
	r.typeText("2")
	r.waitFor("Aline Dubois", "enter open")
	refusedKey(t, r, w, "e", "Aline Dubois is Samuel Sales' client", "Edit client", domain.ActClientUpdate, w.client(t, "Aline").ID)
}

// TestRefusedConfirmationNeverOpens: deleting a client with a signed
// contract is refused before the question is asked.
func TestRefusedConfirmationNeverOpens(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("1 Dashboard")
	r.typeText("2")
	r.waitFor("Aline Dubois", "d delete")
	r.typeText("d")
	r.waitFor("Aline Dubois has 1 signed contract")
	if s := r.o.screen(); strings.Contains(s, "Delete the client") {
		t.Fatalf("the confirmation opened for a refused delete:\n%s", s)
	}
	if n := w.denied(t, domain.ActClientDelete, w.client(t, "Aline").ID); n != 1 {
		t.Errorf("client.delete.denied rows: %d, want 1", n)
	}
	// A client without signed contracts still gets the question.
	r.typeText("G") // Dora Petit, last by name, has only a draft
	r.typeText("d")
	r.waitFor("Delete the client Dora Petit?")
}

// TestRefusedPickerNeverOpens: support presses a (assign support) on an
// event: no picker, the reason, the audit row.
func TestRefusedPickerNeverOpens(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.session(t, "tom@epic.test")), 100, 30)
	r.waitFor("1 Dashboard")
	r.typeText("4")
	r.waitFor("Acme spring gala", "enter open")
	refusedKey(t, r, w, "a", "only management may assign support to events", "Support for", domain.ActEventAssignSupport, w.events["Acme spring gala"].ID)
	refusedKey(t, r, w, "e", "you may edit only the events you support", "Edit event", domain.ActEventUpdate, w.events["Acme spring gala"].ID)
	gala := w.event(t, w.events["Acme spring gala"].ID)
	if gala.SupportContactID != nil || gala.Version != w.events["Acme spring gala"].Version {
		t.Fatalf("a refused key changed the event: %+v", gala)
	}
}

// TestRefusedContractKeys: support on a contract: p, S and d are refused
// with their reasons and audited, and nothing opens.
func TestRefusedContractKeys(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.session(t, "sue@epic.test")), 100, 30)
	r.waitFor("1 Dashboard")
	r.typeText("3")
	r.waitFor("Aline Dubois", "enter open")
	r.typeText("/Aline")
	r.waitGone("Bruno Keller")
	r.press(tea.KeyEnter)
	page := must(w.svc.Contracts.List(context.Background(), w.mgrSess, domain.ListQuery{Search: "Aline", Limit: 5}))
	id := page.Items[0].ID
	refusedKey(t, r, w, "p", "may record payments", "Payment on contract", domain.ActPaymentCreate, id)
	refusedKey(t, r, w, "S", "may sign contracts", "Sign contract", domain.ActContractSign, id)
	refusedKey(t, r, w, "d", "may delete contracts", "Delete contract", domain.ActContractDelete, id)
}

// TestRefusedTeamKeys: sales reads the team; n and x are refused with
// their reasons and audited.
func TestRefusedTeamKeys(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	r.waitFor("5 Team")
	r.typeText("5")
	r.waitFor("Tom Tech", "r reload")
	refusedKey(t, r, w, "n", "only management may add collaborators", "New collaborator", domain.ActUserCreate, 0)
	r.typeText("G") // Tom Tech, last by name
	refusedKey(t, r, w, "x", "only management may deactivate collaborators", "Deactivate Tom Tech?", domain.ActUserDeactivate, w.tom.ID)
	refusedKey(t, r, w, "P", "only management may reset passwords", "New password for", domain.ActUserResetPassword, w.tom.ID)
}
