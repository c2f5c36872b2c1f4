package tui

import "github.com/epic-events/crm/domain"

// viewDef is one main view reachable with tab and the number keys.
type viewDef struct {
	key   string // "1".."7": the number key that jumps to it
	title string
	// allowed says whether the actor sees the view at all.
	allowed func(a domain.Actor) bool
	// build makes the screen.
	build func(e *env) Screen
}

// registerViews lists the main views in their fixed order. The number key
// stays attached to the view (Team is always 5) even when earlier ones are
// hidden.
func registerViews() []viewDef {
	all := func(domain.Actor) bool { return true }
	return []viewDef{
		{"1", "Dashboard", all, newDashboardScreen},
		{"2", "Clients", all, newClientsScreen},
		{"3", "Contracts", all, newContractsScreen},
		{"4", "Events", all, newEventsScreen},
		{"5", "Team", managesTeam, newTeamScreen},
		{"6", "Roles", func(a domain.Actor) bool { return domain.CanReadRoles(a) == nil }, newRolesScreen},
		{"7", "Audit", func(a domain.Actor) bool { return domain.CanReadAudit(a) == nil }, newAuditScreen},
	}
}

// managesTeam: the Team view is for whoever may change collaborators
// (everyone may read them, in pickers and names, but a list of colleagues
// with nothing to do on it is noise).
func managesTeam(a domain.Actor) bool {
	return domain.CanCreateUser(a) == nil || domain.CanUpdateUser(a) == nil ||
		domain.CanDeactivateUser(a) == nil || domain.CanDeleteUser(a) == nil
}
