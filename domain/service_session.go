package domain

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// SessionService logs users in and out and answers who is acting.
type SessionService struct{ c *core }

// Login throttling: from the throttleAfter-th failure, each next attempt
// waits twice as long as the previous one, from one second up to
// throttleMax since the last failure. The lock is never permanent.
const (
	throttleAfter = 5
	throttleMax   = 15 * time.Minute
)

// throttleWait is how long after its last failure an account may try again.
func throttleWait(failures int) time.Duration {
	if failures < throttleAfter {
		return 0
	}
	n := failures - throttleAfter
	if n >= 10 { // 2^10 s > 15 min
		return throttleMax
	}
	return min(time.Second<<n, throttleMax)
}

var errSetupDone = fmt.Errorf("setup is already done, log in instead: %w", ErrForbidden)

// NeedsSetup reports whether no user exists yet.
func (s *SessionService) NeedsSetup(ctx context.Context) (bool, error) {
	n, err := s.c.store.Users().Count(ctx)
	if err != nil {
		return false, wrap("check setup", err)
	}
	return n == 0, nil
}

// Setup creates the first manager; refused once any user exists.
func (s *SessionService) Setup(ctx context.Context, in UserInput, password string) (User, error) {
	c := s.c
	if needs, err := s.NeedsSetup(ctx); err != nil {
		return User{}, err
	} else if !needs {
		return User{}, errSetupDone
	}
	in.Role = RoleManagement
	u, f := validateUser(in)
	if err := c.hasher.Check(password, u.Email); err != nil {
		mergeValidation(f, err)
	}
	if err := f.err(); err != nil {
		return User{}, err
	}
	hash, err := c.hasher.Hash(password)
	if err != nil {
		return User{}, fmt.Errorf("setup: %w", err)
	}
	u.PasswordHash = hash
	u.Active = true
	err = c.store.Tx(ctx, func(tx Store) error {
		n, err := tx.Users().Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return errSetupDone
		}
		if err := tx.Users().Create(ctx, &u, nil); err != nil {
			return userDupErr(err, u)
		}
		return c.audit(ctx, tx, nil, ActUserCreate, "user", u.ID, userLabel(u), userChanges(User{}, u))
	})
	if err != nil {
		return User{}, wrap("setup", err)
	}
	c.emit("user.create", u.ID)
	u.PasswordHash = ""
	return u, nil
}

// Login checks the password and opens a session. Every failure answers
// ErrWrongCredentials, after the same work, whether the email is known or
// not; too many failures answer a *ThrottledError with the wait.
func (s *SessionService) Login(ctx context.Context, email, password string) (*Session, error) {
	c := s.c
	now := c.now()
	// The throttling key and the audit keep what was typed, made safe:
	// valid UTF-8, no control characters (PostgreSQL refuses NUL), at
	// most 254 characters.
	key := strings.ToLower(strings.TrimSpace(StripControl(email)))
	if norm, err := NormalizeEmail(email); err == nil {
		key = norm
	}
	if r := []rune(key); len(r) > 254 {
		key = string(r[:254])
	}
	if err := c.addressThrottled(ctx, now); err != nil {
		return nil, err
	}
	st, err := c.store.Logins().Get(ctx, key)
	if err != nil {
		return nil, wrap("login", err)
	}
	if wait := throttleWait(st.Failures); wait > 0 {
		if left := st.LastFailure.Add(wait).Sub(now); left > 0 {
			return nil, &ThrottledError{Wait: left}
		}
	}
	u, err := c.store.Users().GetByEmail(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
		c.hasher.Burn(password)
		return nil, s.failed(ctx, key, nil, now)
	case err != nil:
		return nil, wrap("login", err)
	}
	ok, rehash, err := c.hasher.Verify(password, u.PasswordHash)
	if err != nil {
		c.log.Error("verify password", "user", u.ID, "err", err)
		ok = false
	}
	if !ok || !u.Active {
		return nil, s.failed(ctx, key, &u, now)
	}
	if rehash {
		if h, err := c.hasher.Hash(password); err == nil {
			if err := c.store.Users().SetPassword(ctx, u.ID, h); err != nil {
				c.log.Error("rehash password", "user", u.ID, "err", err)
			}
		}
	}
	if err := c.store.Logins().Reset(ctx, key); err != nil {
		return nil, wrap("login", err)
	}
	sess := &Session{}
	if err := c.startFamily(ctx, sess, u.ID, u.Role, now); err != nil {
		return nil, err
	}
	a := Actor{ID: u.ID, Name: u.FullName}
	if err := c.store.Tx(ctx, func(tx Store) error {
		return c.audit(ctx, tx, &a, "user.login", "user", u.ID, userLabel(u), nil)
	}); err != nil {
		return nil, wrap("login", err)
	}
	c.forget(u.ID)
	return sess, nil
}

