package domain

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Page[User]{}, err
	}
	if err := CanReadUsers(a); err != nil {
		return Page[User]{}, s.c.deny(ctx, a, "user", 0, err)
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
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return User{}, err
	}
	if err := CanReadUsers(a); err != nil {
		return User{}, s.c.hidden(ctx, a, "user", id, err)
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
	a, err := c.actor(ctx, sess)
	if err != nil {
		return User{}, err
	}
	if err := CanCreateUser(a); err != nil {
		return User{}, c.deny(ctx, a, "user", 0, err)
	}
	u, f := validateUser(in)
	if err := c.hasher.Check(password, u.Email); err != nil {
		mergeValidation(f, err)
	}
	if err := f.err(); err != nil {
		return User{}, err
	}
	hash, err := c.hasher.Hash(password)
	if err != nil {
		return User{}, fmt.Errorf("create collaborator: %w", err)
	}
	u.PasswordHash, u.Active = hash, true
	err = c.store.Tx(ctx, func(tx Store) error {
		if _, err := tx.Users().GetByEmail(ctx, u.Email); err == nil {
			return Invalid("email", "a collaborator with this email already exists")
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.Users().Create(ctx, &u, &a.ID); err != nil {
			return userDupErr(err, u)
		}
		return c.audit(ctx, tx, &a, "user.create", "user", u.ID, userChanges(User{}, u))
	})
	if err != nil {
		return User{}, wrap("create collaborator", err)
	}
	c.emit("user.create", u.ID)
	u.PasswordHash = ""
	return u, nil
}

// lastManager refuses removing the last active manager.
func lastManager(ctx context.Context, tx Store, u User, what string) error {
	if u.Role != RoleManagement || !u.Active {
		return nil
	}
	n, err := tx.Users().CountActiveManagers(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return Invalid("", u.FullName+" is the last active manager and cannot be "+what+": make someone else a manager first")
	}
	return nil
}

// endSessions revokes every refresh token of a user and refuses their
// access tokens issued before now: they are logged out at their next action.
func (c *core) endSessions(ctx context.Context, tx Store, id int64) error {
	now := c.now()
	if err := tx.Tokens().RevokeUser(ctx, id, now); err != nil {
		return err
	}
	return tx.Users().InvalidateSessions(ctx, id, now)
}

// loadUserVersion loads a collaborator in tx and checks the version the
// caller read.
func loadUserVersion(ctx context.Context, tx Store, id, version int64) (User, error) {
	u, err := tx.Users().Get(ctx, id)
	if err != nil {
		return User{}, err
	}
	if u.Version != version {
		return User{}, conflict(u.UpdatedBy, u.UpdatedAt)
	}
	return u, nil
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

// Update edits a collaborator; a role change ends their sessions.
func (s *UserService) Update(ctx context.Context, sess *Session, id, version int64, in UserInput) (User, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return User{}, err
	}
	if err := CanUpdateUser(a); err != nil {
		return User{}, c.deny(ctx, a, "user", id, err)
	}
	nu, f := validateUser(in)
	if err := f.err(); err != nil {
		return User{}, err
	}
	var out User
	roleChanged := false
	err = c.store.Tx(ctx, func(tx Store) error {
		u, err := loadUserVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		old := u
		if nu.Role != u.Role {
			if u.ID == a.ID {
				return Invalid("role", "you cannot change your own role: ask another manager")
			}
			if nu.Role != RoleManagement {
				if err := lastManager(ctx, tx, u, "moved to another department"); err != nil {
					return err
				}
			}
			// Contacts keep their department: a client's sales contact is
			// in sales, an event's support contact in support.
			if u.Role == RoleSales {
				n, err := tx.Users().CountClients(ctx, u.ID)
				if err != nil {
					return err
				}
				if n > 0 {
					return Invalid("role", u.FullName+" is the sales contact of "+plural(n, "client")+": reassign them first")
				}
			}
			if u.Role == RoleSupport {
				n, err := tx.Users().CountFutureEvents(ctx, u.ID, c.now())
				if err != nil {
					return err
				}
				if n > 0 {
					return Invalid("role", u.FullName+" is the support contact of "+plural(n, "upcoming event")+": assign someone else first")
				}
			}
			roleChanged = true
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
		if err := saveUser(ctx, tx, &u, a.ID); err != nil {
			return err
		}
		if roleChanged {
			if err := c.endSessions(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		out = u
		return c.audit(ctx, tx, &a, "user.update", "user", u.ID, userChanges(old, u))
	})
	if err != nil {
		return User{}, wrap("update collaborator", err)
	}
	c.forget(id)
	c.emit("user.update", id)
	out.PasswordHash = ""
	return out, nil
}

// SetActive deactivates or reactivates a collaborator. Deactivation ends
// their sessions at their next action.
func (s *UserService) SetActive(ctx context.Context, sess *Session, id, version int64, active bool) (User, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return User{}, err
	}
	if err := CanDeactivateUser(a); err != nil {
		return User{}, c.deny(ctx, a, "user", id, err)
	}
	if !active && id == a.ID {
		return User{}, Invalid("", "you cannot deactivate yourself: ask another manager")
	}
	action := "user.activate"
	if !active {
		action = "user.deactivate"
	}
	var out User
	err = c.store.Tx(ctx, func(tx Store) error {
		u, err := loadUserVersion(ctx, tx, id, version)
		if err != nil {
			return err
		}
		if u.Active == active {
			out = u
			return nil
		}
		if !active {
			if err := lastManager(ctx, tx, u, "deactivated"); err != nil {
				return err
			}
		}
		old := u
		u.Active = active
		if err := saveUser(ctx, tx, &u, a.ID); err != nil {
			return err
		}
		if !active {
			if err := c.endSessions(ctx, tx, u.ID); err != nil {
				return err
			}
		}
		out = u
		return c.audit(ctx, tx, &a, action, "user", u.ID, userChanges(old, u))
	})
	if err != nil {
		return User{}, wrap("change collaborator", err)
	}
	c.forget(id)
	c.emit(action, id)
	out.PasswordHash = ""
	return out, nil
}

// Delete removes a collaborator who is no longer anyone's contact.
func (s *UserService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	if err := CanDeleteUser(a); err != nil {
		return c.deny(ctx, a, "user", id, err)
	}
	if id == a.ID {
		return Invalid("", "you cannot delete yourself: ask another manager")
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		u, err := tx.Users().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := lastManager(ctx, tx, u, "deleted"); err != nil {
			return err
		}
		clients, err := tx.Users().CountClients(ctx, id)
		if err != nil {
			return err
		}
		events, err := tx.Users().CountFutureEvents(ctx, id, c.now())
		if err != nil {
			return err
		}
		if clients > 0 || events > 0 {
			return Invalid("", fmt.Sprintf("%s is the sales contact of %s and the support contact of %s: reassign them first, or deactivate %s instead",
				u.FullName, plural(clients, "client"), plural(events, "upcoming event"), u.FullName))
		}
		if err := c.endSessions(ctx, tx, id); err != nil {
			return err
		}
		if err := tx.Users().Delete(ctx, id); err != nil {
			if errors.Is(err, ErrConflict) || errors.Is(err, ErrInvalid) {
				return Invalid("", u.FullName+" is still referenced by past records: deactivate them instead")
			}
			return err
		}
		return c.audit(ctx, tx, &a, "user.delete", "user", id, userChanges(u, User{}))
	})
	if err != nil {
		return wrap("delete collaborator", err)
	}
	c.forget(id)
	c.emit("user.delete", id)
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
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	if err := CanUpdateUser(a); err != nil {
		return c.deny(ctx, a, "user", id, &DeniedError{Action: "user.password_reset"})
	}
	u, err := c.store.Users().Get(ctx, id)
	if err != nil {
		return wrap("reset password", err)
	}
	if err := c.hasher.Check(password, u.Email); err != nil {
		f := &form{}
		mergeValidation(f, err)
		return f.err()
	}
	hash, err := c.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		if err := tx.Users().SetPassword(ctx, id, hash); err != nil {
			return err
		}
		if err := c.endSessions(ctx, tx, id); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "user.password_reset", "user", id, nil)
	})
	if err != nil {
		return wrap("reset password", err)
	}
	c.forget(id)
	c.emit("user.password_reset", id)
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
		if err := c.endSessions(ctx, tx, a.ID); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "user.password_change", "user", a.ID, nil)
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
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return nil, err
	}
	if err := CanReadUsers(a); err != nil {
		return nil, s.c.deny(ctx, a, "user", 0, err)
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
