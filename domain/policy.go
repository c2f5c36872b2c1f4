package domain

// Permission scopes.
const (
	ScopeAny       = "any"
	ScopeOwn       = "own"        // the actor is the record's sales contact
	ScopeAssigned  = "assigned"   // the actor is the event's support contact
	ScopeOwnClient = "own_client" // the record's client is the actor's own
)

// PermissionCatalog lists every permission code with its description, in
// display order. Migrations seed the same codes.
var PermissionCatalog = []Permission{
	{"client:read:any", "read every client"},
	{"contract:read:any", "read every contract"},
	{"event:read:any", "read every event"},
	{"company:read:any", "read companies"},
	{"company:create:any", "create companies"},
	{"company:update:any", "rename companies"},
	{"client:create:any", "create clients (creator becomes sales contact)"},
	{"client:update:own", "edit own clients"},
	{"client:update:any", "edit every client"},
	{"client:reassign:any", "change a client's sales contact"},
	{"client:delete:any", "delete clients"},
	{"contract:create:any", "create contracts for any client"},
	{"contract:create:own_client", "create contracts for own clients"},
	{"contract:update:any", "edit every contract"},
	{"contract:update:own_client", "edit own clients' contracts"},
	{"contract:sign:any", "sign every contract"},
	{"contract:sign:own_client", "sign own clients' contracts"},
	{"contract:delete:any", "delete draft contracts"},
	{"payment:create:any", "record payments on every contract"},
	{"payment:create:own_client", "record payments on own clients' contracts"},
	{"event:create:any", "create events for any signed contract"},
	{"event:create:own_client", "create events for own clients' signed contracts"},
	{"event:update:any", "edit every event"},
	{"event:update:assigned", "edit events one supports"},
	{"event:assign_support:any", "assign support to events"},
	{"event:delete:any", "delete events"},
	{"user:read:any", "read collaborators"},
	{"user:create:any", "create collaborators"},
	{"user:update:any", "edit collaborators and their role"},
	{"user:deactivate:any", "deactivate and reactivate collaborators"},
	{"user:delete:any", "delete collaborators"},
	{"role:read:any", "read roles and permissions"},
	{"role:grant:any", "grant and revoke permissions"},
	{"audit:read:any", "read the audit log"},
}

// DefaultGrants is the seeded permission matrix (SPEC §3).
var DefaultGrants = map[Role][]string{
	RoleManagement: {
		"client:read:any", "contract:read:any", "event:read:any",
		"company:read:any", "company:create:any", "company:update:any",
		"client:update:any", "client:reassign:any", "client:delete:any",
		"contract:create:any", "contract:update:any", "contract:sign:any", "contract:delete:any",
		"payment:create:any",
		"event:assign_support:any", "event:update:any", "event:delete:any",
		"user:read:any", "user:create:any", "user:update:any", "user:deactivate:any", "user:delete:any",
		"role:read:any", "role:grant:any", "audit:read:any",
	},
	RoleSales: {
		"client:read:any", "contract:read:any", "event:read:any",
		"company:read:any", "company:create:any",
		"client:create:any", "client:update:own",
		"contract:update:own_client", "contract:sign:own_client",
		"payment:create:own_client",
		"event:create:own_client",
		"user:read:any",
	},
	RoleSupport: {
		"client:read:any", "contract:read:any", "event:read:any",
		"company:read:any",
		"event:update:assigned",
		"user:read:any",
	},
}

// Actor is the logged-in user an action is done by, with the permission
// codes of their role as currently stored.
type Actor struct {
	ID    int64
	Name  string
	Email string
	Role  Role
	perms map[string]bool
}

// NewActor builds an actor holding the given permission codes.
func NewActor(id int64, name, email string, role Role, codes []string) Actor {
	p := make(map[string]bool, len(codes))
	for _, c := range codes {
		p[c] = true
	}
	return Actor{ID: id, Name: name, Email: email, Role: role, perms: p}
}

// Has reports whether the actor holds exactly this code.
func (a Actor) Has(code string) bool { return a.perms[code] }

// Codes lists the actor's codes (for display).
func (a Actor) Codes() []string {
	out := make([]string, 0, len(a.perms))
	for c := range a.perms {
		out = append(out, c)
	}
	return out
}

// Scope says how the actor relates to a record.
type Scope struct {
	Own       bool // sales contact of the record
	Assigned  bool // support contact of the event
	OwnClient bool // the record's client is the actor's own
}

// Allowed reports whether a code resource:action:<scope> the actor holds
// covers a record related to them as s: deny by default.
func (a Actor) Allowed(resource, action string, s Scope) bool {
	base := resource + ":" + action + ":"
	switch {
	case a.perms[base+ScopeAny]:
		return true
	case s.Own && a.perms[base+ScopeOwn]:
		return true
	case s.Assigned && a.perms[base+ScopeAssigned]:
		return true
	case s.OwnClient && a.perms[base+ScopeOwnClient]:
		return true
	}
	return false
}

