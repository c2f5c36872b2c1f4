package domain

import (
	"strconv"
	"strings"
)

// Actions a user can take on a record, as the UI and the commands name
// them. Each is also the audit action of its success, and with ".denied"
// the audit action of its refusal. May takes the id of the record each one
// is about: the client for ActContractCreate, the contract for
// ActPaymentCreate and ActEventCreate, none (0) for the other creates and
// for role changes.
const (
	ActClientCreate   = "client.create"
	ActClientUpdate   = "client.update"
	ActClientReassign = "client.reassign"
	ActClientDelete   = "client.delete"

	ActContractCreate = "contract.create"
	ActContractUpdate = "contract.update"
	ActContractSign   = "contract.sign"
	ActContractDelete = "contract.delete"
	ActPaymentCreate  = "payment.create"

	ActEventCreate        = "event.create"
	ActEventUpdate        = "event.update"
	ActEventAssignSupport = "event.assign_support"
	ActEventDelete        = "event.delete"

	ActUserCreate        = "user.create"
	ActUserUpdate        = "user.update"
	ActUserDeactivate    = "user.deactivate"
	ActUserReactivate    = "user.reactivate"
	ActUserDelete        = "user.delete"
	ActUserResetPassword = "user.reset_password"

	ActRoleGrant  = "role.grant"
	ActRoleRevoke = "role.revoke"

	ActCompanyCreate = "company.create"
	ActCompanyUpdate = "company.update"
)

// Reason codes of a Refusal: stable words for the audit log and for tests,
// never shown as they are.
const (
	// ReasonNoPermission: the actor's department holds no grant for the action.
	ReasonNoPermission = "no_permission"
	// ReasonNotOwn: the grant covers only the actor's own clients.
	ReasonNotOwn = "not_own"
	// ReasonNotAssigned: the grant covers only the events the actor supports.
	ReasonNotAssigned = "not_assigned"
	// ReasonSelf: one cannot deactivate, delete or move oneself.
	ReasonSelf = "self"
	// ReasonLastManager: the last active manager must stay one.
	ReasonLastManager = "last_manager"
	// ReasonHasContacts: the collaborator still has clients or upcoming events.
	ReasonHasContacts = "has_contacts"
	// ReasonContractSigned: a signed contract cannot be deleted.
	ReasonContractSigned = "contract_signed"
	// ReasonContractHasEvent: the contract already has its event.
	ReasonContractHasEvent = "contract_has_event"
	// ReasonContractUnsigned: the contract must be signed first.
	ReasonContractUnsigned = "contract_unsigned"
	// ReasonAlreadySigned: the contract is signed already.
	ReasonAlreadySigned = "already_signed"
	// ReasonFullyPaid: nothing remains to be paid.
	ReasonFullyPaid = "fully_paid"
	// ReasonSignedContracts: a client with signed contracts stays.
	ReasonSignedContracts = "signed_contracts"
	// ReasonSignedTotal: only management changes a signed contract.
	ReasonSignedTotal = "signed_total"
	// ReasonKeepGrant: management always keeps role:grant:any.
	ReasonKeepGrant = "keep_grant"
)

// Refusal is an action the domain refused: which action, a stable reason
// code, and the sentence a user reads — why, and what to do instead.
// errors.Is(err, ErrForbidden) is true.
type Refusal struct {
	Action   string // e.g. ActClientUpdate
	Reason   string // one of the Reason* codes
	Sentence string // in the user's terms
}

func (r *Refusal) Error() string { return r.Sentence }

// Is makes errors.Is(err, ErrForbidden) true.
func (r *Refusal) Is(target error) bool { return target == ErrForbidden }

