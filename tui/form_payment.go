package tui

import (
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// newPaymentForm records a payment on c: amount, date (now by default),
// note. The service lowers the remaining amount in the same transaction.
func newPaymentForm(e *env, c domain.Contract) Screen {
	amount := newField("amount", "Amount", fieldText, "")
	amount.hint = paymentHint(c)
	paid := newField("paid_at", "Paid on", fieldText, e.fmtTime(e.now()))
	paid.hint = "dd/mm/yyyy HH:MM or 2026-03-02 14:30"
	note := newField("note", "Note", fieldText, "")
	note.hint = "optional, e.g. bank transfer"
	spec := formSpec{
		title: "Payment on contract #" + strconv.FormatInt(c.ID, 10),
		note:  paymentNote(c),
		kind:  "payment",
	}
	// A refused payment often means someone else was paid meanwhile: the
	// header and the hint quote the remaining amount as it is now.
	spec.refresh = func(f *formScreen) tea.Cmd {
		svc, sess := f.e.svc, f.e.sess
		return func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			now, err := svc.Contracts.Get(ctx, sess, c.ID)
			return formNoteMsg{form: f, note: paymentNote(now), hints: map[string]string{"amount": paymentHint(now)}, err: err}
		}
	}
	id, loc := c.ID, e.loc
	spec.save = func(f *formScreen) (tea.Cmd, map[string]string) {
		errs := map[string]string{}
		cents, err := domain.ParseMoney(f.get("amount"))
		if err != nil {
			errs["amount"] = err.Error()
		}
		in := domain.PaymentInput{AmountCents: cents, Note: f.get("note")}
		if s := strings.TrimSpace(f.get("paid_at")); s != "" {
			if in.PaidAt, err = domain.ParseDateTime(s, loc); err != nil {
				errs["paid_at"] = err.Error()
			}
		}
		if len(errs) > 0 {
			return nil, errs
		}
		svc, sess := f.e.svc, f.e.sess
		return func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			got, err := svc.Contracts.Pay(ctx, sess, id, in)
			return formSavedMsg{id: id, err: err, text: domain.FormatMoney(cents) + " recorded on contract #" +
				strconv.FormatInt(id, 10) + ": " + domain.FormatMoney(got.RemainingCents) + " left to pay"}
		}, nil
	}
	return newFormScreen(e, spec, c.Version, amount, paid, note)
}

// paymentNote is the payment form's header line: client and remaining.
func paymentNote(c domain.Contract) string {
	return c.ClientName + " · remaining " + domain.FormatMoney(c.RemainingCents)
}

// paymentHint is the amount field's hint.
func paymentHint(c domain.Contract) string {
	return "at most " + domain.FormatMoney(c.RemainingCents) + " · e.g. 1234.50 or 1 234,50"
}
