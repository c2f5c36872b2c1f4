package tui

import (
	"slices"
	"strconv"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// clientsScreen is the clients list.
type clientsScreen struct {
	listScreen[domain.Client]
}

func clientRow(e *env, c domain.Client) []string {
	return []string{
		strconv.FormatInt(c.ID, 10), c.FullName, c.CompanyName, c.Email, c.Phone,
		c.SalesContactName, e.fmtTime(c.UpdatedAt),
	}
}

// clientFilters: "mine" only means something to sales.
func clientFilters(r domain.Role) []string {
	if r == domain.RoleSales {
		return domain.ListFilters["client"]
	}
	return []string{domain.FilterAll}
}

func newClientsScreen(e *env) Screen {
	s := &clientsScreen{listScreen: listScreen[domain.Client]{e: e}}
	s.list = newListModel(e, listSpec[domain.Client]{
		resource: "client",
		title:    "Clients",
		columns: []column{
			{title: "#", min: 2, right: true, prio: 2},
			{title: "Name", min: 12, max: 32, grow: 3},
			{title: "Company", min: 10, max: 28, grow: 2, prio: 3},
			{title: "Email", min: 14, max: 40, grow: 2, prio: 1},
			{title: "Phone", min: 10, max: 20, prio: 5},
			{title: "Sales contact", min: 10, max: 24, grow: 1, prio: 4},
			{title: "Last contact", min: 16, prio: 6},
		},
		row:  clientRow,
		id:   func(c domain.Client) int64 { return c.ID },
		open: func(e *env, id int64) tea.Cmd { return push(newClientDetail(e, id)) },
		load: func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[domain.Client], error) {
			ctx, cancel := callCtx()
			defer cancel()
			return svc.Clients.List(ctx, sess, q)
		},
		filters: clientFilters,
	})
	return s
}

// KeyMap implements Screen.
func (s *clientsScreen) KeyMap() help.KeyMap {
	return s.keyMap(func(c domain.Client) int64 { return c.Version }, func(c domain.Client, ok bool) keyMap {
		k := &s.list.keys
		actions := []key.Binding{k.Open}
		if domain.CanCreateClient(s.e.actor) == nil {
			actions = append(actions, k.New)
		}
		if ok && domain.CanUpdateClient(s.e.actor, c) == nil {
			actions = append(actions, k.Edit)
		}
		if ok && domain.CanDeleteClient(s.e.actor, c) == nil {
			actions = append(actions, k.Delete)
		}
		return listKeyMap(k, actions, k.Open, k.New, k.Edit, k.Delete)
	})
}

type clientDeletedMsg struct {
	id  int64
	err error
}

// Update implements Screen.
func (s *clientsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, ok := s.takeKey(msg, s.key); ok {
		return s, cmd
	}
	switch msg := msg.(type) {
	case confirmedMsg:
		if msg.tag == "delete client" {
			return s, s.deleteClient(msg.id)
		}
	case clientDeletedMsg:
		if msg.err != nil {
			return s, reportError("delete client", msg.err)
		}
		return s, tea.Batch(info("client deleted"), s.list.Reload(0))
	case savedMsg:
		s.kmCache.reset()
		return s, s.list.Reload(msg.id)
	}
	cmd, _ := s.list.Update(msg)
	return s, cmd
}

func (s *clientsScreen) key(k keyString) (tea.Cmd, bool) {
	keys := &s.list.keys
	if key.Matches(k, keys.New) {
		return ask(s.e, s, "new client", domain.ActClientCreate, 0, func() tea.Cmd {
			return push(newClientForm(s.e, nil))
		}), true
	}
	c, ok := s.list.Selected()
	switch {
	case !ok:
		return nil, false
	case key.Matches(k, keys.Open):
		return push(newClientDetail(s.e, c.ID)), true
	case key.Matches(k, keys.Edit):
		return ask(s.e, s, "edit client", domain.ActClientUpdate, c.ID, func() tea.Cmd {
			return push(newClientForm(s.e, &c))
		}), true
	case key.Matches(k, keys.Delete):
		return ask(s.e, s, "delete client", domain.ActClientDelete, c.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Delete the client "+domain.StripControl(c.FullName)+"?", "delete client", c.ID))
		}), true
	}
	return nil, false
}

func (s *clientsScreen) deleteClient(id int64) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		return clientDeletedMsg{id: id, err: svc.Clients.Delete(ctx, sess, id)}
	}
}

// searchKeyMap is the help while a search field has the keys.
var searchKeyMap = keyMap{short: []key.Binding{
	key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "done")),
	key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
}}

// listKeyMap arranges a list's keys: movement, the allowed actions, then
// search/filter/sort/reload.
// The short help puts the actions first and the movement keys last: the
// help bar drops hints from the end when narrow. The full help (`?`) also
// lists the keys of the screen the actor may not use here (accepted but
// not in actions), marked as such: pressed, they say why not.
func listKeyMap(k *listKeys, actions []key.Binding, accepted ...key.Binding) keyMap {
	lists := []key.Binding{k.Search, k.Filter, k.Sort, k.Reload}
	short := append(slices.Clip(actions), lists...)
	short = append(short, k.Up, k.Down)
	full := [][]key.Binding{k.navigation(), actions, lists}
	var refused []key.Binding
	for _, b := range accepted {
		if !slices.ContainsFunc(actions, func(a key.Binding) bool { return a.Help().Key == b.Help().Key }) {
			refused = append(refused, key.NewBinding(key.WithKeys(b.Keys()...),
				key.WithHelp(b.Help().Key, b.Help().Desc+" (not for you here: says why)")))
		}
	}
	if len(refused) > 0 {
		full = append(full, refused)
	}
	return keyMap{short: short, full: full}
}
