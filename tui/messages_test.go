package tui

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// lastLines returns the screen's last n lines.
func lastLines(s string, n int) []string {
	lines := strings.Split(s, "\n")
	return lines[max(len(lines)-n, 0):]
}

// TestMessagesDoNotGoStale: what the status line said about a failed
// login, a logout or another view is gone once that is past.
func TestMessagesDoNotGoStale(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(nil), 100, 30)
	r.waitFor("Log in")
	r.typeText("margaret@epic.test")
	r.press(tea.KeyEnter)
	r.typeText("not the right password")
	r.press(tea.KeyEnter)
	r.waitFor("wrong email or password")
	for range len("not the right password") {
		r.press(tea.KeyBackspace)
	}
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.waitFor("Margaret Hale · management", "Events without support")
	if s := r.o.screen(); strings.Contains(s, "wrong email or password") {
		t.Fatalf("the failed login's message outlived the login:\n%s", s)
	}

	// A message about one view goes when another view opens.
	r.typeText("2")
	r.waitFor("1–4 of 4")
	r.typeText(":x")
	r.press(tea.KeyEnter)
	r.waitFor("type a record number")
	r.press(tea.KeyTab)
	r.waitFor("Contracts  1–")
	r.waitGone("type a record number")

	// "logged out" goes at the next login.
	r.typeText("L")
	r.waitFor("Log in", "logged out")
	r.typeText("margaret@epic.test")
	r.press(tea.KeyEnter)
	r.typeText(testPassword)
	r.press(tea.KeyEnter)
	r.waitFor("Margaret Hale · management", "Events without support")
	if s := r.o.screen(); strings.Contains(s, "logged out") {
		t.Fatalf("'logged out' outlived the next login:\n%s", s)
	}
}

// TestLongMessageKeepsItsAdviceAndTheLabel: a refusal too long for the
// status line is shown whole on its own lines above the help bar, and the
// user · role · database label stays; `? help` stays in the help bar.
func TestLongMessageKeepsItsAdviceAndTheLabel(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("5")
	r.waitFor("Team  1–", "Samuel Sales")
	r.press(tea.KeyDown) // by name: Margaret Hale, then Samuel Sales
	r.typeText("d")
	r.waitFor("reassign them first")
	s := r.o.screen()
	tail := lastLines(s, 4)
	if !strings.Contains(tail[len(tail)-1], "Margaret Hale · management · sqlite test.db") {
		t.Errorf("the label is not on the status line:\n%s", s)
	}
	if !strings.Contains(tail[len(tail)-2], "? help") {
		t.Errorf("the help bar lost `? help`:\n%s", s)
	}
	if strings.Contains(s, "…") || !strings.Contains(strings.Join(strings.Fields(strings.Join(tail[:len(tail)-2], " ")), " "),
		"reassign them first, or deactivate Samuel Sales instead") {
		t.Errorf("the advice is cut or not above the help bar:\n%s", s)
	}
	if n := len(strings.Split(s, "\n")); n != 30 {
		t.Errorf("the screen is %d lines, want 30:\n%s", n, s)
	}
	if got, err := w.svc.Users.Get(context.Background(), w.mgrSess, w.sales.ID); err != nil || !got.Active {
		t.Errorf("the refused delete changed the collaborator: %+v, %v", got, err)
	}
}

