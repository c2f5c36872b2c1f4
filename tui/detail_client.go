package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

func init() { hooks.ClientDetail = newClientDetail }

// clientDetail shows a client with its contracts, events and history.
// e edits it, n creates a contract for it, enter opens a related record.
type clientDetail struct {
	e      *env
	id     int64
	d      detailPage
	c      *domain.Client
	edit   key.Binding
	newCtr key.Binding
}

type clientDetailMsg struct {
	id     int64
	detail domain.ClientDetail
	err    error
}

func newClientDetail(e *env, id int64) Screen {
	s := &clientDetail{e: e, id: id, d: newDetailPage(e)}
	s.edit = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit"))
	s.newCtr = key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new contract"))
	return s
}

// Init implements Screen.
func (s *clientDetail) Init() tea.Cmd { return s.load() }

func (s *clientDetail) load() tea.Cmd {
	svc, sess, id := s.e.svc, s.e.sess, s.id
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		d, err := svc.Clients.Detail(ctx, sess, id)
		return clientDetailMsg{id: id, detail: d, err: err}
	}
}

// SetSize implements Screen.
func (s *clientDetail) SetSize(w, h int) { s.d.w, s.d.h = w, h }

// View implements Screen.
func (s *clientDetail) View() string { return s.d.view() }

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
	if _, ok := s.d.selected(); ok {
		actions = append(actions, s.d.keys.Open)
	}
	actions = append(actions, s.d.keys.Reload)
	short := append([]key.Binding{s.d.keys.Up, s.d.keys.Down}, actions...)
	return keyMap{short: short, full: [][]key.Binding{s.d.navigation(), actions}}
}

// Update implements Screen.
func (s *clientDetail) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case clientDetailMsg:
		if msg.id != s.id {
			return s, nil
		}
		if msg.err != nil {
			s.d.loading = false
			return s, reportError("load client", msg.err)
		}
		c := msg.detail.Client
		s.c = &c
		s.d.setLines(s.lines(msg.detail))
	case savedMsg:
		return s, s.load()
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		switch {
		case s.d.move(k):
		case key.Matches(k, s.d.keys.Open):
			return s, s.d.open()
		case key.Matches(k, s.d.keys.Reload):
			return s, s.load()
		case s.c == nil:
		case key.Matches(k, s.edit):
			c := *s.c
			return s, checkThen(s.e, func(a domain.Actor) error { return domain.CanUpdateClient(a, c) }, func() tea.Cmd {
				return push(newClientForm(s.e, &c))
			})
		case key.Matches(k, s.newCtr):
			c := *s.c
			return s, checkThen(s.e, func(a domain.Actor) error { return domain.CanCreateContract(a, c) }, func() tea.Cmd {
				return push(newContractForm(s.e, nil, &c))
			})
		}
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
