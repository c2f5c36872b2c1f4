package tui

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// contractDetail shows a contract with its payments, its event and its
// history. e edits the total, S signs, p records a payment, v creates the
// event of a signed contract.
type contractDetail struct {
	detailScreen[domain.ContractDetail]
	c                    *domain.Contract
	edit, sign, pay, evt key.Binding
}

// contractSignedDetailMsg is the result of signing from the detail.
type contractSignedDetailMsg struct {
	c   domain.Contract
	err error
}

func newContractDetail(e *env, id int64) Screen {
	s := &contractDetail{}
	s.detailScreen = newDetailScreen(e, id, "contract",
		func(ctx context.Context, svc *domain.Services, sess *domain.Session, id int64) (domain.ContractDetail, error) {
			return svc.Contracts.Detail(ctx, sess, id)
		},
		func(d domain.ContractDetail) []detailLine {
			c := d.Contract
			s.c = &c
			return s.lines(d)
		})
	s.edit = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit total"))
	s.sign = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sign"))
	s.pay = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "payment"))
	s.evt = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "create event"))
	return s
}

// KeyMap implements Screen.
func (s *contractDetail) KeyMap() help.KeyMap {
	var actions []key.Binding
	if c := s.c; c != nil {
		a := s.e.actor
		if domain.CanUpdateContract(a, *c) == nil {
			actions = append(actions, s.edit)
		}
		if c.Status == domain.ContractDraft && domain.CanSignContract(a, *c) == nil {
			actions = append(actions, s.sign)
		}
		if c.RemainingCents > 0 && domain.CanPay(a, *c) == nil {
			actions = append(actions, s.pay)
		}
		if c.Status == domain.ContractSigned && c.EventID == nil && domain.CanCreateEvent(a, *c) == nil {
			actions = append(actions, s.evt)
		}
	}
	return s.keyMap(actions)
}

// Update implements Screen.
func (s *contractDetail) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, done := s.update(msg); done {
		return s, cmd
	}
	switch msg := msg.(type) {
	case confirmedMsg:
		if msg.tag == "sign contract" && s.c != nil && msg.id == s.c.ID {
			svc, sess, c := s.e.svc, s.e.sess, *s.c
			return s, func() tea.Msg {
				ctx, cancel := callCtx()
				defer cancel()
				got, err := svc.Contracts.Sign(ctx, sess, c.ID, c.Version)
				return contractSignedDetailMsg{c: got, err: err}
			}
		}
	case contractSignedDetailMsg:
		if msg.err != nil {
			return s, reportError("sign contract", msg.err)
		}
		return s, tea.Batch(info("contract "+idText(msg.c.ID)+" signed"), s.load())
	case tea.KeyPressMsg:
		return s, s.key(keyString(msg.String()))
	}
	return s, nil
}

func (s *contractDetail) key(k keyString) tea.Cmd {
	if s.c == nil {
		return nil
	}
	c := *s.c
	switch {
	case key.Matches(k, s.edit):
		return ask(s.e, s, "edit contract", domain.ActContractUpdate, c.ID, func() tea.Cmd {
			return push(newContractForm(s.e, &c, nil))
		})
	case key.Matches(k, s.sign):
		return ask(s.e, s, "sign contract", domain.ActContractSign, c.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Sign contract "+idText(c.ID)+" with "+domain.StripControl(c.ClientName)+
				" for "+domain.FormatMoney(c.TotalCents)+"? A signed contract cannot go back to draft.", "sign contract", c.ID))
		})
	case key.Matches(k, s.pay):
		return ask(s.e, s, "record payment", domain.ActPaymentCreate, c.ID, func() tea.Cmd {
			return push(newPaymentForm(s.e, c))
		})
	case key.Matches(k, s.evt):
		return ask(s.e, s, "new event", domain.ActEventCreate, c.ID, func() tea.Cmd {
			return push(newEventForm(s.e, nil, &c))
		})
	}
	return nil
}

func (s *contractDetail) lines(d domain.ContractDetail) []detailLine {
	b := &detailBuilder{e: s.e}
	c := d.Contract
	e := s.e
	b.title("Contract " + idText(c.ID))
	b.link("client", c.ClientID, b.e.st.Label.Render(padRight("Client", labelWidth))+domain.StripControl(c.ClientName)+"  ›")
	b.field("Company", c.CompanyName)
	b.field("Sales contact", c.SalesContactName)
	b.field("Status", string(c.Status))
	b.field("Total", domain.FormatMoney(c.TotalCents))
	b.field("Remaining", domain.FormatMoney(c.RemainingCents))
	b.field("Paid", domain.FormatMoney(c.TotalCents-c.RemainingCents))
	b.field("Created", e.fmtTime(c.CreatedAt))
	if c.SignedAt != nil {
		b.field("Signed", e.fmtTime(*c.SignedAt)+" by "+c.SignedByName)
	}

	b.section("Payments")
	if len(d.Payments) == 0 {
		b.dim("no payment yet")
	}
	for _, p := range d.Payments {
		line := e.fmtTime(p.PaidAt) + "  " + padRight(domain.FormatMoney(p.AmountCents), 14) + domain.StripControl(p.RecordedByName)
		if p.Note != "" {
			line += " · " + domain.StripControl(p.Note)
		}
		b.add(line)
	}

	b.section("Event")
	switch {
	case d.Event != nil:
		b.link("event", d.Event.ID, eventLine(e, *d.Event))
	case c.Status == domain.ContractSigned:
		b.dim("no event yet")
	default:
		b.dim("the event can be created once the contract is signed")
	}
	b.history(d.History)
	return b.lines
}
