package domain

import "context"

// SessionService logs users in and out and answers who is acting.
type SessionService struct{ c *core }

// NeedsSetup reports whether no user exists yet.
func (s *SessionService) NeedsSetup(ctx context.Context) (bool, error) { return false, errPending }

// Setup creates the first manager; refused once any user exists.
func (s *SessionService) Setup(ctx context.Context, in UserInput, password string) (User, error) {
	return User{}, errPending
}

// Login checks the password and opens a session.
func (s *SessionService) Login(ctx context.Context, email, password string) (*Session, error) {
	return nil, errPending
}

// Resume reopens a session from stored tokens.
func (s *SessionService) Resume(ctx context.Context, access, refresh string) (*Session, error) {
	return nil, errPending
}

// Logout revokes the session's refresh family.
func (s *SessionService) Logout(ctx context.Context, sess *Session) error { return errPending }

// Actor answers who is acting, with their current permissions.
func (s *SessionService) Actor(ctx context.Context, sess *Session) (Actor, error) {
	return s.c.actor(ctx, sess)
}
