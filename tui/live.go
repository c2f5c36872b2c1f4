package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// Live screens: the App holds one subscription to the change feed per
// session. A command waits for the next batch of changes the actor may
// see; the App hands the batch to every screen it holds (changesMsg, with
// onTop telling the one on top from those below, which only note that they
// are stale and reload when they are shown again), then waits liveThrottle
// before waiting again, so a burst of changes (an import) costs each
// screen a few reloads per second at most. No screen polls the database.

// liveThrottle is the least time between two batches handed to the screens.
const liveThrottle = 300 * time.Millisecond

// unreadEvery is how often the unread count is read again without a
// change: management reminders come with time passing, not with a change.
const unreadEvery = 5 * time.Minute

// inboxKey opens the inbox from any screen that does not capture keys.
var inboxKey = key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "inbox"))

// liveState is the App's part of the live machinery.
type liveState struct {
	// mu guards sub and closed: Close comes from outside the program's
	// loop (the SSH session ended).
	mu     sync.Mutex
	sub    *domain.LiveSubscription
	closed bool
	gen    int // bumped at every (re)subscription and logout: older messages are dropped
	unread int
	known  bool // unread was read at least once
}

// Close ends the App's subscription to the change feed, so the process
// stops fanning changes out to a session that is gone. Safe to call from
// any goroutine, after or while the program runs.
func (a *App) Close() {
	a.live.mu.Lock()
	defer a.live.mu.Unlock()
	a.live.closed = true
	if a.live.sub != nil {
		a.live.sub.Close()
		a.live.sub = nil
	}
}

// Messages of the live machinery.
type (
	liveSubscribedMsg struct {
		gen int
		sub *domain.LiveSubscription
		err error
	}
	liveBatchMsg struct {
		gen   int
		batch domain.LiveBatch
		err   error
	}
	liveWaitMsg   struct{ gen int }
	unreadTickMsg struct{ gen int }
	unreadMsg     struct {
		n   int
		err error
	}
	// changesMsg is what a screen receives: changes committed by anyone
	// (this user included) that the actor may see. onTop is false for the
	// screens below the top one and the views not shown: they mark
	// themselves stale and reload on focusMsg.
	changesMsg struct {
		batch domain.LiveBatch
		onTop bool
	}
)

// touches reports whether the batch altered a record of one of the
// entities (always true when changes were missed). Entries of the audit
// log alone (logins, refusals) alter no record.
func (m changesMsg) touches(entities ...string) bool {
	if m.batch.Missed {
		return true
	}
	for _, c := range m.batch.Changes {
		if !c.AltersRecord() {
			continue
		}
		for _, e := range entities {
			if c.Entity == e {
				return true
			}
		}
	}
	return false
}

// recordChanges are the entities whose changes can alter a list, a detail
// or a figure (a renamed collaborator changes the names shown, a payment
// is a contract change).
var recordChanges = []string{"client", "contract", "event", "user", "company"}

// changeOf returns the newest change of one record in the batch.
func (m changesMsg) changeOf(entity string, id int64) (domain.RecordChange, bool) {
	for i := len(m.batch.Changes) - 1; i >= 0; i-- {
		c := m.batch.Changes[i]
		if c.Entity == entity && c.ID == id {
			return c, true
		}
	}
	return domain.RecordChange{}, false
}

// startLive subscribes the session to the change feed (when one is wired)
// and reads the unread count.
func (a *App) startLive() tea.Cmd {
	a.stopLive()
	gen := a.live.gen
	svc, sess := a.e.svc, a.e.sess
	cmds := []tea.Cmd{a.loadUnread(), a.e.tick(unreadEvery, func(time.Time) tea.Msg { return unreadTickMsg{gen} })}
	if svc.Live.Enabled() {
		cmds = append(cmds, func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			sub, err := svc.Live.Subscribe(ctx, sess)
			return liveSubscribedMsg{gen: gen, sub: sub, err: err}
		})
	}
	return tea.Batch(cmds...)
}

// stopLive ends the subscription (logout, a new login).
func (a *App) stopLive() {
	a.live.gen++
	a.live.mu.Lock()
	if a.live.sub != nil {
		a.live.sub.Close()
		a.live.sub = nil
	}
	a.live.mu.Unlock()
	a.live.unread, a.live.known = 0, false
}

// liveSub is the current subscription (nil when none).
func (a *App) liveSub() *domain.LiveSubscription {
	a.live.mu.Lock()
	defer a.live.mu.Unlock()
	return a.live.sub
}

func (a *App) loadUnread() tea.Cmd {
	svc, sess := a.e.svc, a.e.sess
	if sess == nil {
		return nil
	}
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		n, err := svc.Inbox.Unread(ctx, sess)
		return unreadMsg{n, err}
	}
}

func waitLive(sub *domain.LiveSubscription, gen int) tea.Cmd {
	return func() tea.Msg {
		b, err := sub.Next(context.Background())
		return liveBatchMsg{gen: gen, batch: b, err: err}
	}
}

