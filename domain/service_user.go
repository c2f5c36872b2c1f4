package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// UserService manages collaborators (the team).
type UserService struct{ c *core }

// UserInput is the editable part of a collaborator.
type UserInput struct {
	EmployeeNo, FullName, Email, Phone string
	Role                               Role
}

// validateUser cleans a collaborator's input.
func validateUser(in UserInput) (User, *form) {
	f := &form{}
	u := User{
		EmployeeNo: f.text("employee_no", in.EmployeeNo, false, "", 32),
		FullName:   f.text("full_name", in.FullName, true, "the collaborator's full name", 200),
		Email:      f.email("email", in.Email),
		Phone:      f.phone("phone", in.Phone),
		Role:       in.Role,
	}
	if !in.Role.Valid() {
		f.add("role", "choose a role: management, sales or support")
	}
	return u, f
}

// mergeValidation adds the fields of a *ValidationError (from the password
// policy) to f; any other error goes on "password".
func mergeValidation(f *form, err error) {
	var v *ValidationError
	if errors.As(err, &v) {
		for k, m := range v.Fields {
			f.add(k, m)
		}
		return
	}
	f.add("password", err.Error())
}

// userDupErr turns ErrDuplicate on a collaborator into a field message.
func userDupErr(err error, u User) error {
	if !errors.Is(err, ErrDuplicate) {
		return err
	}
	if u.EmployeeNo != "" {
		return &ValidationError{Fields: map[string]string{
			"email":       "this email or employee number is already used by another collaborator",
			"employee_no": "this employee number or email is already used by another collaborator",
		}}
	}
	return Invalid("email", "a collaborator with this email already exists")
}

// userChanges lists what differs between two versions of a collaborator
// (never the password hash).
func userChanges(old, u User) []Change {
	var ch changes
	ch.add("employee_no", old.EmployeeNo, u.EmployeeNo)
	ch.add("full_name", old.FullName, u.FullName)
	ch.add("email", old.Email, u.Email)
	ch.add("phone", old.Phone, u.Phone)
	ch.add("role", string(old.Role), string(u.Role))
	if old.ID != 0 || u.ID != 0 {
		ch.add("active", activeText(old), activeText(u))
	}
	return ch
}

func activeText(u User) string {
	if u.ID == 0 && u.Email == "" {
		return ""
	}
	return strconv.FormatBool(u.Active)
}

// List returns one page of collaborators.
func (s *UserService) List(ctx context.Context, sess *Session, q ListQuery) (Page[User], error) {
	a, err := s.c.see(ctx, sess, "user", 0)
	if err != nil {
		return Page[User]{}, err
	}
	if q, err = s.c.query("user", a, q); err != nil {
		return Page[User]{}, err
	}
	p, err := s.c.store.Users().List(ctx, q)
	if err != nil {
		return Page[User]{}, wrap("list collaborators", err)
	}
	for i := range p.Items {
		p.Items[i].PasswordHash = ""
	}
	return p, nil
}

// Get returns one collaborator.
func (s *UserService) Get(ctx context.Context, sess *Session, id int64) (User, error) {
	if _, err := s.c.see(ctx, sess, "user", id); err != nil {
		return User{}, err
	}
	u, err := s.c.store.Users().Get(ctx, id)
	if err != nil {
		return User{}, wrap("get collaborator", err)
	}
	u.PasswordHash = ""
	return u, nil
}

// Create adds a collaborator with a password.
func (s *UserService) Create(ctx context.Context, sess *Session, in UserInput, password string) (User, error) {
	c := s.c
	var u User
	_, err := c.run(ctx, sess, op{action: ActUserCreate,
		prepare: func(Actor, subject) error {
			var f *form
			u, f = validateUser(in)
			if err := c.hasher.Check(password, u.Email); err != nil {
				mergeValidation(f, err)
			}
			if err := f.err(); err != nil {
				return err
			}
			hash, err := c.hasher.Hash(password)
			if err != nil {
				return fmt.Errorf("hash password: %w", err)
			}
			u.PasswordHash, u.Active = hash, true
			return nil
		},
		change: func(tx Store, a Actor, _ subject) error {
			if _, err := tx.Users().GetByEmail(ctx, u.Email); err == nil {
				return Invalid("email", "a collaborator with this email already exists")
			} else if !errors.Is(err, ErrNotFound) {
				return err
			}
			if err := tx.Users().Create(ctx, &u, &a.ID); err != nil {
				return userDupErr(err, u)
			}
			return c.audit(ctx, tx, &a, ActUserCreate, "user", u.ID, userLabel(u), userChanges(User{}, u))
		}})
	if err != nil {
		return User{}, wrap("create collaborator", err)
	}
	c.emit(ActUserCreate, u.ID)
	u.PasswordHash = ""
	return u, nil
}

