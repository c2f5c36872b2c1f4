package domain

import (
	"context"
	"time"
)

// ErrDuplicate is returned by a repository when a unique value (email,
// company name, employee number, one event per contract) is already taken.
// Services turn it into a ValidationError on the field.
var ErrDuplicate = &duplicateError{}

type duplicateError struct{}

func (*duplicateError) Error() string        { return "already exists" }
func (*duplicateError) Is(target error) bool { return target == ErrConflict }

// Store is everything the domain needs from persistence. Repositories
// return ErrNotFound, ErrDuplicate, ErrConflict (stale version or a
// conditional update that matched nothing) or ErrUnavailable, wrapped with
// %w; never a driver error.
type Store interface {
	// Tx runs fn in one transaction: every repository reached through tx
	// uses it. fn's error rolls back. On SQLite writers are serialized so a
	// concurrent writer waits instead of failing.
	Tx(ctx context.Context, fn func(tx Store) error) error
	Users() UserRepo
	Companies() CompanyRepo
	Clients() ClientRepo
	Contracts() ContractRepo
	Events() EventRepo
	Audit() AuditRepo
	Perms() PermRepo
	Tokens() TokenRepo
	Logins() LoginRepo
	Notifications() NotificationRepo
	// Dialect is "sqlite" or "postgres"; Describe is a DSN-free description
	// for the status line (e.g. "sqlite ~/.local/share/epic-events/epic.db").
	Dialect() string
	Describe() string
}

// ListQuery selects one page of a list. Services validate Filter and Sort
// against the resource's allow-list and fill ActorID and Now.
type ListQuery struct {
	Search string // case-insensitive substring over names, emails, company
	Filter string // one of the resource's Filter* constants ("" = all)
	Sort   string // one of the resource's Sort* constants ("" = default)
	Desc   bool
	After  string // cursor returned with the previous page; "" = first page
	// Before is a page's Prev cursor: the rows just before that page, still
	// in list order. At most one of After, Before and Last is set.
	Before string
	// Last asks for the last page of the list (its final rows, in list
	// order): the list read from its other end.
	Last  bool
	Limit int // 1..500, default 50
	// Count asks for Page.Total as well: exact up to a few thousand rows,
	// an estimate beyond (Page.Exact says which).
	Count bool

	CompanyID *int64     // clients, contracts, events: only this company
	ClientID  *int64     // contracts, events: only this client
	From, To  *time.Time // events: start within [From, To)
	Role      Role       // users: only this role ("" = all)
	Entity    string     // audit: only this entity kind ("" = all)
	EntityID  int64      // audit: only this record (with Entity)

	ActorID int64     // set by the service for "mine" filters
	Now     time.Time // set by the service for upcoming/past
}

// Page is one page of a list. Next is the cursor of the following page, ""
// when this is the last one; Prev the cursor of the rows before this page,
// "" when it is the first one.
type Page[T any] struct {
	Items []T
	Next  string
	Prev  string
	// Total is the number of rows of the whole list (filter and search
	// applied), when the query asked for Count; Exact is false when it is
	// an estimate (large lists).
	Total int64
	Exact bool
}

// List filters. Which ones a resource accepts is in ListFilters.
const (
	FilterAll        = ""
	FilterMine       = "mine"       // clients & contracts: I am the sales contact; events: I am the support contact (support) or the client's sales contact (sales)
	FilterUnsigned   = "unsigned"   // contracts: draft
	FilterUnpaid     = "unpaid"     // contracts: remaining > 0
	FilterUpcoming   = "upcoming"   // events: start >= now
	FilterPast       = "past"       // events: start < now
	FilterUnassigned = "unassigned" // events: no support contact
	FilterActive     = "active"     // users
	FilterInactive   = "inactive"   // users
)

// Sort keys. Keyset pagination orders by (key, id).
const (
	SortName     = "name"      // clients, users, events
	SortCreated  = "created"   // clients, contracts, events
	SortUpdated  = "updated"   // clients
	SortTotal    = "total"     // contracts
	SortRemain   = "remaining" // contracts
	SortStart    = "start"     // events
	SortEmployee = "employee"  // users
	SortAt       = "at"        // audit
)