// updateLive handles the live messages; ok is false for any other.
func (a *App) updateLive(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case liveSubscribedMsg:
		a.live.mu.Lock()
		closed := a.live.closed
		a.live.mu.Unlock()
		if msg.gen != a.live.gen || a.e.sess == nil || closed {
			if msg.sub != nil {
				msg.sub.Close()
			}
			return nil, true
		}
		if msg.err != nil {
			// Without the feed the screens still work, as before: r reloads.
			a.opts.Log.Warn("follow changes", "err", msg.err)
			gen := a.live.gen
			return a.e.tick(5*time.Second, func(time.Time) tea.Msg { return liveWaitMsg{gen} }), true
		}
		a.live.mu.Lock()
		a.live.sub = msg.sub
		a.live.mu.Unlock()
		return waitLive(msg.sub, msg.gen), true
	case liveWaitMsg:
		if msg.gen != a.live.gen {
			return nil, true
		}
		sub := a.liveSub()
		if sub == nil {
			// The first subscription failed: try again.
			a.live.gen--
			return a.startLive(), true
		}
		return waitLive(sub, msg.gen), true
	case liveBatchMsg:
		if msg.gen != a.live.gen {
			return nil, true
		}
		gen := a.live.gen
		if msg.err != nil {
			if errors.Is(msg.err, domain.ErrUnauthenticated) {
				return a.handleError(errorMsg{op: "follow changes", err: msg.err}), true
			}
			a.opts.Log.Warn("follow changes", "err", msg.err)
			return a.e.tick(3*time.Second, func(time.Time) tea.Msg { return liveWaitMsg{gen} }), true
		}
		cmds := []tea.Cmd{a.dispatchChanges(msg.batch),
			a.e.tick(liveThrottle, func(time.Time) tea.Msg { return liveWaitMsg{gen} })}
		cm := changesMsg{batch: msg.batch}
		if msg.batch.Missed || cm.touches(domain.EntityNotification) {
			cmds = append(cmds, a.loadUnread())
		}
		// A grant, a revoke or a change to this user: the help bars follow
		// the permissions at once, not at the next view switch.
		if _, me := cm.changeOf("user", a.e.actor.ID); me || cm.touches("role") {
			cmds = append(cmds, refreshActor(a.e.svc, a.e.sess))
		}
		return tea.Batch(cmds...), true
	case unreadTickMsg:
		if msg.gen != a.live.gen {
			return nil, true
		}
		return tea.Batch(a.loadUnread(), a.e.tick(unreadEvery, func(time.Time) tea.Msg { return unreadTickMsg{msg.gen} })), true
	case unreadMsg:
		if msg.err != nil {
			a.opts.Log.Warn("count notifications", "err", msg.err)
			return nil, true
		}
		if a.live.unread != msg.n || !a.live.known {
			a.live.unread, a.live.known = msg.n, true
			a.chrome.dirty = true
		}
		return nil, true
	}
	return nil, false
}

// dispatchChanges hands a batch to every screen the App holds: the top one
// refreshes, the others note they are stale.
func (a *App) dispatchChanges(b domain.LiveBatch) tea.Cmd {
	var cmds []tea.Cmd
	for i, s := range a.stack {
		onTop := i == len(a.stack)-1
		ns, cmd := s.Update(changesMsg{batch: b, onTop: onTop})
		a.stack[i] = ns
		if i == 0 && a.loggedIn() && a.cur >= 0 && a.cur < len(a.screens) {
			a.screens[a.cur] = ns
		}
		cmds = append(cmds, cmd)
	}
	for i, s := range a.screens {
		if s == nil || i == a.cur { // the current view is the bottom of the stack
			continue
		}
		ns, cmd := s.Update(changesMsg{batch: b})
		a.screens[i] = ns
		cmds = append(cmds, cmd)
	}
	a.chrome.dirty = true // key maps may follow the records
	return tea.Batch(cmds...)
}

// inboxKeyPressed opens the inbox (unless it is already on top).
func (a *App) inboxKeyPressed(k keyString) (tea.Cmd, bool) {
	if !a.loggedIn() || !key.Matches(k, inboxKey) {
		return nil, false
	}
	if _, ok := a.top().(*inboxScreen); ok {
		return nil, true
	}
	return a.pushScreen(newInboxScreen(a.e)), true
}

// inboxBadge is the tab bar's mention of unread notifications: "! inbox 3",
// "!3" when the window is narrow.
func (a *App) inboxBadge(compact bool) string {
	if !a.loggedIn() || a.live.unread == 0 {
		return "" // `?` lists the key; an empty inbox takes no room
	}
	if compact {
		return "  " + a.e.st.TabActive.Render(fmt.Sprintf("!%d", a.live.unread))
	}
	return "  " + a.e.st.TabActive.Render(fmt.Sprintf("! inbox %d", a.live.unread))
}

// onChanges reloads a detail when a record it may show changed: its own,
// or a related one (a client's contracts, a contract's event).
func (s *detailScreen[D]) onChanges(m changesMsg) tea.Cmd {
	if !m.touches(recordChanges...) {
		return nil
	}
	if !m.onTop {
		s.stale = true
		return nil
	}
	if c, ok := m.changeOf(s.what, s.id); ok && strings.HasSuffix(c.Action, ".delete") {
		text := "this " + s.what + " was deleted"
		if c.ActorName != "" {
			text += " by " + domain.StripControl(c.ActorName)
		}
		return tea.Batch(back(nil), msgCmd(statusMsg{text: text, err: true}))
	}
	return s.load()
}
