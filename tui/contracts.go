package tui

import (
	"strconv"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// contractsScreen is the contracts list: S signs, p records a payment,
// v creates the event of a signed contract.
type contractsScreen struct {
	listScreen[domain.Contract]
	sign, pay, evt key.Binding
}

func contractRow(e *env, c domain.Contract) []string {
	signed := ""
	if c.SignedAt != nil {
		signed = e.fmtTime(*c.SignedAt)
	}
	return []string{
		strconv.FormatInt(c.ID, 10), c.ClientName, c.CompanyName, c.SalesContactName,
		domain.FormatMoney(c.TotalCents), domain.FormatMoney(c.RemainingCents), string(c.Status), signed,
	}
}

// contractFilters: "mine" only means something to sales.
func contractFilters(r domain.Role) []string {
	var out []string
	for _, f := range domain.ListFilters["contract"] {
		if f == domain.FilterMine && r != domain.RoleSales {
			continue
		}
		out = append(out, f)
	}
	return out
}

func newContractsScreen(e *env) Screen {
	s := &contractsScreen{listScreen: listScreen[domain.Contract]{e: e}}
	s.list = newListModel(e, listSpec[domain.Contract]{
		resource: "contract",
		title:    "Contracts",
		columns: []column{
			{title: "#", min: 2, right: true, prio: 2},
			{title: "Client", min: 12, max: 32, grow: 3},
			{title: "Company", min: 10, max: 28, grow: 2, prio: 3},
			{title: "Sales contact", min: 10, max: 24, grow: 2, prio: 4},
			{title: "Total", min: 10, max: 16, right: true},
			{title: "Remaining", min: 10, max: 16, right: true, prio: 1},
			{title: "Status", min: 6},
			{title: "Signed", min: 16, prio: 5},
		},
		row:  contractRow,
		id:   func(c domain.Contract) int64 { return c.ID },
		open: func(e *env, id int64) tea.Cmd { return push(newContractDetail(e, id)) },
		load: func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[domain.Contract], error) {
			ctx, cancel := callCtx()
			defer cancel()
			return svc.Contracts.List(ctx, sess, q)
		},
		filters: contractFilters,
	})
	s.sign = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sign"))
	s.pay = key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "payment"))
	s.evt = key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "create event"))
	return s
}

// canCreateContracts: the actor may create contracts for some client.
func canCreateContracts(a domain.Actor) bool {
	return a.Has("contract:create:any") || a.Has("contract:create:own_client")
}

// KeyMap implements Screen.
func (s *contractsScreen) KeyMap() help.KeyMap {
	// An event created for the contract does not change the contract's
	// version, but it takes `v` away: it is part of the key map's key.
	version := func(c domain.Contract) int64 {
		if c.EventID != nil {
			return -c.Version
		}
		return c.Version
	}
	return s.keyMap(version, func(c domain.Contract, ok bool) keyMap {
		a := s.e.actor
		k := &s.list.keys
		actions := []key.Binding{k.Open}
		if canCreateContracts(a) {
			actions = append(actions, k.New)
		}
		if !ok {
			return listKeyMap(k, actions, k.Open, k.New, k.Edit, s.sign, s.pay, s.evt, k.Delete)
		}
		if domain.CanUpdateContract(a, c) == nil {
			actions = append(actions, k.Edit)
		}
		if c.Status == domain.ContractDraft && domain.CanSignContract(a, c) == nil {
			actions = append(actions, s.sign)
		}
		if c.RemainingCents > 0 && domain.CanPay(a, c) == nil {
			actions = append(actions, s.pay)
		}
		if c.Status == domain.ContractSigned && c.EventID == nil && domain.CanCreateEvent(a, c) == nil {
			actions = append(actions, s.evt)
		}
		if c.Status == domain.ContractDraft && domain.CanDeleteContract(a, c) == nil {
			actions = append(actions, k.Delete)
		}
		return listKeyMap(k, actions, k.Open, k.New, k.Edit, s.sign, s.pay, s.evt, k.Delete)
	})
}

type contractSignedMsg struct {
	c   domain.Contract
	err error
}

type contractDeletedMsg struct {
	id  int64
	err error
}

// Update implements Screen.
func (s *contractsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, ok := s.takeKey(msg, s.key); ok {
		return s, cmd
	}
	switch msg := msg.(type) {
	case confirmedMsg:
		c, ok := s.find(msg.id)
		switch {
		case !ok:
			return s, nil
		case msg.tag == "sign contract":
			return s, s.signContract(c)
		case msg.tag == "delete contract":
			return s, s.deleteContract(c.ID)
		}
	case contractSignedMsg:
		if msg.err != nil {
			return s, reportError("sign contract", msg.err)
		}
		s.list.replace(msg.c, s.list.query().Filter == domain.FilterUnsigned)
		return s, info("contract #" + strconv.FormatInt(msg.c.ID, 10) + " signed")
	case contractDeletedMsg:
		if msg.err != nil {
			return s, reportError("delete contract", msg.err)
		}
		return s, tea.Batch(info("contract deleted"), s.list.Reload(0))
	case savedMsg:
		s.kmCache.reset()
		if msg.kind == "event" {
			return s, s.list.Reload(0)
		}
		return s, s.list.Reload(msg.id)
	}
	cmd, _ := s.list.Update(msg)
	return s, cmd
}

func (s *contractsScreen) key(k keyString) (tea.Cmd, bool) {
	keys := &s.list.keys
	if key.Matches(k, keys.New) {
		// No client yet (it is chosen in the form): the domain decides on
		// the grant alone, and the save decides again on the client.
		return ask(s.e, s, "new contract", domain.ActContractCreate, 0, func() tea.Cmd {
			return push(newContractForm(s.e, nil, nil))
		}), true
	}
	c, ok := s.list.Selected()
	id := "#" + strconv.FormatInt(c.ID, 10)
	switch {
	case !ok:
		return nil, false
	case key.Matches(k, keys.Open):
		return push(newContractDetail(s.e, c.ID)), true
	case key.Matches(k, keys.Edit):
		return ask(s.e, s, "edit contract", domain.ActContractUpdate, c.ID, func() tea.Cmd {
			return push(newContractForm(s.e, &c, nil))
		}), true
	case key.Matches(k, s.sign):
		return ask(s.e, s, "sign contract", domain.ActContractSign, c.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Sign contract "+id+" with "+domain.StripControl(c.ClientName)+
				" for "+domain.FormatMoney(c.TotalCents)+"? A signed contract cannot go back to draft.", "sign contract", c.ID))
		}), true
	case key.Matches(k, s.pay):
		return ask(s.e, s, "record payment", domain.ActPaymentCreate, c.ID, func() tea.Cmd {
			return push(newPaymentForm(s.e, c))
		}), true
	case key.Matches(k, s.evt):
		return ask(s.e, s, "new event", domain.ActEventCreate, c.ID, func() tea.Cmd {
			return push(newEventForm(s.e, nil, &c))
		}), true
	case key.Matches(k, keys.Delete):
		return ask(s.e, s, "delete contract", domain.ActContractDelete, c.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Delete contract "+id+"?", "delete contract", c.ID))
		}), true
	}
	return nil, false
}

func (s *contractsScreen) signContract(c domain.Contract) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		got, err := svc.Contracts.Sign(ctx, sess, c.ID, c.Version)
		return contractSignedMsg{c: got, err: err}
	}
}

func (s *contractsScreen) deleteContract(id int64) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		return contractDeletedMsg{id: id, err: svc.Contracts.Delete(ctx, sess, id)}
	}
}
