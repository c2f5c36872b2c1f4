package domain

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
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
	// calls of one process: 0 = one second, negative = not cached. Changes
	// made through these services drop the cached entry at once.
	StateTTL time.Duration
	// Feed carries the changes committed by any process (live screens);
	// nil = none.
	Feed ChangeFeed
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
	Live      *LiveService
	Inbox     *InboxService
}

// RefreshLifetime is the absolute lifetime of a refresh-token family,
// counted from the login that started it.
const RefreshLifetime = 7 * 24 * time.Hour

// reuseGrace is how long after a rotation the old refresh token is refused
// without revoking its family: a concurrent refresh, not a replay.
const reuseGrace = 10 * time.Second

// core is the state every service shares: collaborators and caches.
type core struct {
	store  Store
	tokens TokenIssuer
	hasher PasswordHasher
	clock  func() time.Time
	log    *slog.Logger
	notify func(action string, entityID int64)
	ttl    time.Duration
	feed   ChangeFeed

	// Permission codes per role, valid for permVersion only: every call
	// re-reads the version, so a grant or revoke made by any process is
	// seen at the next action.
	permMu      sync.Mutex
	permVersion int64
	permCodes   map[Role][]string

	stateMu sync.Mutex
	states  map[int64]stateEntry

	famMu    sync.Mutex
	families map[string]familyEntry
}

type stateEntry struct {
	st ActorState
	at time.Time // monotonic, for the TTL
}

// New wires the services.
func New(cfg Config) *Services {
	c := &core{
		store:     cfg.Store,
		tokens:    cfg.Tokens,
		hasher:    cfg.Hasher,
		clock:     cfg.Now,
		log:       cfg.Log,
		notify:    cfg.Notify,
		ttl:       cfg.StateTTL,
		feed:      cfg.Feed,
		permCodes: map[Role][]string{},
		states:    map[int64]stateEntry{},
		families:  map[string]familyEntry{},
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if c.ttl == 0 {
		c.ttl = time.Second
	}
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
		Live:      &LiveService{c: c},
		Inbox:     &InboxService{c: c},
	}
}

// Session is what a logged-in UI holds. Safe for concurrent use: a
// transparent refresh happens once even when several calls find the access
// token expired at the same time.
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

// UserID is the logged-in user's id (0 before the first check of a resumed
// session).
func (s *Session) UserID() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userID
}

// authError is an ErrUnauthenticated with its own sentence.
type authError struct{ msg string }

func (e *authError) Error() string        { return e.msg }
func (e *authError) Is(target error) bool { return target == ErrUnauthenticated }

// ErrWrongCredentials is the one answer to a failed login, whatever failed
// (unknown email, wrong password, deactivated account), so a login attempt
// reveals nothing. errors.Is(err, ErrUnauthenticated) is true.
var ErrWrongCredentials error = &authError{"wrong email or password"}

func (c *core) now() time.Time { return c.clock().UTC() }

// actor resolves who is acting: verifies the access token (refreshing it
// when expired), re-reads the user's state and the permissions of their
// role.
func (c *core) actor(ctx context.Context, s *Session) (Actor, error) {
	if s == nil {
		return Actor{}, ErrSessionEnded
	}
	s.mu.Lock()
	claims, rotated, err := c.verifyLocked(ctx, s, false)
	access, refresh, onRotate := s.access, s.refresh, s.onRotate
	s.mu.Unlock()
	if err != nil {
		return Actor{}, err
	}
	if rotated && onRotate != nil {
		onRotate(access, refresh)
	}
	return c.actorFor(ctx, claims)
}

