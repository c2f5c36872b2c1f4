package tui

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/epic-events/crm/domain"
)

// userMessage turns an error from the domain into the sentence a user reads
// in the status line. It never shows the raw error text of anything but
// the domain's own typed errors, whose texts are written for users; the raw
// error goes to the log (the App does that when it handles an errorMsg).
func userMessage(err error) string {
	if err == nil {
		return ""
	}
	var (
		ve *domain.ValidationError
		ce *domain.ConflictError
		te *domain.ThrottledError
		rf *domain.Refusal
		se *domain.SessionEndedError
	)
	switch {
	case errors.As(err, &ve):
		return validationSentence(ve)
	case errors.As(err, &ce):
		if ce.By == "" {
			return "someone else changed this record — press r to reload"
		}
		return fmt.Sprintf("changed by %s at %s — press r to reload",
			domain.StripControl(ce.By), ce.At.In(conflictZone()).Format("02/01/2006 15:04"))
	case errors.As(err, &te):
		return "too many failed attempts: try again in " + waitText(te.Wait)
	case errors.As(err, &rf):
		return domain.StripControl(rf.Sentence)
	case errors.Is(err, domain.ErrNoChange):
		return "nothing changed: there was nothing to save"
	case errors.Is(err, domain.ErrForbidden):
		return "you may not do this"
	case errors.Is(err, domain.ErrWrongCredentials):
		return "wrong email or password"
	case errors.As(err, &se):
		if r := se.Reason(); r != "" {
			return "your session has ended: " + r + " — log in again"
		}
		return "your session has ended: log in again"
	case errors.Is(err, domain.ErrUnauthenticated):
		return "your session has ended: log in again"
	case errors.Is(err, domain.ErrDiskFull):
		return domain.ErrDiskFull.Error()
	case errors.Is(err, domain.ErrReadOnly):
		return domain.ErrReadOnly.Error()
	case errors.Is(err, domain.ErrNotFound):
		return "this record no longer exists (or you may not see it) — press r to reload"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// Before ErrUnavailable, which the store also sets on a timeout:
		// a slow answer is not an unreachable database.
		return "the server is taking too long — try again"
	case errors.Is(err, domain.ErrUnavailable):
		return "database unreachable — try again"
	case errors.Is(err, domain.ErrConflict):
		return "this was changed meanwhile — press r to reload"
	case errors.Is(err, domain.ErrThrottled):
		return "too many failed attempts: wait a little and try again"
	}
	return "something went wrong; it has been logged — try again"
}

// timeLocation is the zone conflict times are shown in; the App sets it
// from Options.Location. Atomic: over serve every session builds its App
// on its own goroutine (all with the server's zone).
var timeLocation atomic.Pointer[time.Location]

// conflictZone is timeLocation, or the local zone before any App.
func conflictZone() *time.Location {
	if l := timeLocation.Load(); l != nil {
		return l
	}
	return time.Local
}

// validationSentence joins the field messages, the record-wide one first.
func validationSentence(ve *domain.ValidationError) string {
	if len(ve.Fields) == 0 {
		return "please check the form"
	}
	keys := make([]string, 0, len(ve.Fields))
	for k := range ve.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		msg := domain.StripControl(ve.Fields[k])
		if k == "" {
			parts = append([]string{msg}, parts...)
		} else if k == "role" || k == "permission" {
			parts = append(parts, msg) // the sentence already names what it is about
		} else {
			parts = append(parts, strings.ReplaceAll(k, "_", " ")+": "+msg)
		}
	}
	return strings.Join(parts, "; ")
}

// waitText says a wait in words: "1 s", "2 min 8 s".
func waitText(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Second {
		d = time.Second
	}
	if d < time.Minute {
		return fmt.Sprintf("%d s", int(d.Seconds()))
	}
	m, s := int(d.Minutes()), int(d.Seconds())%60
	if s == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d min %d s", m, s)
}
