// Package domain holds the entities, rules, permission policy and services of
// Epic Events CRM. It imports only the standard library: storage, tokens and
// password hashing are reached through the small interfaces declared here.
package domain

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Sentinel errors. Test with errors.Is; every error a service returns wraps
// exactly one of them.
var (
	// ErrNotFound: the record does not exist or the actor may not see it.
	ErrNotFound = errors.New("not found")
	// ErrForbidden: the actor may see the record but not do this to it.
	ErrForbidden = errors.New("not allowed")
	// ErrConflict: the record changed since it was read, or a unique value is taken.
	ErrConflict = errors.New("conflict")
	// ErrInvalid: the input breaks a rule; see ValidationError for the fields.
	ErrInvalid = errors.New("invalid input")
	// ErrThrottled: too many failed logins; see ThrottledError for the wait.
	ErrThrottled = errors.New("too many attempts")
	// ErrUnauthenticated: no valid session (expired, revoked, user deactivated
	// or role changed). The user must log in again.
	ErrUnauthenticated = errors.New("not logged in")
	// ErrUnavailable: the database cannot be reached; retrying may succeed.
	ErrUnavailable = errors.New("database unavailable")
	// ErrDiskFull: the disk holding the database is full; retrying will not
	// help until space is freed.
	ErrDiskFull = errors.New("the disk holding the database is full: free some space, then save again — nothing was saved")
	// ErrReadOnly: the database accepts no writes (a read-only file, or a
	// read-only server or transaction).
	ErrReadOnly = errors.New("the database is read-only: nothing can be saved until it is writable again (ask the operator) — nothing was saved")
)

// ErrNoChange answers a save that would change nothing: nothing was
// written (no new version, no audit entry). The record returned with it is
// the one as stored.
var ErrNoChange = errors.New("nothing changed")

// ValidationError carries one message per field ("" is the whole record).
// Messages are full sentences a user can act on.
type ValidationError struct {
	Fields map[string]string
}

// Invalid returns a ValidationError for one field.
func Invalid(field, msg string) *ValidationError {
	return &ValidationError{Fields: map[string]string{field: msg}}
}

// Add records a message for field, keeping the first one given.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns e when it holds a message, nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		if k == "" {
			parts = append(parts, e.Fields[k])
		} else {
			parts = append(parts, k+": "+e.Fields[k])
		}
	}
	return strings.Join(parts, "; ")
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// ConflictError says who changed a record since it was opened.
type ConflictError struct {
	By string
	At time.Time
}

func (e *ConflictError) Error() string {
	if e.By == "" {
		return "changed by someone else — reload"
	}
	return fmt.Sprintf("changed by %s at %s — reload", e.By, e.At.Local().Format("02/01/2006 15:04"))
}

// Is makes errors.Is(err, ErrConflict) true.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// ThrottledError says how long to wait before the next login attempt.
type ThrottledError struct {
	Wait time.Duration
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed attempts: try again in %s", e.Wait.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }
