package tui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// teamScreen is the collaborators list, open to everyone who may read
// collaborators: f cycles all / active / inactive, / searches; with the
// permissions (management), n creates, e (or enter) edits, x deactivates
// or reactivates, d deletes, P resets a password.
type teamScreen struct {
	listScreen[domain.User]
	toggle, password key.Binding
}

type userChangedMsg struct {
	user    domain.User
	deleted int64 // id of a deleted collaborator
	text    string
	err     error
	op      string
}

func userRow(_ *env, u domain.User) []string {
	state := "active"
	if !u.Active {
		state = "inactive"
	}
	return []string{u.EmployeeNo, u.FullName, u.Email, u.Phone, string(u.Role), state}
}

func newTeamScreen(e *env) Screen {
	s := &teamScreen{listScreen: listScreen[domain.User]{e: e}}
	s.list = newListModel(e, listSpec[domain.User]{
		resource: "user",
		title:    "Team",
		columns: []column{
			{title: "Employee", min: 7, max: 12, prio: 4},
			{title: "Name", min: 12, max: 32, grow: 3},
			{title: "Email", min: 14, max: 40, grow: 3, prio: 2},
			{title: "Phone", min: 10, max: 20, prio: 5},
			{title: "Role", min: 10},
			{title: "State", min: 8, prio: 1},
		},
		row: userRow,
		id:  func(u domain.User) int64 { return u.ID },
		load: func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[domain.User], error) {
			ctx, cancel := callCtx()
			defer cancel()
			return svc.Users.List(ctx, sess, q)
		},
	})
	s.toggle = key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "deactivate/reactivate"))
	s.password = key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "reset password"))
	return s
}

// KeyMap implements Screen.
func (s *teamScreen) KeyMap() help.KeyMap {
	return s.keyMap(func(u domain.User) int64 { return u.Version }, func(u domain.User, ok bool) keyMap {
		a := s.e.actor
		k := &s.list.keys
		var actions []key.Binding
		if domain.CanCreateUser(a) == nil {
			actions = append(actions, k.New)
		}
		if !ok {
			return listKeyMap(k, actions, k.New, k.Edit, s.toggle, k.Delete, s.password)
		}
		if domain.CanUpdateUser(a) == nil {
			actions = append(actions, k.Edit)
		}
		if domain.CanDeactivateUser(a) == nil && u.ID != a.ID {
			actions = append(actions, s.toggle)
		}
		if domain.CanDeleteUser(a) == nil && u.ID != a.ID {
			actions = append(actions, k.Delete)
		}
		if domain.CanUpdateUser(a) == nil {
			actions = append(actions, s.password)
		}
		return listKeyMap(k, actions, k.New, k.Edit, s.toggle, k.Delete, s.password)
	})
}

// Update implements Screen.
func (s *teamScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if cmd, ok := s.takeKey(msg, s.key); ok {
		return s, cmd
	}
	switch msg := msg.(type) {
	case confirmedMsg:
		u, ok := s.find(msg.id)
		if !ok {
			return s, nil
		}
		switch msg.tag {
		case "toggle user":
			return s, s.setActive(u)
		case "delete user":
			return s, s.deleteUser(u)
		}
	case userChangedMsg:
		if msg.err != nil {
			return s, reportError(msg.op, msg.err)
		}
		s.kmCache.reset()
		if msg.deleted != 0 {
			return s, tea.Batch(info(msg.text), s.list.Reload(0))
		}
		f := s.list.query().Filter
		s.list.replace(msg.user, f == domain.FilterActive && !msg.user.Active || f == domain.FilterInactive && msg.user.Active)
		return s, info(msg.text)
	case focusMsg:
		if s.list.loading {
			// A savedMsg just started a reload that selects the saved
			// record; the list's own focus reload would select the old one.
			return s, nil
		}
	case savedMsg:
		s.kmCache.reset()
		if msg.kind == "password" {
			return s, nil
		}
		return s, s.list.Reload(msg.id)
	}
	cmd, _ := s.list.Update(msg)
	return s, cmd
}

func (s *teamScreen) key(k keyString) (tea.Cmd, bool) {
	keys := &s.list.keys
	if key.Matches(k, keys.New) {
		return ask(s.e, s, "new collaborator", domain.ActUserCreate, 0, func() tea.Cmd { return push(newUserForm(s.e, nil)) }), true
	}
	u, ok := s.list.Selected()
	name := domain.StripControl(u.FullName)
	switch {
	case !ok:
		return nil, false
	case key.Matches(k, keys.Open) && domain.CanUpdateUser(s.e.actor) != nil:
		// Everyone reads the team; enter edits only for who may.
		return nil, true
	case key.Matches(k, keys.Edit, keys.Open):
		return ask(s.e, s, "edit collaborator", domain.ActUserUpdate, u.ID, func() tea.Cmd { return push(newUserForm(s.e, &u)) }), true
	case key.Matches(k, s.password):
		return ask(s.e, s, "reset password", domain.ActUserResetPassword, u.ID, func() tea.Cmd { return push(newPasswordForm(s.e, u)) }), true
	case key.Matches(k, s.toggle):
		q, act := "Deactivate "+name+"? They are logged out at their next action and can no longer log in.", domain.ActUserDeactivate
		if !u.Active {
			q, act = "Reactivate "+name+"? They can log in again.", domain.ActUserReactivate
		}
		return ask(s.e, s, "change collaborator", act, u.ID, func() tea.Cmd { return push(newConfirm(s.e, q, "toggle user", u.ID)) }), true
	case key.Matches(k, keys.Delete):
		return ask(s.e, s, "delete collaborator", domain.ActUserDelete, u.ID, func() tea.Cmd {
			return push(newConfirm(s.e, "Delete "+name+" for good? Their history stays in the audit log. "+
				"A collaborator who still has clients or upcoming events must be deactivated instead.", "delete user", u.ID))
		}), true
	}
	return nil, false
}

func (s *teamScreen) setActive(u domain.User) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		got, err := svc.Users.SetActive(ctx, sess, u.ID, u.Version, !u.Active)
		text := domain.StripControl(got.FullName) + " reactivated"
		if !got.Active {
			text = domain.StripControl(got.FullName) + " deactivated"
		}
		return userChangedMsg{user: got, text: text, err: err, op: "change collaborator"}
	}
}

func (s *teamScreen) deleteUser(u domain.User) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		err := svc.Users.Delete(ctx, sess, u.ID)
		return userChangedMsg{deleted: u.ID, text: domain.StripControl(u.FullName) + " deleted", err: err, op: "delete collaborator"}
	}
}
