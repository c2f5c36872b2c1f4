package tui

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// clientDetail shows a client with its contracts, events and history.
// e edits it, n creates a contract for it, enter opens a related record.
type clientDetail struct {
	detailScreen[domain.ClientDetail]
	c      *domain.Client
	edit   key.Binding
	newCtr key.Binding
}

func newClientDetail(e *env, id int64) Screen {
	s := &clientDetail{}
	s.detailScreen = newDetailScreen(e, id, "client",
		func(ctx context.Context, svc *domain.Services, sess *domain.Session, id int64) (domain.ClientDetail, error) {
			return svc.Clients.Detail(ctx, sess, id)
		},
		func(d domain.ClientDetail) []detailLine {
			c := d.Client
			s.c = &c
			return s.lines(d)
		})
	s.edit = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	s.newCtr = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new contract"))
	return s
}

// KeyMap implements Screen.
func (s *clientDetail) KeyMap() help.KeyMap {
	var actions []key.Binding
	if s.c != nil {
		if domain.CanUpdateClient(s.e.actor, *s.c) == nil {
			actions = append(actions, s.edit)
		}
		if domain.CanCreateContract(s.e.actor, *s.c) == nil {
			actions = append(actions, s.newCtr)
		}
	}
	return s.keyMap(actions)
}

// Update implements Screen.
func (s *clientDetail) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, done := s.update(msg); done {
		return s, cmd
	}
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || s.c == nil {
		return s, nil
	}
	k := keyString(kp.String())
	switch {
	case key.Matches(k, s.edit):
		c := *s.c
		return s, ask(s.e, s, "edit client", domain.ActClientUpdate, c.ID, func() tea.Cmd {
			return push(newClientForm(s.e, &c))
		})
	case key.Matches(k, s.newCtr):
		c := *s.c
		return s, ask(s.e, s, "new contract", domain.ActContractCreate, c.ID, func() tea.Cmd {
			return push(newContractForm(s.e, nil, &c))
		})
	}
	return s, nil
}

func (s *clientDetail) lines(d domain.ClientDetail) []detailLine {
	b := &detailBuilder{e: s.e}
	c := d.Client
	b.title("Client " + c.FullName)
	b.field("Email", c.Email)
	b.field("Phone", c.Phone)
	b.field("Company", c.CompanyName)
	b.field("Sales contact", c.SalesContactName)
	b.field("First contact", s.e.fmtTime(c.CreatedAt))
	b.field("Last contact", s.e.fmtTime(c.UpdatedAt))

	b.section("Contracts")
	if len(d.Contracts) == 0 {
		b.dim("no contract yet")
	}
	var due int64
	for _, k := range d.Contracts {
		b.link("contract", k.ID, contractLine(k))
		due += k.RemainingCents
	}
	if len(d.Contracts) > 1 {
		b.dim("left to pay on all contracts: " + domain.FormatMoney(due))
	}

	b.section("Events")
	if len(d.Events) == 0 {
		b.dim("no event yet")
	}
	for _, ev := range d.Events {
		b.link("event", ev.ID, eventLine(s.e, ev))
	}
	b.history(d.History)
	return b.lines
}