// verifyLocked checks s's access token; when it has expired (or, with
// anyErr, is unusable for any reason) it rotates the refresh token and
// issues a new access token. s.mu must be held.
func (c *core) verifyLocked(ctx context.Context, s *Session, anyErr bool) (AccessClaims, bool, error) {
	now := c.now()
	claims, err := c.tokens.VerifyAccess(s.access, now)
	if err == nil && claims.Family == "" {
		// Issued before tokens named their session: renew it.
		err = ErrTokenExpired
	}
	if err == nil {
		if s.userID == 0 {
			s.userID = claims.UserID
		}
		if claims.UserID != s.userID {
			return AccessClaims{}, false, ErrSessionEnded
		}
		return claims, false, nil
	}
	if !errors.Is(err, ErrTokenExpired) && !anyErr {
		return AccessClaims{}, false, ErrSessionEnded
	}
	claims, err = c.refreshLocked(ctx, s, now)
	if err != nil {
		return AccessClaims{}, false, err
	}
	return claims, true, nil
}

// refreshLocked rotates s's refresh token. A token presented after it was
// rotated or revoked is a replay: the whole family is revoked.
func (c *core) refreshLocked(ctx context.Context, s *Session, now time.Time) (AccessClaims, error) {
	if s.refresh == "" {
		return AccessClaims{}, ErrSessionEnded
	}
	hash := c.tokens.HashRefresh(s.refresh)
	old, err := c.store.Tokens().Get(ctx, hash)
	if err != nil {
		return AccessClaims{}, c.authStoreErr("refresh session", err)
	}
	if old.RevokedAt != nil {
		return AccessClaims{}, ended(old.Why)
	}
	if old.RotatedAt != nil {
		// Presented again after its rotation: a replay, so the whole
		// family goes — unless the rotation is seconds old, which is
		// another process of the same user refreshing at the same moment
		// (that one keeps the session, this one logs in again).
		if now.Sub(*old.RotatedAt) > reuseGrace {
			c.revokeReplay(ctx, old, now)
			return AccessClaims{}, ended(EndReuse)
		}
		return AccessClaims{}, ErrSessionEnded
	}
	if !now.Before(old.ExpiresAt) {
		return AccessClaims{}, ended(EndExpired)
	}
	if s.userID != 0 && old.UserID != s.userID {
		return AccessClaims{}, ErrSessionEnded
	}
	st, err := c.store.Users().State(ctx, old.UserID)
	if err != nil {
		return AccessClaims{}, c.authStoreErr("refresh session", err)
	}
	if !st.Active {
		return AccessClaims{}, ended(EndDeactivated)
	}
	token, newHash, err := c.tokens.NewRefresh()
	if err != nil {
		return AccessClaims{}, fmt.Errorf("refresh session: %w", err)
	}
	next := RefreshToken{Hash: newHash, FamilyID: old.FamilyID, UserID: old.UserID, IssuedAt: now, ExpiresAt: old.ExpiresAt}
	if err := c.store.Tokens().Rotate(ctx, hash, next, now); err != nil {
		if errors.Is(err, ErrConflict) {
			// Another process rotated the same token between our read and
			// our update (the app opened twice on one session file): that
			// one wins and keeps its session; this one must log in again.
			// A token presented after its rotation is caught above.
			return AccessClaims{}, ErrSessionEnded
		}
		return AccessClaims{}, c.authStoreErr("refresh session", err)
	}
	access, err := c.tokens.IssueAccess(old.UserID, st.Role, old.FamilyID, now)
	if err != nil {
		return AccessClaims{}, fmt.Errorf("refresh session: %w", err)
	}
	s.access, s.refresh, s.userID = access, token, old.UserID
	c.forget(old.UserID)
	return AccessClaims{UserID: old.UserID, Role: st.Role, IssuedAt: now, Expires: now.Add(15 * time.Minute), Family: old.FamilyID}, nil
}

func (c *core) revokeReplay(ctx context.Context, t RefreshToken, now time.Time) {
	c.forgetFamily(t.FamilyID)
	if err := c.store.Tokens().RevokeFamily(ctx, t.FamilyID, now, EndReuse); err != nil {
		c.log.Error("revoke replayed refresh family", "user", t.UserID, "err", err)
		return
	}
	c.log.Warn("refresh token reused: family revoked", "user", t.UserID)
	err := c.store.Tx(ctx, func(tx Store) error {
		uid := t.UserID
		return c.audit(ctx, tx, &Actor{ID: uid}, "session.reuse_detected", "user", uid, "", nil)
	})
	if err != nil {
		c.log.Error("audit refresh reuse", "err", err)
	}
}

