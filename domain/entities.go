package domain

import "time"

// Role is a collaborator's department.
type Role string

// The three departments.
const (
	RoleManagement Role = "management"
	RoleSales      Role = "sales"
	RoleSupport    Role = "support"
)

// Roles lists every role in display order.
var Roles = []Role{RoleManagement, RoleSales, RoleSupport}

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool {
	return r == RoleManagement || r == RoleSales || r == RoleSupport
}

// User is a collaborator of Epic Events.
type User struct {
	ID           int64
	EmployeeNo   string
	FullName     string
	Email        string
	Phone        string
	Role         Role
	Active       bool
	PasswordHash string // argon2id PHC string; never shown, logged or audited
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Version      int64
	UpdatedBy    string // name of the last editor, for conflict messages

	// Filled by list queries.
	UpcomingEvents int // future events they support
	ClientCount    int // clients they are the sales contact of
}

// Company is a client's employer.
type Company struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Client is a customer of Epic Events.
type Client struct {
	ID               int64
	FullName         string
	Email            string
	Phone            string
	CompanyID        *int64
	CompanyName      string // joined
	SalesContactID   *int64
	SalesContactName string    // joined
	CreatedAt        time.Time // first contact
	UpdatedAt        time.Time // last contact / update
	Version          int64
	UpdatedBy        string
}

// ContractStatus is draft or signed.
type ContractStatus string

// Contract statuses.
const (
	ContractDraft  ContractStatus = "draft"
	ContractSigned ContractStatus = "signed"
)

// Contract is an agreement with a client. Its sales contact is always the
// client's current one (joined, never stored apart).
type Contract struct {
	ID               int64
	ClientID         int64
	ClientName       string // joined
	CompanyName      string // joined
	SalesContactID   *int64 // joined from the client
	SalesContactName string // joined
	TotalCents       int64
	RemainingCents   int64
	Status           ContractStatus
	CreatedAt        time.Time
	SignedAt         *time.Time
	SignedByID       *int64
	SignedByName     string // joined
	EventID          *int64 // joined: its event, if any
	Version          int64
	UpdatedAt        time.Time
	UpdatedBy        string
}

// Payment is money received against a contract.
type Payment struct {
	ID             int64
	ContractID     int64
	AmountCents    int64
	PaidAt         time.Time
	Note           string
	RecordedByID   int64
	RecordedByName string // joined
}

// EventStatus is where an event stands.
type EventStatus string

// Event statuses, in the order support moves them along.
const (
	EventPlanned   EventStatus = "planned"
	EventConfirmed EventStatus = "confirmed"
	EventDone      EventStatus = "done"
	EventCancelled EventStatus = "cancelled"
)

// EventStatuses lists every status.
var EventStatuses = []EventStatus{EventPlanned, EventConfirmed, EventDone, EventCancelled}

// Event is the party, seminar or launch a signed contract pays for.
type Event struct {
	ID                 int64
	Name               string
	ContractID         int64
	ClientID           int64  // the contract's client (joined)
	ClientName         string // joined
	CompanyName        string // joined
	SalesContactID     *int64 // the client's sales contact (joined)
	Start              time.Time
	End                time.Time
	Location           string
	Attendees          int
	Notes              string
	Status             EventStatus
	SupportContactID   *int64
	SupportContactName string // joined
	CreatedAt          time.Time
	UpdatedAt          time.Time
	Version            int64
	UpdatedBy          string
}

// Change is one field's old and new value in an audit entry.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// AuditEntry records who did what. Written in the same transaction as the
// change it records; never updated or deleted.
type AuditEntry struct {
	ID        int64
	At        time.Time
	ActorID   *int64
	ActorName string // joined, or the email tried for a failed login
	Action    string // e.g. client.create, contract.sign, user.login_failed, client.update.denied
	Entity    string // client, contract, event, user, role, payment, session
	EntityID  int64
	Label     string // the record's names, emails, numbers at the time: what the search finds
	Changes   []Change
}

// Permission is a code resource:action:scope with its description.
type Permission struct {
	Code        string
	Description string
}

// LoginState is the throttling state of an account.
type LoginState struct {
	Failures    int
	LastFailure time.Time
}

// RefreshToken is the stored half of an opaque refresh token: only its
// SHA-256 is kept. Tokens issued by rotation share the family of the first.
type RefreshToken struct {
	Hash      string // hex SHA-256 of the token
	FamilyID  string
	UserID    int64
	IssuedAt  time.Time
	ExpiresAt time.Time // absolute: the family's first login + 7 days
	RotatedAt *time.Time
	RevokedAt *time.Time
	Why       string // End* code of the revocation
}