// TestDialogsDefaultToTheSafeAnswer: enter on a delete or discard dialog
// answers no; y answers yes.
func TestDialogsDefaultToTheSafeAnswer(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	r := start(t, w.options(w.mgrSess), 100, 30)
	r.waitFor("Dashboard")
	r.typeText("4")
	r.waitFor("1–3 of 3", "Acme spring gala")
	r.typeText("d")
	r.waitFor("Delete the event Acme spring gala?", "[ No ]")
	r.press(tea.KeyEnter)
	r.waitGone("Delete the event")
	if _, err := w.svc.Events.Get(ctx, w.mgrSess, w.events["Acme spring gala"].ID); err != nil {
		t.Fatalf("enter deleted the event: %v", err)
	}
	// ←/→ selects yes; then enter answers it.
	r.typeText("d")
	r.waitFor("Delete the event Acme spring gala?")
	r.press(tea.KeyRight)
	r.waitFor("[ Yes ]")
	r.press(tea.KeyEscape)
	r.waitGone("Delete the event")

	// A changed form: esc asks, enter keeps the form and what was typed.
	r.typeText("e")
	r.waitFor("Edit event")
	r.typeText(" 2027")
	r.press(tea.KeyEscape)
	r.waitFor("Discard your changes", "[ No ]")
	r.press(tea.KeyEnter)
	r.waitGone("Discard your changes")
	r.waitFor("Acme spring gala 2027")
	r.press(tea.KeyEscape)
	r.waitFor("Discard your changes")
	r.typeText("y")
	r.waitFor("1–3 of 3")
	if ev := w.event(t, w.events["Acme spring gala"].ID); ev.Name != "Acme spring gala" {
		t.Fatalf("the discarded form saved: %q", ev.Name)
	}
}

// TestHelpListsEveryKey: `?` lists the keys the role may not use on this
// screen too (n on clients for management), marked as such.
func TestHelpListsEveryKey(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.mgrSess), 120, 40)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("1–4 of 4")
	if bar := lastLines(r.o.screen(), 2)[0]; strings.Contains(bar, "n new") {
		t.Fatalf("the help bar offers n to management:\n%s", bar)
	}
	r.typeText("?")
	r.waitFor("new (not for you here: says why)", ": go to #", "close the help")
	r.typeText("?")
	r.waitGone("close the help")
	r.typeText("n")
	r.waitFor("only sales may create clients") // pressed anyway, n says why not
	if d, err := w.svc.Clients.List(context.Background(), w.mgrSess, domain.ListQuery{Count: true}); err != nil || d.Total != 4 {
		t.Fatalf("clients after a refused n: %d, %v", d.Total, err)
	}
}

// TestHintsFollowTheRecord: the contracts list stops offering `v` once the
// contract has its event; a payment form refused because someone else was
// paid meanwhile quotes the remaining amount as it is now.
func TestHintsFollowTheRecord(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	c := must(w.svc.Clients.Create(ctx, w.salesSess, domain.ClientInput{FullName: "Yves Roche", Email: "yves@roche.test"}))
	k := must(w.svc.Contracts.Create(ctx, w.mgrSess, domain.ContractInput{ClientID: c.ID, TotalCents: 500_000}))
	k = must(w.svc.Contracts.Sign(ctx, w.mgrSess, k.ID, k.Version))
	id := strconv.FormatInt(k.ID, 10)

	r := start(t, w.options(w.salesSess), 120, 30)
	r.waitFor("Dashboard")
	r.typeText("3")
	r.waitFor("Yves Roche")
	r.typeText(":" + id)
	r.press(tea.KeyEnter)
	r.waitFor("v create event", "p payment")
	must(w.svc.Events.Create(ctx, w.salesSess, domain.EventInput{ContractID: k.ID, Name: "Roche launch",
		Start: testNow.Add(48 * time.Hour), End: testNow.Add(52 * time.Hour)}))
	r.typeText("r")
	r.waitGone("v create event")

	// The payment form opened at 5 000.00 €; someone records 4 000.00 €.
	r.typeText("p")
	r.waitFor("Payment on contract #"+id, "remaining 5 000.00 €")
	must(w.svc.Contracts.Pay(ctx, w.mgrSess, k.ID, domain.PaymentInput{AmountCents: 400_000}))
	r.typeText("2000")
	ctrl(r, 's')
	r.waitFor("Yves Roche · remaining 1 000.00 €", "more than the remaining 1 000.00 €")
	r.waitGone("5 000.00 €")
	if got := must(w.svc.Contracts.Get(ctx, w.mgrSess, k.ID)); got.RemainingCents != 100_000 {
		t.Fatalf("the refused payment changed the contract: %d left", got.RemainingCents)
	}
}