// authStoreErr turns a repository error met while checking a session into
// ErrSessionEnded, except when the database is unreachable.
func (c *core) authStoreErr(op string, err error) error {
	if errors.Is(err, ErrUnavailable) {
		return fmt.Errorf("%s: %w", op, err)
	}
	if errors.Is(err, ErrNotFound) {
		return ErrSessionEnded
	}
	c.log.Error(op, "err", err)
	return ErrSessionEnded
}

// actorFor checks the verified claims against the user's current state and
// loads the permissions of their role.
func (c *core) actorFor(ctx context.Context, claims AccessClaims) (Actor, error) {
	if err := c.familyLive(ctx, claims.Family); err != nil {
		return Actor{}, err
	}
	st, err := c.state(ctx, claims.UserID)
	if err != nil {
		return Actor{}, c.authStoreErr("check session", err)
	}
	switch {
	case !st.Active:
		return Actor{}, ended(EndDeactivated)
	case st.Role != claims.Role:
		return Actor{}, ended(EndRoleChanged)
	// JWT iat has one-second precision: a token issued in the same second
	// as the invalidation (the new session after a password change) passes.
	case claims.IssuedAt.Before(st.ValidAfter.Truncate(time.Second)):
		// Its sessions were ended (password reset, …): the family, read
		// afresh, says why.
		c.forgetFamily(claims.Family)
		if err := c.familyLive(ctx, claims.Family); err != nil {
			return Actor{}, err
		}
		return Actor{}, ErrSessionEnded
	}
	codes, err := c.codes(ctx, st.Role)
	if err != nil {
		return Actor{}, err
	}
	return NewActor(st.ID, st.Name, st.Email, st.Role, codes), nil
}

// state reads a user's role, active flag and ValidAfter, cached for ttl.
func (c *core) state(ctx context.Context, id int64) (ActorState, error) {
	if c.ttl > 0 {
		c.stateMu.Lock()
		e, ok := c.states[id]
		c.stateMu.Unlock()
		if ok && time.Since(e.at) < c.ttl {
			return e.st, nil
		}
	}
	st, err := c.store.Users().State(ctx, id)
	if err != nil {
		return ActorState{}, err
	}
	if c.ttl > 0 {
		c.stateMu.Lock()
		c.states[id] = stateEntry{st: st, at: time.Now()}
		c.stateMu.Unlock()
	}
	return st, nil
}

// forget drops a user's cached state after a change made here.
func (c *core) forget(id int64) {
	c.stateMu.Lock()
	delete(c.states, id)
	c.stateMu.Unlock()
}

// codes returns the permission codes of role as stored now: the version is
// read on every call, the codes only when it moved.
func (c *core) codes(ctx context.Context, r Role) ([]string, error) {
	v, err := c.store.Perms().Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("load permissions: %w", err)
	}
	c.permMu.Lock()
	if v == c.permVersion {
		if codes, ok := c.permCodes[r]; ok {
			c.permMu.Unlock()
			return codes, nil
		}
	}
	c.permMu.Unlock()
	codes, err := c.store.Perms().ForRole(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("load permissions: %w", err)
	}
	c.permMu.Lock()
	// The version only grows: never let a slow reader put back an older
	// matrix over a newer one.
	if v > c.permVersion {
		c.permVersion = v
		c.permCodes = map[Role][]string{}
	}
	if v == c.permVersion {
		c.permCodes[r] = codes
	}
	c.permMu.Unlock()
	return codes, nil
}