// failed counts a failed login and audits it with the email tried (never
// the password).
func (s *SessionService) failed(ctx context.Context, key string, u *User, now time.Time) error {
	c := s.c
	if _, err := c.store.Logins().Fail(ctx, key, now); err != nil {
		return wrap("login", err)
	}
	if err := c.addressFailed(ctx, now); err != nil {
		return err
	}
	e := AuditEntry{At: now, ActorName: key, Action: "user.login_failed", Entity: "user"}
	if u != nil {
		e.EntityID = u.ID
	}
	if err := c.store.Tx(ctx, func(tx Store) error { return tx.Audit().Add(ctx, &e) }); err != nil {
		c.log.Error("audit failed login", "err", err)
	}
	return ErrWrongCredentials
}

// startFamily opens a new refresh-token family for userID and fills sess.
func (c *core) startFamily(ctx context.Context, sess *Session, userID int64, role Role, now time.Time) error {
	family, err := randomID()
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	token, hash, err := c.tokens.NewRefresh()
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	rt := RefreshToken{Hash: hash, FamilyID: family, UserID: userID, IssuedAt: now, ExpiresAt: now.Add(RefreshLifetime)}
	if err := c.store.Tokens().Create(ctx, rt); err != nil {
		return wrap("login", err)
	}
	access, err := c.tokens.IssueAccess(userID, role, family, now)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	sess.mu.Lock()
	sess.access, sess.refresh, sess.userID = access, token, userID
	sess.mu.Unlock()
	return nil
}

// Resume reopens a session from stored tokens (the session file). An
// access token that is expired or no longer verifiable (rotated secret) is
// replaced using the refresh token — so the caller must save
// sess.Tokens() again afterwards: the stored refresh token may now be a
// rotated one, and presenting it later would count as a replay.
func (s *SessionService) Resume(ctx context.Context, access, refresh string) (*Session, error) {
	sess := &Session{access: access, refresh: refresh}
	sess.mu.Lock()
	claims, _, err := s.c.verifyLocked(ctx, sess, true)
	sess.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if _, err := s.c.actorFor(ctx, claims); err != nil {
		return nil, err
	}
	return sess, nil
}

// Logout revokes the session's refresh family. It works whatever state the
// access token is in.
func (s *SessionService) Logout(ctx context.Context, sess *Session) error {
	if sess == nil {
		return nil
	}
	c := s.c
	sess.mu.Lock()
	refresh := sess.refresh
	sess.access, sess.refresh = "", ""
	sess.mu.Unlock()
	if refresh == "" {
		return nil
	}
	now := c.now()
	rt, err := c.store.Tokens().Get(ctx, c.tokens.HashRefresh(refresh))
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return wrap("log out", err)
	}
	if rt.RevokedAt != nil {
		// Already ended (elsewhere, or by reuse detection): the old
		// tokens write nothing, not even a logout.
		return nil
	}
	c.forgetFamily(rt.FamilyID)
	if err := c.store.Tokens().RevokeFamily(ctx, rt.FamilyID, now, EndLogout); err != nil {
		return wrap("log out", err)
	}
	uid := rt.UserID
	if err := c.store.Tx(ctx, func(tx Store) error {
		return tx.Audit().Add(ctx, &AuditEntry{At: now, ActorID: &uid, Action: "user.logout", Entity: "user", EntityID: uid})
	}); err != nil {
		c.log.Error("audit logout", "err", err)
	}
	return nil
}

// Actor answers who is acting, with their current permissions (the UI
// hides keys with the Can* functions).
func (s *SessionService) Actor(ctx context.Context, sess *Session) (Actor, error) {
	return s.c.actor(ctx, sess)
}
