package tui

import (
	"errors"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// A form whose save met an unreachable database watches for it to come
// back, so that the user learns it without pressing ctrl+s at random:
// a probe after 1 s, then twice as long each time, up to every 15 s.
const (
	watchFirst = time.Second
	watchMax   = 15 * time.Second
)

// dbBackText is what the form and the status line say when it is back.
const dbBackText = "the database is back — ctrl+s saves"

// dbWatchMsg is the answer of one probe.
type dbWatchMsg struct {
	form  *formScreen
	seq   int
	delay time.Duration
	err   error
}

// watchDB probes the database (the session check: a cheap read) after
// delay. A later save or answer supersedes it (watchSeq).
func (f *formScreen) watchDB(delay time.Duration) tea.Cmd {
	svc, sess, seq := f.e.svc, f.e.sess, f.watchSeq
	return tea.Tick(delay, func(time.Time) tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		_, err := svc.Sessions.Actor(ctx, sess)
		return dbWatchMsg{form: f, seq: seq, delay: delay, err: err}
	})
}

// dbWatched handles a probe's answer: back, it says so (the typed values
// are untouched); still away, it probes again later; any other answer
// ends the watch (the next ctrl+s will say what it is).
func (f *formScreen) dbWatched(msg dbWatchMsg) tea.Cmd {
	if msg.form != f || msg.seq != f.watchSeq {
		return nil
	}
	switch {
	case msg.err == nil:
		f.watchSeq++
		f.banner, f.bannerGood = dbBackText, true
		return info(dbBackText)
	case errors.Is(msg.err, domain.ErrUnavailable):
		return f.watchDB(min(msg.delay*2, watchMax))
	}
	return nil
}

// stopWatch ends a watch (a save starts).
func (f *formScreen) stopWatch() {
	f.watchSeq++
	f.bannerGood = false
}