// endSessions revokes every refresh token of a user, saying why, and
// refuses their access tokens issued before now: they are logged out at
// their next action, in every process.
func (c *core) endSessions(ctx context.Context, tx Store, id int64, why string) error {
	now := c.now()
	if err := tx.Tokens().RevokeUser(ctx, id, now, why); err != nil {
		return err
	}
	return tx.Users().InvalidateSessions(ctx, id, now)
}

// saveUser updates u, turning a stale save into a ConflictError.
func saveUser(ctx context.Context, tx Store, u *User, byID int64) error {
	err := tx.Users().Update(ctx, u, byID)
	if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
		if cur, gerr := tx.Users().Get(ctx, u.ID); gerr == nil {
			return conflict(cur.UpdatedBy, cur.UpdatedAt)
		}
	}
	return userDupErr(err, *u)
}

// Update edits a collaborator; a role change ends their sessions. A save
// that changes nothing answers ErrNoChange with the collaborator as stored.
func (s *UserService) Update(ctx context.Context, sess *Session, id, version int64, in UserInput) (User, error) {
	c := s.c
	var (
		nu  User
		out User
	)
	_, err := c.run(ctx, sess, op{action: ActUserUpdate, id: id, in: userIn{role: in.Role},
		prepare: func(Actor, subject) error {
			var f *form
			nu, f = validateUser(in)
			return f.err()
		},
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(User)
			if old.Version != version {
				return conflict(old.UpdatedBy, old.UpdatedAt)
			}
			u := old
			roleChanged := nu.Role != u.Role
			if roleChanged {
				if err := contactsKeepDepartment(ctx, tx, u, c.now()); err != nil {
					return err
				}
			}
			if nu.Email != u.Email {
				if other, err := tx.Users().GetByEmail(ctx, nu.Email); err == nil && other.ID != u.ID {
					return Invalid("email", "a collaborator with this email already exists")
				}
			}
			if nu.EmployeeNo != "" {
				u.EmployeeNo = nu.EmployeeNo
			}
			u.FullName, u.Email, u.Phone, u.Role = nu.FullName, nu.Email, nu.Phone, nu.Role
			if len(userChanges(old, u)) == 0 {
				out = old
				return ErrNoChange
			}
			if err := saveUser(ctx, tx, &u, a.ID); err != nil {
				return err
			}
			if roleChanged {
				if err := c.endSessions(ctx, tx, u.ID, EndRoleChanged); err != nil {
					return err
				}
			}
			out = u
			return c.audit(ctx, tx, &a, ActUserUpdate, "user", u.ID, userLabel(u), userChanges(old, u))
		}})
	out.PasswordHash = ""
	if err != nil {
		return out, wrap("update collaborator", err)
	}
	c.forget(id)
	c.emit(ActUserUpdate, id)
	return out, nil
}

// contactsKeepDepartment refuses moving a collaborator who is still a
// contact out of their department: a client's sales contact is in sales,
// an event's support contact in support.
func contactsKeepDepartment(ctx context.Context, tx Store, u User, now time.Time) error {
	switch u.Role {
	case RoleSales:
		n, err := tx.Users().CountClients(ctx, u.ID)
		if err != nil {
			return err
		}
		if n > 0 {
			return Invalid("role", u.FullName+" is the sales contact of "+plural(n, "client")+": reassign them first")
		}
	case RoleSupport:
		n, err := tx.Users().CountFutureEvents(ctx, u.ID, now)
		if err != nil {
			return err
		}
		if n > 0 {
			return Invalid("role", u.FullName+" is the support contact of "+plural(n, "upcoming event")+": assign someone else first")
		}
	}
	return nil
}

// SetActive deactivates or reactivates a collaborator. Deactivation ends
// their sessions at their next action. Asking for the state they are
// already in answers ErrNoChange.
func (s *UserService) SetActive(ctx context.Context, sess *Session, id, version int64, active bool) (User, error) {
	c := s.c
	action := ActUserReactivate
	if !active {
		action = ActUserDeactivate
	}
	var out User
	_, err := c.run(ctx, sess, op{action: action, id: id,
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(User)
			if old.Version != version {
				return conflict(old.UpdatedBy, old.UpdatedAt)
			}
			if old.Active == active {
				out = old
				return ErrNoChange
			}
			u := old
			u.Active = active
			if err := saveUser(ctx, tx, &u, a.ID); err != nil {
				return err
			}
			if !active {
				if err := c.endSessions(ctx, tx, u.ID, EndDeactivated); err != nil {
					return err
				}
			}
			out = u
			return c.audit(ctx, tx, &a, action, "user", u.ID, userLabel(u), userChanges(old, u))
		}})
	out.PasswordHash = ""
	if err != nil {
		return out, wrap("change collaborator", err)
	}
	c.forget(id)
	c.emit(action, id)
	return out, nil
}