// audit appends an entry through tx (the change's own transaction). label
// is what the audit search finds the record by.
func (c *core) audit(ctx context.Context, tx Store, a *Actor, action, entity string, id int64, label string, changes []Change) error {
	e := AuditEntry{At: c.now(), Action: action, Entity: entity, EntityID: id, Label: label, Changes: changes}
	if a != nil {
		aid := a.ID
		e.ActorID = &aid
		e.ActorName = a.Name
	}
	if err := tx.Audit().Add(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return c.inform(ctx, tx, a, e)
}

func (c *core) emit(action string, id int64) {
	if c.notify != nil {
		c.notify(action, id)
	}
}

// query checks a list query against the resource's allow-lists and fills
// what the service owns.
func (c *core) query(resource string, a Actor, q ListQuery) (ListQuery, error) {
	if !slices.Contains(ListFilters[resource], q.Filter) {
		return q, Invalid("filter", "choose one of the offered filters")
	}
	if q.Sort == "" {
		q.Sort = ListSorts[resource][0]
	}
	if !slices.Contains(ListSorts[resource], q.Sort) {
		return q, Invalid("sort", "choose one of the offered sort orders")
	}
	if n := btoi(q.After != "") + btoi(q.Before != "") + btoi(q.Last); n > 1 {
		return q, Invalid("page", "ask for one page: after a cursor, before a cursor or the last one")
	}
	switch {
	case q.Limit <= 0:
		q.Limit = 50
	case q.Limit > 500:
		q.Limit = 500
	}
	s, err := CleanText(q.Search, false)
	if err != nil {
		return q, Invalid("search", err.Error())
	}
	q.Search = s
	if q.Role != "" && !q.Role.Valid() {
		return q, Invalid("role", "choose a role: management, sales or support")
	}
	q.ActorID = a.ID
	q.Now = c.now()
	if resource == "event" && q.Filter == FilterMine {
		// "mine" depends on the department: support contact for support,
		// the client's sales contact for everyone else.
		q.Role = a.Role
	}
	return q, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// form collects per-field validation messages.
type form struct{ v ValidationError }

func (f *form) add(field, msg string) { f.v.Add(field, msg) }

func (f *form) err() error { return f.v.Err() }

// text cleans a single-line field; label names it in the "enter …" message
// of a required field.
func (f *form) text(field, s string, required bool, label string, maxLen int) string {
	return f.clean(field, s, required, label, maxLen, false)
}

// note cleans a multi-line field.
func (f *form) note(field, s string, maxLen int) string {
	return f.clean(field, s, false, "", maxLen, true)
}

func (f *form) clean(field, s string, required bool, label string, maxLen int, multi bool) string {
	out, err := CleanText(s, multi)
	switch {
	case err != nil:
		f.add(field, err.Error())
	case out == "" && required:
		f.add(field, "enter "+label)
	case len([]rune(out)) > maxLen:
		f.add(field, "use at most "+strconv.Itoa(maxLen)+" characters")
	}
	return out
}

func (f *form) email(field, s string) string {
	out, err := NormalizeEmail(s)
	if err != nil {
		f.add(field, err.Error())
	}
	return out
}

// phone checks an optional phone number.
func (f *form) phone(field, s string) string {
	if t, err := CleanText(s, false); err != nil {
		f.add(field, err.Error())
		return ""
	} else if t == "" {
		return ""
	}
	out, err := NormalizePhone(s)
	if err != nil {
		f.add(field, err.Error())
	}
	return out
}

// money checks an amount in cents.
func (f *form) money(field string, cents int64) {
	switch {
	case cents < 0:
		f.add(field, "enter an amount of zero or more")
	case cents > MaxCents:
		f.add(field, "enter an amount of at most "+FormatMoney(MaxCents))
	}
}

// changes lists the fields whose text differs.
type changes []Change

func (ch *changes) add(field, old, new string) {
	if old != new {
		*ch = append(*ch, Change{Field: field, Old: old, New: new})
	}
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func sameID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// randomID returns 128 random bits in hex (refresh-token family ids).
func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// conflict builds the "changed by NAME at TIME" error.
func conflict(by string, at time.Time) error { return &ConflictError{By: by, At: at} }

// wrap prefixes a repository error with the operation.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		v *ValidationError
		c *ConflictError
		r *Refusal
	)
	if errors.As(err, &v) || errors.As(err, &c) || errors.As(err, &r) || errors.Is(err, ErrNoChange) {
		return err
	}
	return fmt.Errorf("%s: %w", op, err)
}
