package domain

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// RecordChange is one committed change as the change feed carries it:
// which record, its version after the change, what was done and by whom.
// It never holds field values: a screen that cares reads the record again
// through the services, under the reader's own permissions.
type RecordChange struct {
	Seq     int64  // the audit entry (or notification) id, for ordering and logs
	Entity  string // client, contract, event, user, role, company, notification
	ID      int64  // the record; for a notification, the recipient's user id
	Version int64  // the record's version after the change (0 when it has none or is gone)
	Action  string // the audit action, e.g. event.assign_support, client.update.denied
	ActorID int64  // who made it (0 for the system)

	// Filled by LiveSubscription.Next, not carried by the feed.
	ActorName string    // who made it, for "changed by NAME"
	At        time.Time // when this process learnt of it
}

// EntityNotification is the Entity of a RecordChange that tells a user
// their inbox changed (ID is the user).
const EntityNotification = "notification"

// ChangeFeed delivers the changes committed by any process on the database
// to the subscribers of this process. The store implements it per dialect
// with one listener per process.
type ChangeFeed interface {
	// Subscribe starts a subscription; Close ends it.
	Subscribe() ChangeSubscription
}

// ChangeSubscription is one subscriber's view of the feed. Changes that
// arrive while the subscriber is busy accumulate (bounded) and Ready holds
// at most one signal, so a burst costs a subscriber one wake-up.
type ChangeSubscription interface {
	// Ready receives a value when changes are waiting.
	Ready() <-chan struct{}
	// Take returns and clears the waiting changes. missed is true when
	// some were lost (the listener was down, or too many piled up): the
	// subscriber should reload everything it shows.
	Take() (changes []RecordChange, missed bool)
	// Close ends the subscription.
	Close()
}

// LiveBatch is what a screen receives: the changes it may see since the
// previous batch, oldest first.
type LiveBatch struct {
	Changes []RecordChange
	// Missed asks the screen to reload all it shows: some changes were not
	// delivered (listener reconnecting, overflow).
	Missed bool
}

// LiveService hands the change feed to sessions, filtered by what each
// actor may read.
type LiveService struct{ c *core }

// Enabled reports whether a change feed is wired (false in tests and
// one-shot commands, and on a zero Services).
func (s *LiveService) Enabled() bool { return s != nil && s.c != nil && s.c.feed != nil }

// LiveSubscription is a session's subscription to the change feed.
type LiveSubscription struct {
	c      *core
	sess   *Session
	sub    ChangeSubscription
	ctx    context.Context // ended by Close, so a waiting Next returns
	cancel context.CancelFunc

	// The actor, re-resolved when older than the state TTL: a revoked
	// permission or an ended session shows within that time, as
	// everywhere else, without 200 sessions each reading the permission
	// version on every change.
	actor   Actor
	actorAt time.Time
}

// Subscribe starts a subscription for the session's user. ErrUnavailable
// when no feed is wired.
func (s *LiveService) Subscribe(ctx context.Context, sess *Session) (*LiveSubscription, error) {
	if s.c.feed == nil {
		return nil, fmt.Errorf("follow changes: %w", ErrUnavailable)
	}
	if _, err := s.c.actor(ctx, sess); err != nil {
		return nil, err
	}
	lctx, cancel := context.WithCancel(context.Background())
	return &LiveSubscription{c: s.c, sess: sess, sub: s.c.feed.Subscribe(), ctx: lctx, cancel: cancel}, nil
}

// Next waits for the next changes the actor may see. The actor is
// resolved again for every batch, so a revoked permission or an ended
// session takes effect at once (the error is then the session's).
func (l *LiveSubscription) Next(ctx context.Context) (LiveBatch, error) {
	for {
		select {
		case <-ctx.Done():
			return LiveBatch{}, fmt.Errorf("follow changes: %w", ErrUnavailable)
		case <-l.ctx.Done():
			return LiveBatch{}, fmt.Errorf("follow changes: %w", ErrClosed)
		case <-l.sub.Ready():
		}
		changes, missed := l.sub.Take()
		if len(changes) == 0 && !missed {
			continue
		}
		a, err := l.who(ctx)
		if err != nil {
			return LiveBatch{}, err
		}
		b := LiveBatch{Missed: missed}
		now := l.c.now()
		for _, ch := range changes {
			if !CanSeeChange(a, ch) {
				continue
			}
			ch.At = now
			if ch.ActorID != 0 {
				// The per-process state cache answers most of these.
				if st, err := l.c.state(ctx, ch.ActorID); err == nil {
					ch.ActorName = st.Name
				}
			}
			b.Changes = append(b.Changes, ch)
		}
		if len(b.Changes) > 0 || b.Missed {
			return b, nil
		}
	}
}

// who returns the subscriber's actor, read again once it is older than
// the state TTL (every time when caching is off).
func (l *LiveSubscription) who(ctx context.Context) (Actor, error) {
	if l.c.ttl > 0 && !l.actorAt.IsZero() && time.Since(l.actorAt) < l.c.ttl {
		return l.actor, nil
	}
	a, err := l.c.actor(ctx, l.sess)
	if err != nil {
		return Actor{}, err
	}
	l.actor, l.actorAt = a, time.Now()
	return a, nil
}

// Close ends the subscription; a Next waiting returns ErrClosed.
func (l *LiveSubscription) Close() {
	l.cancel()
	l.sub.Close()
}

// ErrClosed is what Next returns once the subscription is closed.
var ErrClosed = fmt.Errorf("subscription closed")

// AltersRecord reports whether the change altered the record it names:
// refusals, logins, failed logins, logouts and session events are entries
// of the audit log only. Screens of records ignore the others (a login
// storm would otherwise reload every open list and dashboard).
func (c RecordChange) AltersRecord() bool {
	return !auditOnly(c.Action)
}

func auditOnly(action string) bool {
	return strings.HasSuffix(action, ".denied") || strings.HasPrefix(action, "session.") ||
		action == "user.login" || action == "user.login_failed" || action == "user.logout"
}

// CanSeeChange applies the read policy to a change: the record's resource
// must be readable; refusals, logins and session events are audit-log
// matters; a notification is its recipient's only.
func CanSeeChange(a Actor, ch RecordChange) bool {
	if ch.Entity == EntityNotification {
		return ch.ID == a.ID
	}
	if auditOnly(ch.Action) {
		return CanReadAudit(a) == nil
	}
	switch ch.Entity {
	case "client", "contract", "event", "company":
		return CanRead(a, ch.Entity) == nil
	case "user":
		return CanReadUsers(a) == nil || ch.ID == a.ID
	case "role":
		return CanReadRoles(a) == nil
	}
	return CanReadAudit(a) == nil
}