// Delete removes a collaborator who is no longer anyone's contact.
func (s *UserService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	_, err := c.run(ctx, sess, op{action: ActUserDelete, id: id,
		change: func(tx Store, a Actor, s subject) error {
			u := s.rec.(User)
			if err := c.endSessions(ctx, tx, id, EndDeleted); err != nil {
				return err
			}
			if err := tx.Users().Delete(ctx, id); err != nil {
				if errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
					return Invalid("", u.FullName+" is still referenced by past records: deactivate them instead")
				}
				return err
			}
			return c.audit(ctx, tx, &a, ActUserDelete, "user", id, s.label, userChanges(u, User{}))
		}})
	if err != nil {
		return wrap("delete collaborator", err)
	}
	c.forget(id)
	c.emit(ActUserDelete, id)
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// ResetPassword sets another collaborator's password (user:update) and
// ends their sessions.
func (s *UserService) ResetPassword(ctx context.Context, sess *Session, id int64, password string) error {
	c := s.c
	var hash string
	_, err := c.run(ctx, sess, op{action: ActUserResetPassword, id: id,
		prepare: func(_ Actor, s subject) error {
			if err := c.hasher.Check(password, s.rec.(User).Email); err != nil {
				f := &form{}
				mergeValidation(f, err)
				return f.err()
			}
			var err error
			if hash, err = c.hasher.Hash(password); err != nil {
				return fmt.Errorf("hash password: %w", err)
			}
			return nil
		},
		change: func(tx Store, a Actor, s subject) error {
			if err := tx.Users().SetPassword(ctx, id, hash); err != nil {
				return err
			}
			if err := c.endSessions(ctx, tx, id, EndPasswordReset); err != nil {
				return err
			}
			return c.audit(ctx, tx, &a, ActUserResetPassword, "user", id, s.label, nil)
		}})
	if err != nil {
		return wrap("reset password", err)
	}
	c.forget(id)
	c.emit(ActUserResetPassword, id)
	return nil
}

// ChangePassword changes the actor's own password. Every other session of
// theirs ends; this one continues with new tokens.
func (s *UserService) ChangePassword(ctx context.Context, sess *Session, oldPassword, newPassword string) error {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	u, err := c.store.Users().Get(ctx, a.ID)
	if err != nil {
		return wrap("change password", err)
	}
	// Guessing the current password from an open session is throttled
	// like logins, on the same per-account count.
	now := c.now()
	st, err := c.store.Logins().Get(ctx, u.Email)
	if err != nil {
		return wrap("change password", err)
	}
	if wait := throttleWait(st.Failures); wait > 0 {
		if left := st.LastFailure.Add(wait).Sub(now); left > 0 {
			return &ThrottledError{Wait: left}
		}
	}
	if ok, _, err := c.hasher.Verify(oldPassword, u.PasswordHash); err != nil || !ok {
		if _, err := c.store.Logins().Fail(ctx, u.Email, now); err != nil {
			return wrap("change password", err)
		}
		return Invalid("old_password", "the current password is not right")
	}
	if err := c.store.Logins().Reset(ctx, u.Email); err != nil {
		return wrap("change password", err)
	}
	if err := c.hasher.Check(newPassword, u.Email); err != nil {
		f := &form{}
		mergeValidation(f, err)
		return f.err()
	}
	hash, err := c.hasher.Hash(newPassword)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		if err := tx.Users().SetPassword(ctx, a.ID, hash); err != nil {
			return err
		}
		if err := c.endSessions(ctx, tx, a.ID, EndPasswordChanged); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "user.password_change", "user", a.ID, userLabel(u), nil)
	})
	if err != nil {
		return wrap("change password", err)
	}
	c.forget(a.ID)
	c.emit("user.password_change", a.ID)
	if err := c.startFamily(ctx, sess, a.ID, a.Role, c.now()); err != nil {
		return err
	}
	access, refresh := sess.Tokens()
	sess.mu.Lock()
	fn := sess.onRotate
	sess.mu.Unlock()
	if fn != nil {
		fn(access, refresh)
	}
	return nil
}

// Candidates lists active collaborators of a role (sales or support) for
// pickers, with their client or upcoming-event counts.
func (s *UserService) Candidates(ctx context.Context, sess *Session, role Role) ([]User, error) {
	if _, err := s.c.see(ctx, sess, "user", 0); err != nil {
		return nil, err
	}
	if role != RoleSales && role != RoleSupport {
		return nil, Invalid("role", "choose sales or support")
	}
	us, err := s.c.store.Users().Candidates(ctx, role, s.c.now())
	if err != nil {
		return nil, wrap("list candidates", err)
	}
	for i := range us {
		us[i].PasswordHash = ""
	}
	return us, nil
}
