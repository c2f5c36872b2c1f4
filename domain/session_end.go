package domain

import (
	"context"
	"errors"
	"time"
)

// Why a session ended: stored with the revoked refresh family, so every
// process can say it.
const (
	EndLogout          = "logout"
	EndReuse           = "reuse"
	EndRoleChanged     = "role_changed"
	EndDeactivated     = "deactivated"
	EndPasswordChanged = "password_changed"
	EndPasswordReset   = "password_reset"
	EndDeleted         = "deleted"
	EndExpired         = "expired"
)

// endReasons are the one-line reasons a user reads on the login screen.
var endReasons = map[string]string{
	EndLogout:          "you logged out of this session",
	EndReuse:           "this session was ended: its refresh token was used twice",
	EndRoleChanged:     "your role changed",
	EndDeactivated:     "your account was deactivated",
	EndPasswordChanged: "your password was changed",
	EndPasswordReset:   "your password was reset by a manager",
	EndDeleted:         "your account was removed",
	EndExpired:         "this session expired: sessions last 7 days",
}

// SessionEndedError answers a call whose session is over, with why.
// errors.Is(err, ErrUnauthenticated) and errors.Is(err, ErrSessionEnded)
// are true.
type SessionEndedError struct {
	Why string // one of the End* codes; "" when unknown
}

// Reason is the one-line reason for the login screen ("" when unknown).
func (e *SessionEndedError) Reason() string { return endReasons[e.Why] }

func (e *SessionEndedError) Error() string {
	if r := e.Reason(); r != "" {
		return "your session has ended (" + r + "): log in again"
	}
	return "your session has ended: log in again"
}

// Is makes errors.Is(err, ErrUnauthenticated) and errors.Is(err,
// ErrSessionEnded) true.
func (e *SessionEndedError) Is(target error) bool {
	return target == ErrUnauthenticated || target == ErrSessionEnded
}

// ErrSessionEnded answers a call whose session is no longer valid (logged
// out, expired, revoked, role changed or deactivated). A
// *SessionEndedError carries why; test with errors.Is.
var ErrSessionEnded error = &SessionEndedError{}

// ended is a SessionEndedError for why.
func ended(why string) error { return &SessionEndedError{Why: why} }

// EndedReason is the one-line reason a session ended, for the login
// screen: "" when err is not an ended session or the reason is unknown.
func EndedReason(err error) string {
	var e *SessionEndedError
	if errors.As(err, &e) {
		return e.Reason()
	}
	return ""
}

// maxCachedFamilies bounds the family cache before stale entries are swept.
const maxCachedFamilies = 4096

type familyEntry struct {
	st FamilyState
	at time.Time // monotonic, for the TTL
}

// familyLive checks through the database (cached for ttl, like the user's
// state) that the refresh family an access token names is still live:
// logout, reuse detection and the revocations of deactivation, role or
// password change end every access token of the session in every process.
func (c *core) familyLive(ctx context.Context, family string) error {
	var (
		st FamilyState
		ok bool
	)
	if c.ttl > 0 {
		c.famMu.Lock()
		e, hit := c.families[family]
		c.famMu.Unlock()
		if hit && time.Since(e.at) < c.ttl {
			st, ok = e.st, true
		}
	}
	if !ok {
		var err error
		st, err = c.store.Tokens().Family(ctx, family)
		if errors.Is(err, ErrNotFound) {
			// The token is ours (signed), so its family existed: its rows
			// went with the collaborator they belonged to.
			return ended(EndDeleted)
		}
		if err != nil {
			return c.authStoreErr("check session", err)
		}
		if c.ttl > 0 {
			now := time.Now()
			c.famMu.Lock()
			if len(c.families) >= maxCachedFamilies {
				// A long-running serve sees many sessions come and go:
				// keep only what is still fresh.
				for f, e := range c.families {
					if now.Sub(e.at) >= c.ttl {
						delete(c.families, f)
					}
				}
			}
			c.families[family] = familyEntry{st: st, at: now}
			c.famMu.Unlock()
		}
	}
	if st.RevokedAt != nil {
		return ended(st.Why)
	}
	if !c.now().Before(st.ExpiresAt) {
		return ended(EndExpired)
	}
	return nil
}

// forgetFamily drops a family's cached state after a change made here.
func (c *core) forgetFamily(family string) {
	c.famMu.Lock()
	delete(c.families, family)
	c.famMu.Unlock()
}
