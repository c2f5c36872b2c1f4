package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// viewDef is one main view reachable with tab and the number keys.
type viewDef struct {
	key   string // "1".."7": the number key that jumps to it
	title string
	// allowed says whether the actor sees the view at all.
	allowed func(a domain.Actor) bool
	// build makes the screen; nil = not part of this build (hidden).
	build func(e *env) Screen
}

// registerViews lists the main views in their fixed order. The number key
// stays attached to the view (Team is always 5) even when earlier ones are
// hidden. To add a view, give its builder in hooks below.
func registerViews() []viewDef {
	all := func(domain.Actor) bool { return true }
	return []viewDef{
		{"1", "Dashboard", all, newDashboardScreen},
		{"2", "Clients", all, newClientsScreen},
		{"3", "Contracts", all, newContractsScreen},
		{"4", "Events", all, newEventsScreen},
		{"5", "Team", managesTeam, hooks.Team},
		{"6", "Roles", func(a domain.Actor) bool { return domain.CanReadRoles(a) == nil }, hooks.Roles},
		{"7", "Audit", func(a domain.Actor) bool { return domain.CanReadAudit(a) == nil }, hooks.Audit},
	}
}

// managesTeam: the Team view is for whoever may change collaborators
// (everyone may read them, in pickers and names, but a list of colleagues
// with nothing to do on it is noise).
func managesTeam(a domain.Actor) bool {
	return domain.CanCreateUser(a) == nil || domain.CanUpdateUser(a) == nil ||
		domain.CanDeactivateUser(a) == nil || domain.CanDeleteUser(a) == nil
}

// hooks are the screens built in other files of this package (forms,
// details, team, roles, audit). Each such file fills its entry from an
// init function, e.g.
//
//	func init() { hooks.ClientForm = newClientForm }
//
// so that the lists here open them without knowing their code. A nil hook
// means that screen is not part of the build: its key says so in the
// status line instead of doing nothing.
var hooks struct {
	// Forms. A nil record means "create". They return savedMsg through
	// back(savedMsg{...}) once the service accepted the change.
	ClientForm   func(e *env, c *domain.Client) Screen
	ContractForm func(e *env, c *domain.Contract) Screen
	PaymentForm  func(e *env, c domain.Contract) Screen
	EventForm    func(e *env, ev *domain.Event, contract *domain.Contract) Screen

	// Details (with related records and history), by id.
	ClientDetail   func(e *env, id int64) Screen
	ContractDetail func(e *env, id int64) Screen
	EventDetail    func(e *env, id int64) Screen

	// Management views.
	Team  func(e *env) Screen
	Roles func(e *env) Screen
	Audit func(e *env) Screen
}

// open pushes the screen a hook builds, or says it is missing.
func open(what string, build func() Screen, ok bool) tea.Cmd {
	if !ok {
		return msgCmd(statusMsg{text: what + " is not available in this version", err: true})
	}
	return push(build())
}
