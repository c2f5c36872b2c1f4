package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
)

// process builds the services of another process on the same database;
// ttl < 0 turns the one-second caches off, so a test sees at once what
// every process sees within a second.
func (e *env) process(ttl time.Duration) *domain.Services {
	h, _ := sharedHasher(e.t)
	return domain.New(domain.Config{Store: e.db, Tokens: e.ring, Hasher: h, Now: e.clock.Now, StateTTL: ttl})
}

// wantEnded asserts err ends the session for why, with a reason to show.
func wantEnded(t *testing.T, err error, why, what string) {
	t.Helper()
	var se *domain.SessionEndedError
	if !errors.As(err, &se) || !errors.Is(err, domain.ErrUnauthenticated) || !errors.Is(err, domain.ErrSessionEnded) {
		t.Fatalf("%s: want an ended session (%s), got %v", what, why, err)
	}
	if se.Why != why || domain.EndedReason(err) == "" {
		t.Fatalf("%s: ended because %q (%q), want %q", what, se.Why, domain.EndedReason(err), why)
	}
}

// TestSessionEndsInEveryProcess: one session used by two processes (the
// app and a copy of its session file); whatever ends it in one ends every
// access token of it in the other at its next action, with the reason, and
// nothing is written with the old tokens.
func TestSessionEndsInEveryProcess(t *testing.T) {
	causes := []struct {
		why string
		end func(e *env, a *domain.Services, own *domain.Session, u domain.User)
	}{
		{domain.EndLogout, func(e *env, a *domain.Services, own *domain.Session, _ domain.User) {
			if err := a.Sessions.Logout(e.ctx, own); err != nil {
				e.t.Fatal(err)
			}
		}},
		{domain.EndDeactivated, func(e *env, a *domain.Services, _ *domain.Session, u domain.User) {
			if _, err := a.Users.SetActive(e.ctx, e.sessionOf(a, e.users["mgr"]), u.ID, u.Version, false); err != nil {
				e.t.Fatal(err)
			}
		}},
		{domain.EndRoleChanged, func(e *env, a *domain.Services, _ *domain.Session, u domain.User) {
			in := domain.UserInput{FullName: u.FullName, Email: u.Email, Role: domain.RoleSupport}
			if _, err := a.Users.Update(e.ctx, e.sessionOf(a, e.users["mgr"]), u.ID, u.Version, in); err != nil {
				e.t.Fatal(err)
			}
		}},
		{domain.EndPasswordReset, func(e *env, a *domain.Services, _ *domain.Session, u domain.User) {
			if err := a.Users.ResetPassword(e.ctx, e.sessionOf(a, e.users["mgr"]), u.ID, "ochre lantern swims past noon"); err != nil {
				e.t.Fatal(err)
			}
		}},
		{domain.EndDeleted, func(e *env, a *domain.Services, _ *domain.Session, u domain.User) {
			if err := a.Users.Delete(e.ctx, e.sessionOf(a, e.users["mgr"]), u.ID); err != nil {
				e.t.Fatal(err)
			}
		}},
		{domain.EndPasswordChanged, func(e *env, a *domain.Services, own *domain.Session, _ domain.User) {
			if err := a.Users.ChangePassword(e.ctx, own, testPassword, "amber kite juggles seven plums"); err != nil {
				e.t.Fatal(err)
			}
		}},
	}
	for _, c := range causes {
		t.Run(c.why, func(t *testing.T) {
			each(t, func(t *testing.T, e *env) {
				procA, procB := e.process(-1), e.process(-1)
				u := e.newUser("victim", domain.RoleSales)
				own, err := procA.Sessions.Login(e.ctx, u.Email, testPassword)
				if err != nil {
					t.Fatal(err)
				}
				access, refresh := own.Tokens()
				copied, err := procB.Sessions.Resume(e.ctx, access, refresh)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := procB.Clients.List(e.ctx, copied, domain.ListQuery{}); err != nil {
					t.Fatal(err)
				}
				c.end(e, procA, own, u)
				before := e.snapshot()
				in := domain.ClientInput{FullName: "Ghost Writer", Email: "ghost." + itoa(e.next()) + "@example.fr"}
				_, err = procB.Clients.Create(e.ctx, copied, in)
				wantEnded(t, err, c.why, "the other process's next action")
				_, err = procB.Sessions.Resume(e.ctx, access, refresh)
				wantEnded(t, err, c.why, "resuming the copied session file")
				if after := e.snapshot(); after != before {
					t.Fatal("the ended session wrote something")
				}
			})
		})
	}
}

// TestRefreshReuseEndsTheNewerSession: the session file copied before a
// rotation is replayed in a second process; the family is revoked, and the
// first process, holding the newer tokens, ends at its next action.
func TestRefreshReuseEndsTheNewerSession(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		procA, procB := e.process(-1), e.process(-1)
		u := e.users["sales"]
		own, err := procA.Sessions.Login(e.ctx, u.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		oldAccess, oldRefresh := own.Tokens()
		e.clock.Add(16 * time.Minute) // the access token expired: the next call rotates
		if _, err := procA.Dashboard.Get(e.ctx, own); err != nil {
			t.Fatal(err)
		}
		if _, r := own.Tokens(); r == oldRefresh {
			t.Fatal("the refresh token was not rotated")
		}
		e.clock.Add(time.Minute) // long after the rotation: a replay, not a race
		_, err = procB.Sessions.Resume(e.ctx, oldAccess, oldRefresh)
		wantEnded(t, err, domain.EndReuse, "replaying the rotated refresh token")
		before := e.snapshot()
		_, err = procA.Clients.Create(e.ctx, own, domain.ClientInput{FullName: "Ghost Writer", Email: "ghost@example.fr"})
		wantEnded(t, err, domain.EndReuse, "the newer session after the replay")
		if after := e.snapshot(); after != before {
			t.Fatal("the revoked session wrote something")
		}
		if got := e.auditActions(3); !contains(got, "session.reuse_detected") {
			t.Fatalf("reuse not audited: %v", got)
		}
	})
}

// TestEndedSessionSeenWithinASecond: with the one-second cache on, another
// process sees a logout at its first action a second later.
func TestEndedSessionSeenWithinASecond(t *testing.T) {
	each(t, func(t *testing.T, e *env) {
		procA, procB := e.process(0), e.process(0)
		u := e.users["support"]
		own, err := procA.Sessions.Login(e.ctx, u.Email, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		access, refresh := own.Tokens()
		copied, err := procB.Sessions.Resume(e.ctx, access, refresh)
		if err != nil {
			t.Fatal(err)
		}
		if err := procA.Sessions.Logout(e.ctx, own); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1100 * time.Millisecond)
		_, err = procB.Events.List(e.ctx, copied, domain.ListQuery{})
		wantEnded(t, err, domain.EndLogout, "a second after the logout")
	})
}
