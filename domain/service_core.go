package domain

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Config wires the services to their collaborators. The clock is injectable
// for tests.
type Config struct {
	Store  Store
	Tokens TokenIssuer
	Hasher PasswordHasher
	Now    func() time.Time // nil = time.Now
	Log    *slog.Logger     // nil = discard
	// Notify is called (outside the transaction) after collaborator changes
	// and contract signatures, for Sentry breadcrumbs; may be nil.
	Notify func(action string, entityID int64)
	// StateTTL is how long a user's role/active state may be cached between
	// calls: 0 = one second, negative = not cached.
	StateTTL time.Duration
}

// Services groups one service per aggregate.
type Services struct {
	Sessions  *SessionService
	Users     *UserService
	Roles     *RoleService
	Companies *CompanyService
	Clients   *ClientService
	Contracts *ContractService
	Events    *EventService
	Audit     *AuditService
	Dashboard *DashboardService
}

// core is the state every service shares: collaborators and caches.
type core struct {
	cfg Config
}

// New wires the services.
func New(cfg Config) *Services {
	c := &core{cfg: cfg}
	return &Services{
		Sessions:  &SessionService{c: c},
		Users:     &UserService{c: c},
		Roles:     &RoleService{c: c},
		Companies: &CompanyService{c: c},
		Clients:   &ClientService{c: c},
		Contracts: &ContractService{c: c},
		Events:    &EventService{c: c},
		Audit:     &AuditService{c: c},
		Dashboard: &DashboardService{c: c},
	}
}

// Session is what a logged-in UI holds. Safe for concurrent use.
type Session struct {
	mu       sync.Mutex
	access   string
	refresh  string
	userID   int64
	onRotate func(access, refresh string)
}

// Tokens returns the current access and refresh tokens.
func (s *Session) Tokens() (access, refresh string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access, s.refresh
}

// SetOnRotate sets the function called with the new tokens after a
// transparent refresh (the local app rewrites its session file).
func (s *Session) SetOnRotate(fn func(access, refresh string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onRotate = fn
}

// UserID is the logged-in user's id.
func (s *Session) UserID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userID
}

var errPending = errors.New("domain: service not wired yet")

func (c *core) actor(ctx context.Context, s *Session) (Actor, error) {
	return Actor{}, errPending
}