// actionWords says what an action does, for "only management may …".
var actionWords = map[string]string{
	ActClientCreate:       "create clients",
	ActClientUpdate:       "edit clients",
	ActClientReassign:     "change a client's sales contact",
	ActClientDelete:       "delete clients",
	ActContractCreate:     "create contracts",
	ActContractUpdate:     "edit contracts",
	ActContractSign:       "sign contracts",
	ActContractDelete:     "delete contracts",
	ActPaymentCreate:      "record payments",
	ActEventCreate:        "create events",
	ActEventUpdate:        "edit events",
	ActEventAssignSupport: "assign support to events",
	ActEventDelete:        "delete events",
	ActUserCreate:         "add collaborators",
	ActUserUpdate:         "edit collaborators",
	ActUserDeactivate:     "deactivate collaborators",
	ActUserReactivate:     "reactivate collaborators",
	ActUserDelete:         "delete collaborators",
	ActUserResetPassword:  "reset passwords",
	ActRoleGrant:          "grant permissions",
	ActRoleRevoke:         "revoke permissions",
	ActCompanyCreate:      "create companies",
	ActCompanyUpdate:      "rename companies",
	"client.read":         "see clients",
	"contract.read":       "see contracts",
	"event.read":          "see events",
	"company.read":        "see companies",
	"user.read":           "see collaborators",
	"role.read":           "see roles and permissions",
	"audit.read":          "read the audit log",
}

// ownWords says what a scoped grant allows, for "…: you may … only …".
var ownWords = map[string]string{
	ActClientUpdate:       "you may edit only your own clients",
	ActClientReassign:     "you may reassign only your own clients",
	ActClientDelete:       "you may delete only your own clients",
	ActContractCreate:     "you may create contracts only for your own clients",
	ActContractUpdate:     "you may edit only your own clients' contracts",
	ActContractSign:       "you may sign only your own clients' contracts",
	ActContractDelete:     "you may delete only your own clients' contracts",
	ActPaymentCreate:      "you may record payments only on your own clients' contracts",
	ActEventCreate:        "you may create events only for your own clients' contracts",
	ActEventUpdate:        "you may edit only your own clients' events",
	ActEventAssignSupport: "you may assign support only to your own clients' events",
	ActEventDelete:        "you may delete only your own clients' events",
}

// assignedWords is ownWords for grants scoped to the events one supports.
var assignedWords = map[string]string{
	ActEventUpdate:        "you may edit only the events you support",
	ActEventAssignSupport: "you may assign support only to the events you support",
	ActEventDelete:        "you may delete only the events you support",
}

func words(action string) string {
	if w, ok := actionWords[action]; ok {
		return w
	}
	return strings.ReplaceAll(strings.Replace(action, ".", " ", 1), "_", " ")
}

// departments joins roles for a sentence: "management and sales".
func departments(rs []Role) string {
	s := make([]string, len(rs))
	for i, r := range rs {
		s[i] = string(r)
	}
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// noPermission is the refusal of an action the actor's department holds
// no grant for; holders are the departments that do (nil when unknown).
func noPermission(a Actor, action string, holders []Role) *Refusal {
	w := words(action)
	var s string
	switch {
	case holders == nil:
		s = "your department (" + string(a.Role) + ") may not " + w
	case len(holders) == 0:
		s = "no department may " + w + " at the moment: a manager can grant it in Roles"
	default:
		s = "only " + departments(holders) + " may " + w
	}
	return &Refusal{Action: action, Reason: ReasonNoPermission, Sentence: s}
}

// possessive: "Sara Lopez's".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") {
		return name + "'"
	}
	return name + "'s"
}

// whoseClient says whose client this is, for a refusal.
func whoseClient(client, contact string) string {
	if client == "" {
		client = "this client"
	}
	switch contact {
	case "":
		return client + " has no sales contact"
	case "?":
		return client + " is not one of your clients"
	}
	return client + " is " + possessive(contact) + " client"
}

