package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/tui"
)

// runUI opens the full-screen UI on this terminal, resuming the session
// saved by a previous run when there is one.
func runUI(ctx context.Context, e env, cfg config) error {
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true, live: true})
	if err != nil {
		return err
	}
	defer a.Close()

	path, err := auth.SessionPath()
	if err != nil {
		return err
	}
	files := sessionStore{a: a, path: path}
	sess := files.resume(ctx)
	model := tui.New(tui.Options{
		Services: a.svc,
		Session:  sess,
		DBLabel:  a.desc,
		OnLogin:  files.save,
		OnLogout: files.remove,
		Log:      a.log,
		NoColor:  e.getenv("NO_COLOR") != "",
	})
	p := tea.NewProgram(newGuard(model, a.rep, "ui"), tea.WithContext(ctx))
	final, err := p.Run()
	model.Close()
	if g, ok := final.(*guard); ok && g.crashed {
		return fmt.Errorf("unexpected error; details are in %s", logPath(cfg.StateDir))
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		a.rep.Error("ui", err)
		return fmt.Errorf("the terminal UI stopped: %s", scrub(err.Error()))
	}
	return nil
}

// sessionStore keeps the local app's session file in step with the UI:
// written on login and on every token rotation, removed on logout.
type sessionStore struct {
	a    *app
	path string
}

// resume returns the session saved by a previous run against the same
// database, or nil (login screen). A file for another database is left
// alone; an invalid or expired one is removed.
func (s sessionStore) resume(ctx context.Context) *domain.Session {
	f, err := auth.LoadSession(s.path)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// E.g. a mode looser than 0600: say so in the log, show the login.
			s.a.log.Warn("session file ignored", "err", scrub(err.Error()))
		}
		return nil
	}
	if f.Database != s.a.desc {
		return nil
	}
	sess, err := s.a.svc.Sessions.Resume(ctx, f.Access, f.Refresh)
	if err != nil {
		s.a.log.Info("saved session not resumed", "err", scrub(err.Error()))
		if errors.Is(err, domain.ErrUnauthenticated) {
			_ = auth.RemoveSession(s.path)
		}
		return nil
	}
	// Resume may have rotated an expired access token's refresh token:
	// keep the file in step, or the next start would replay the old one
	// and revoke the whole session.
	s.write(sess.Tokens())
	s.watch(sess)
	return sess
}

// save writes the session file for a new login.
func (s sessionStore) save(sess *domain.Session) {
	s.write(sess.Tokens())
	s.watch(sess)
}

func (s sessionStore) watch(sess *domain.Session) {
	sess.SetOnRotate(func(access, refresh string) { s.write(access, refresh) })
}

func (s sessionStore) write(access, refresh string) {
	err := auth.SaveSession(s.path, auth.SessionFile{Database: s.a.desc, Access: access, Refresh: refresh, SavedAt: time.Now().UTC()})
	if err != nil {
		s.a.log.Warn("session file not saved", "err", scrub(err.Error()))
	}
}

// remove deletes the session file on logout.
func (s sessionStore) remove() {
	if err := auth.RemoveSession(s.path); err != nil {
		s.a.log.Warn("session file not removed", "err", scrub(err.Error()))
	}
}
