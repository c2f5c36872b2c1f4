package domain

import "context"

// UserService manages collaborators (the team).
type UserService struct{ c *core }

// UserInput is the editable part of a collaborator.
type UserInput struct {
	EmployeeNo, FullName, Email, Phone string
	Role                               Role
}

// List returns one page of collaborators.
func (s *UserService) List(ctx context.Context, sess *Session, q ListQuery) (Page[User], error) {
	return Page[User]{}, errPending
}

// Get returns one collaborator.
func (s *UserService) Get(ctx context.Context, sess *Session, id int64) (User, error) {
	return User{}, errPending
}

// Create adds a collaborator with a password.
func (s *UserService) Create(ctx context.Context, sess *Session, in UserInput, password string) (User, error) {
	return User{}, errPending
}

// Update edits a collaborator; a role change ends their sessions.
func (s *UserService) Update(ctx context.Context, sess *Session, id, version int64, in UserInput) (User, error) {
	return User{}, errPending
}

// SetActive deactivates or reactivates a collaborator.
func (s *UserService) SetActive(ctx context.Context, sess *Session, id, version int64, active bool) (User, error) {
	return User{}, errPending
}

// Delete removes a collaborator.
func (s *UserService) Delete(ctx context.Context, sess *Session, id int64) error { return errPending }

// ResetPassword sets another collaborator's password.
func (s *UserService) ResetPassword(ctx context.Context, sess *Session, id int64, password string) error {
	return errPending
}

// ChangePassword changes the actor's own password.
func (s *UserService) ChangePassword(ctx context.Context, sess *Session, oldPassword, newPassword string) error {
	return errPending
}

// Candidates lists active collaborators of a role for pickers.
func (s *UserService) Candidates(ctx context.Context, sess *Session, role Role) ([]User, error) {
	return nil, errPending
}