// ListFilters and ListSorts are the allow-lists per resource; the first
// sort is the default.
var (
	ListFilters = map[string][]string{
		"client":   {FilterAll, FilterMine},
		"contract": {FilterAll, FilterUnsigned, FilterUnpaid, FilterMine},
		"event":    {FilterAll, FilterUpcoming, FilterPast, FilterUnassigned, FilterMine},
		"user":     {FilterAll, FilterActive, FilterInactive},
		"audit":    {FilterAll},
	}
	ListSorts = map[string][]string{
		"client":   {SortName, SortCreated, SortUpdated},
		"contract": {SortCreated, SortTotal, SortRemain},
		"event":    {SortStart, SortName, SortCreated},
		"user":     {SortName, SortEmployee},
		"audit":    {SortAt},
	}
)

// ActorState is what every service call re-reads about the acting user.
type ActorState struct {
	ID         int64
	Name       string
	Email      string
	Role       Role
	Active     bool
	ValidAfter time.Time // tokens issued before this are refused (password change, role change, deactivation)
}

// UserRepo stores collaborators.
type UserRepo interface {
	Get(ctx context.Context, id int64) (User, error)
	GetByEmail(ctx context.Context, email string) (User, error) // case-insensitive
	State(ctx context.Context, id int64) (ActorState, error)
	Count(ctx context.Context) (int, error)
	// Create sets ID, CreatedAt, UpdatedAt, Version=1 and EmployeeNo when empty.
	Create(ctx context.Context, u *User, byID *int64) error
	// Update saves every field but the password when u.Version still matches
	// (else ErrConflict), then bumps u.Version and UpdatedAt.
	Update(ctx context.Context, u *User, byID int64) error
	SetPassword(ctx context.Context, id int64, hash string) error
	// InvalidateSessions sets ValidAfter to at.
	InvalidateSessions(ctx context.Context, id int64, at time.Time) error
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, q ListQuery) (Page[User], error)
	CountActiveManagers(ctx context.Context) (int, error)
	CountClients(ctx context.Context, salesID int64) (int, error)
	CountFutureEvents(ctx context.Context, supportID int64, now time.Time) (int, error)
	// Candidates lists active users of role with UpcomingEvents (support) or
	// ClientCount (sales) filled, by name.
	Candidates(ctx context.Context, role Role, now time.Time) ([]User, error)
}

// CompanyRepo stores companies.
type CompanyRepo interface {
	Get(ctx context.Context, id int64) (Company, error)
	GetByName(ctx context.Context, name string) (Company, error) // case-insensitive
	Create(ctx context.Context, c *Company) error
	Rename(ctx context.Context, id int64, name string) error
	Search(ctx context.Context, text string, limit int) ([]Company, error)
}

// ClientRepo stores clients; reads join company and sales contact names.
type ClientRepo interface {
	Get(ctx context.Context, id int64) (Client, error)
	GetByEmail(ctx context.Context, email string) (Client, error)
	Create(ctx context.Context, c *Client, byID int64) error
	Update(ctx context.Context, c *Client, byID int64) error // optimistic, like UserRepo.Update
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, q ListQuery) (Page[Client], error)
}

// ContractRepo stores contracts and their payments.
type ContractRepo interface {
	Get(ctx context.Context, id int64) (Contract, error)
	Create(ctx context.Context, c *Contract, byID int64) error
	Update(ctx context.Context, c *Contract, byID int64) error // optimistic
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, q ListQuery) (Page[Contract], error)
	CountSigned(ctx context.Context, clientID int64) (int, error)
	// Pay inserts p and lowers the remaining amount with one conditional
	// UPDATE (remaining >= amount); ErrConflict when it would go below zero.
	// Bumps the contract's version.
	Pay(ctx context.Context, p *Payment, byID int64) error
	Payments(ctx context.Context, contractID int64) ([]Payment, error)
	Stats(ctx context.Context, q StatsQuery) (Stats, error)
}

// StatsQuery scopes the dashboard figures: nil IDs mean everyone.
type StatsQuery struct {
	SalesID    *int64
	SupportID  *int64
	Now        time.Time
	MonthStart time.Time
}

// Stats are the dashboard figures.
type Stats struct {
	Clients          int   // clients (of SalesID)
	DraftContracts   int   // draft contracts (of SalesID's clients)
	OutstandingCents int64 // sum of remaining on signed contracts (of SalesID's clients)
	UnpaidCents      int64 // sum of remaining on all contracts (of SalesID's clients)
	SignedThisMonth  int   // contracts signed since MonthStart
	UnassignedEvents int   // upcoming events without support
	UpcomingEvents   int   // upcoming events (of SupportID)
}

