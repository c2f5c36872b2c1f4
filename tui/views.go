package tui

import "github.com/epic-events/crm/domain"

// viewDef is one main view reachable with tab and the number keys.
type viewDef struct {
	key   string // "1".."7": the number key that jumps to it
	title string
	// reads is the resource the view lists ("" for views every logged-in
	// user has): the view follows its read permission, and a number key
	// pressed for a view one may not open names that permission.
	reads string
	// build makes the screen.
	build func(e *env) Screen
}

// allowed says whether the actor sees the view at all.
func (v viewDef) allowed(a domain.Actor) bool {
	return v.reads == "" || domain.CanRead(a, v.reads) == nil
}

// refusal is the status line when the view's key is pressed by someone
// who may not open it.
func (v viewDef) refusal() string {
	return v.title + " is not open to you: it needs the " + v.reads + ":read:any permission, which a manager can grant"
}

// registerViews lists the main views in their fixed order. The number key
// stays attached to the view (Team is always 5) even when earlier ones are
// hidden. Team is for everyone who may read collaborators (SPEC §3:
// everyone may); its keys that change them follow their own permissions.
func registerViews() []viewDef {
	return []viewDef{
		{"1", "Dashboard", "", newDashboardScreen},
		{"2", "Clients", "", newClientsScreen},
		{"3", "Contracts", "", newContractsScreen},
		{"4", "Events", "", newEventsScreen},
		{"5", "Team", "user", newTeamScreen},
		{"6", "Roles", "role", newRolesScreen},
		{"7", "Audit", "audit", newAuditScreen},
	}
}