func isID(p *int64, id int64) bool { return p != nil && *p == id }

// ClientScope relates the actor to a client.
func ClientScope(a Actor, c Client) Scope {
	own := isID(c.SalesContactID, a.ID)
	return Scope{Own: own, OwnClient: own}
}

// ContractScope relates the actor to a contract (through its client).
func ContractScope(a Actor, c Contract) Scope {
	own := isID(c.SalesContactID, a.ID)
	return Scope{Own: own, OwnClient: own}
}

// EventScope relates the actor to an event.
func EventScope(a Actor, e Event) Scope {
	own := isID(e.SalesContactID, a.ID)
	return Scope{Own: own, OwnClient: own, Assigned: isID(e.SupportContactID, a.ID)}
}

// Permission rules: plain functions of (actor, record) with no I/O: the
// grant and the rules that need nothing but the record. The services decide
// through the same functions (plus the rules that need the database, see
// core.decide); the UI calls them only to hide a key, and asks May before
// it opens a form or a dialog. Each returns nil or a *Refusal.

// CanCreateClient: client:create.
func CanCreateClient(a Actor) error { return refusalErr(permit(a, ActClientCreate, nil)) }

// CanUpdateClient: client:update (any, or own).
func CanUpdateClient(a Actor, c Client) error { return refusalErr(permit(a, ActClientUpdate, c)) }

// CanReassignClient: client:reassign (change the sales contact).
func CanReassignClient(a Actor, c Client) error {
	return refusalErr(permit(a, ActClientReassign, c))
}

// CanDeleteClient: client:delete (whether it has signed contracts is
// checked by the service).
func CanDeleteClient(a Actor, c Client) error { return refusalErr(permit(a, ActClientDelete, c)) }

// CanCreateCompany: company:create.
func CanCreateCompany(a Actor) error { return refusalErr(permit(a, ActCompanyCreate, nil)) }

// CanUpdateCompany: company:update.
func CanUpdateCompany(a Actor) error { return refusalErr(permit(a, ActCompanyUpdate, nil)) }

// CanCreateContract: contract:create for this client.
func CanCreateContract(a Actor, c Client) error {
	return refusalErr(permit(a, ActContractCreate, c))
}

// CanUpdateContract: contract:update; once the contract is signed only
// management may change it (its total is all a contract form edits).
func CanUpdateContract(a Actor, c Contract) error {
	return refusalErr(contractRule(a, ActContractUpdate, c))
}

// CanSignContract: contract:sign, on a draft.
func CanSignContract(a Actor, c Contract) error {
	return refusalErr(contractRule(a, ActContractSign, c))
}

// CanDeleteContract: contract:delete, on a draft without event.
func CanDeleteContract(a Actor, c Contract) error {
	return refusalErr(contractRule(a, ActContractDelete, c))
}

// CanPay: payment:create on this contract, while something remains to pay.
func CanPay(a Actor, c Contract) error { return refusalErr(contractRule(a, ActPaymentCreate, c)) }

// CanCreateEvent: event:create for this contract, signed and without event.
func CanCreateEvent(a Actor, c Contract) error { return refusalErr(contractRule(a, ActEventCreate, c)) }

// CanUpdateEvent: event:update (any, or assigned).
func CanUpdateEvent(a Actor, e Event) error { return refusalErr(permit(a, ActEventUpdate, e)) }

// CanAssignSupport: event:assign_support.
func CanAssignSupport(a Actor, e Event) error {
	return refusalErr(permit(a, ActEventAssignSupport, e))
}

// CanDeleteEvent: event:delete.
func CanDeleteEvent(a Actor, e Event) error { return refusalErr(permit(a, ActEventDelete, e)) }

// CanReadUsers: user:read.
func CanReadUsers(a Actor) error { return CanRead(a, "user") }

// CanCreateUser: user:create.
func CanCreateUser(a Actor) error { return refusalErr(permit(a, ActUserCreate, nil)) }

// CanUpdateUser: user:update.
func CanUpdateUser(a Actor) error { return refusalErr(permit(a, ActUserUpdate, nil)) }

// CanDeactivateUser: user:deactivate (which also reactivates).
func CanDeactivateUser(a Actor) error { return refusalErr(permit(a, ActUserDeactivate, nil)) }

// CanDeleteUser: user:delete.
func CanDeleteUser(a Actor) error { return refusalErr(permit(a, ActUserDelete, nil)) }

// CanReadRoles: role:read.
func CanReadRoles(a Actor) error { return CanRead(a, "role") }

// CanGrant: role:grant (grant and revoke).
func CanGrant(a Actor) error { return refusalErr(permit(a, ActRoleGrant, nil)) }

// CanReadAudit: audit:read.
func CanReadAudit(a Actor) error { return CanRead(a, "audit") }

// CanRead: resource:read:any (client, contract, event, company, user,
// role, audit).
func CanRead(a Actor, resource string) error { return refusalErr(permit(a, resource+".read", nil)) }