// EventRepo stores events; reads join contract, client and support names.
type EventRepo interface {
	Get(ctx context.Context, id int64) (Event, error)
	GetByContract(ctx context.Context, contractID int64) (Event, error)
	Create(ctx context.Context, e *Event, byID int64) error // ErrDuplicate if the contract has one
	Update(ctx context.Context, e *Event, byID int64) error // optimistic
	Delete(ctx context.Context, id int64) error
	List(ctx context.Context, q ListQuery) (Page[Event], error)
}

// AuditRepo appends to and reads the audit log.
type AuditRepo interface {
	Add(ctx context.Context, e *AuditEntry) error
	List(ctx context.Context, q ListQuery) (Page[AuditEntry], error) // newest first
}

// PermRepo stores the permission codes granted to each role.
type PermRepo interface {
	All(ctx context.Context) ([]Permission, error)
	ForRole(ctx context.Context, r Role) ([]string, error)
	Grant(ctx context.Context, r Role, code string) error  // ErrNotFound for an unknown code; bumps Version
	Revoke(ctx context.Context, r Role, code string) error // bumps Version
	// Version changes on every grant or revoke, in any process.
	Version(ctx context.Context) (int64, error)
}

// TokenRepo stores refresh tokens (their SHA-256 only).
type TokenRepo interface {
	Create(ctx context.Context, t RefreshToken) error
	Get(ctx context.Context, hash string) (RefreshToken, error)
	// Rotate marks oldHash rotated and stores next, only if oldHash is
	// neither rotated, revoked nor expired at now (one conditional UPDATE);
	// ErrConflict otherwise, so of two concurrent rotations exactly one wins.
	Rotate(ctx context.Context, oldHash string, next RefreshToken, now time.Time) error
	// RevokeFamily and RevokeUser revoke every live token of a family or
	// of a user, keeping why (one of the End* codes).
	RevokeFamily(ctx context.Context, familyID string, at time.Time, why string) error
	RevokeUser(ctx context.Context, userID int64, at time.Time, why string) error
	// Family reads the state of a refresh family from its newest token:
	// revoked (and why), and when it expires. ErrNotFound when it has none.
	Family(ctx context.Context, familyID string) (FamilyState, error)
}

// FamilyState is where a refresh-token family (one login's session) stands.
type FamilyState struct {
	RevokedAt *time.Time
	Why       string // End* code of the revocation
	ExpiresAt time.Time
}

// LoginRepo keeps failed-login counts per account (lower-cased email, known
// or not, so an unknown email behaves like a known one).
type LoginRepo interface {
	Get(ctx context.Context, email string) (LoginState, error) // zero state if none
	Fail(ctx context.Context, email string, at time.Time) (LoginState, error)
	Reset(ctx context.Context, email string) error
}

// TokenIssuer signs and checks access tokens and makes refresh tokens
// (implemented by auth.KeyRing).
type TokenIssuer interface {
	// IssueAccess signs a 15-minute access token for the user, naming the
	// refresh family (the session) it belongs to.
	IssueAccess(userID int64, role Role, family string, now time.Time) (string, error)
	// VerifyAccess checks signature, algorithm, issuer, audience and expiry.
	// An expired but otherwise valid token returns ErrTokenExpired.
	VerifyAccess(token string, now time.Time) (AccessClaims, error)
	// NewRefresh returns a random opaque token and its hex SHA-256.
	NewRefresh() (token, hash string, err error)
	// HashRefresh returns the hex SHA-256 of a refresh token.
	HashRefresh(token string) string
}

// ErrTokenExpired is returned by VerifyAccess for a token past its exp.
var ErrTokenExpired = &tokenExpired{}

type tokenExpired struct{}

func (*tokenExpired) Error() string        { return "session expired" }
func (*tokenExpired) Is(target error) bool { return target == ErrUnauthenticated }

// AccessClaims are the verified claims of an access token.
type AccessClaims struct {
	UserID   int64
	Role     Role
	IssuedAt time.Time
	Expires  time.Time
	ID       string // jti
	Family   string // sid: the refresh family; "" in tokens issued before it was named
}

// PasswordHasher hashes and checks passwords (implemented by auth).
type PasswordHasher interface {
	Hash(password string) (string, error)
	// Verify compares in constant time; rehash is true when the stored
	// parameters are below the current ones.
	Verify(password, phc string) (ok, rehash bool, err error)
	// Burn spends the time of one Verify, for unknown emails.
	Burn(password string)
	// Check applies the password policy; returns a *ValidationError on
	// field "password".
	Check(password, email string) error
}