// permit is the permission decision of an action on a record (nil for
// creates and team actions): which grant the actor holds and whether its
// scope covers the record. It does no I/O and writes nothing.
func permit(a Actor, action string, rec any) *Refusal {
	resource, verb := grantOf(action)
	var (
		s            Scope
		client, whom string // the client and their sales contact, for not_own
		event, sup   string // the event and its support contact, for not_assigned
	)
	switch r := rec.(type) {
	case Client:
		s = ClientScope(a, r)
		client, whom = r.FullName, r.SalesContactName
	case Contract:
		s = ContractScope(a, r)
		client, whom = r.ClientName, r.SalesContactName
	case Event:
		s = EventScope(a, r)
		client, whom = r.ClientName, "?" // an event carries no contact's name
		event, sup = r.Name, r.SupportContactName
	}
	if a.Allowed(resource, verb, s) {
		return nil
	}
	base := resource + ":" + verb + ":"
	switch {
	case a.perms[base+ScopeOwn] || a.perms[base+ScopeOwnClient]:
		w := ownWords[action]
		if w == "" {
			w = "your grant covers only your own clients"
		}
		return &Refusal{Action: action, Reason: ReasonNotOwn, Sentence: whoseClient(client, whom) + ": " + w}
	case a.perms[base+ScopeAssigned]:
		if event == "" {
			event = "this event"
		}
		who := event + " has no support contact"
		if sup != "" {
			who = event + " is supported by " + sup
		}
		w := assignedWords[action]
		if w == "" {
			w = "your grant covers only the events you support"
		}
		return &Refusal{Action: action, Reason: ReasonNotAssigned, Sentence: who + ": " + w}
	}
	return noPermission(a, action, nil)
}

// grantOf names the permission an action needs: most need their own
// resource:verb, a few share one.
func grantOf(action string) (resource, verb string) {
	switch action {
	case ActUserReactivate:
		return "user", "deactivate"
	case ActUserResetPassword:
		return "user", "update"
	case ActRoleRevoke:
		return "role", "grant"
	}
	resource, verb, _ = strings.Cut(action, ".")
	return resource, verb
}

// contractLabel names a contract in a sentence: "contract #12 (Bruno Keller)".
func contractLabel(k Contract) string {
	s := "contract #" + itoa(k.ID)
	if k.ClientName != "" {
		s += " (" + k.ClientName + ")"
	}
	return s
}

// contractRule is the pure decision of an action on a contract: the grant,
// then the rules the contract's own state decides.
func contractRule(a Actor, action string, k Contract) *Refusal {
	if r := permit(a, action, k); r != nil {
		return r
	}
	name := contractLabel(k)
	signed := k.Status == ContractSigned
	switch action {
	case ActContractUpdate:
		if signed && a.Role != RoleManagement {
			return &Refusal{Action: action, Reason: ReasonSignedTotal,
				Sentence: "only management may change the total of a signed contract: ask a manager"}
		}
	case ActContractSign:
		if signed {
			return &Refusal{Action: action, Reason: ReasonAlreadySigned, Sentence: name + " is already signed"}
		}
	case ActContractDelete:
		if signed {
			return &Refusal{Action: action, Reason: ReasonContractSigned,
				Sentence: name + " is signed and stays on the record: only a draft can be deleted"}
		}
		if k.EventID != nil {
			return &Refusal{Action: action, Reason: ReasonContractHasEvent,
				Sentence: name + " has an event: delete the event first"}
		}
	case ActPaymentCreate:
		if k.ID != 0 && k.RemainingCents <= 0 {
			return &Refusal{Action: action, Reason: ReasonFullyPaid, Sentence: name + " is fully paid: nothing remains to record"}
		}
	case ActEventCreate:
		if k.ID != 0 && !signed {
			return &Refusal{Action: action, Reason: ReasonContractUnsigned,
				Sentence: name + " is not signed yet: sign it before creating its event"}
		}
		if k.EventID != nil {
			return &Refusal{Action: action, Reason: ReasonContractHasEvent, Sentence: name + " already has its event"}
		}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// refusalErr turns a *Refusal into an error that is nil when r is nil.
func refusalErr(r *Refusal) error {
	if r == nil {
		return nil
	}
	return r
}
