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
	amount.hint = "at most " + domain.FormatMoney(c.RemainingCents) + " · e.g. 1234.50 or 1 234,50"
	paid := newField("paid_at", "Paid on", fieldText, e.fmtTime(e.now()))
	paid.hint = "dd/mm/yyyy HH:MM or 2026-03-02 14:30"
	note := newField("note", "Note", fieldText, "")
	note.hint = "optional, e.g. bank transfer"
	spec := formSpec{
		title: "Payment on contract #" + strconv.FormatInt(c.ID, 10),
		note:  c.ClientName + " · remaining " + domain.FormatMoney(c.RemainingCents),
		kind:  "payment",
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
