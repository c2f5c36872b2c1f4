package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// sessionFileName is the session file in the state directory, shared by the
// UI and the commands: a user logged in to the UI can script right away.
const sessionFileName = "session.json"

// sessionPath is $XDG_STATE_HOME/epic-events/session.json.
func sessionPath(cfg config) string { return filepath.Join(cfg.StateDir, sessionFileName) }

// errNotLoggedIn answers a command run without a saved session.
var errNotLoggedIn = errorf(domain.ErrUnauthenticated, "not logged in: run `epic-events login` first")

// sessionStore keeps the session file in step with the session: written on
// login and on every token rotation, removed on logout. Reading and
// rotating happen under a lock file, so that two commands started at the
// same moment with an expired access token do not both present the same
// refresh token (the second would count as a replay and end the session).
type sessionStore struct {
	a    *app
	path string
}

func (s sessionStore) lock() (func(), error) {
	if err := ensureDir(filepath.Dir(s.path)); err != nil {
		return nil, err
	}
	return lockFile(s.path + ".lock")
}

// resume returns the session saved by a previous run against the same
// database, or nil (the UI shows its login screen) and, when that session
// was ended (logged out, replayed, role changed…), the one-line reason to
// show there.
func (s sessionStore) resume(ctx context.Context) (*domain.Session, string) {
	sess, err := s.load(ctx)
	if err != nil {
		if !errors.Is(err, errNotLoggedIn) {
			s.a.log.Info("saved session not resumed", "err", scrub(err.Error()))
		}
		return nil, loginNotice(err)
	}
	return sess, ""
}

// load resumes the saved session. A file for another database is left
// alone; an invalid or expired one is removed.
func (s sessionStore) load(ctx context.Context) (*domain.Session, error) {
	unlock, err := s.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	f, err := auth.LoadSession(s.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errNotLoggedIn
		}
		// E.g. a mode looser than 0600: the message says what to do.
		return nil, errorf(domain.ErrUnauthenticated, "%s", err.Error())
	}
	if f.Database != s.a.desc {
		return nil, errorf(domain.ErrUnauthenticated, "not logged in to %s (the saved session is for %s): run `epic-events login`", s.a.desc, f.Database)
	}
	sess, err := s.a.svc.Sessions.Resume(ctx, f.Access, f.Refresh)
	if err != nil {
		if errors.Is(err, domain.ErrUnauthenticated) {
			_ = auth.RemoveSession(s.path)
			if reason := domain.EndedReason(err); reason != "" {
				return nil, &endedError{reason: reason, err: err}
			}
			return nil, errorf(domain.ErrUnauthenticated, "your session has ended: run `epic-events login`")
		}
		return nil, err
	}
	// Resume may have rotated an expired access token's refresh token:
	// keep the file in step, or the next start would replay the old one
	// and revoke the whole session.
	s.write(sess.Tokens())
	s.watch(sess)
	return sess, nil
}

// endedError is a saved session that was ended elsewhere, with the domain's
// reason; errors.Is(err, domain.ErrUnauthenticated) is true.
type endedError struct {
	reason string
	err    error // the domain's *SessionEndedError
}

func (e *endedError) Error() string { return e.reason + ": run `epic-events login`" }

// Unwrap keeps errors.Is(err, domain.ErrUnauthenticated) and
// domain.EndedReason working.
func (e *endedError) Unwrap() error { return e.err }

// save writes the session file for a new login.
func (s sessionStore) save(sess *domain.Session) {
	s.write(sess.Tokens())
	s.watch(sess)
}

func (s sessionStore) watch(sess *domain.Session) {
	sess.SetOnRotate(func(access, refresh string) {
		unlock, err := s.lock()
		if err == nil {
			defer unlock()
		}
		s.write(access, refresh)
	})
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

// newLoginCmd logs in and saves the session for the next commands and the UI.
func newLoginCmd(e env, g *globals) *cobra.Command {
	var email string
	cmd := &cobra.Command{
		Use:   "login [EMAIL]",
		Short: "Log in; the next commands and the UI use this session",
		Long: "Log in and keep the session in $XDG_STATE_HOME/epic-events/session.json\n" +
			"(mode 0600), the file the UI uses too, for 7 days at most.\n\n" +
			"The password is read from the terminal without echo, or as one line on\n" +
			"stdin when stdin is not a terminal. It is never accepted as a flag.",
		Example: "epic-events login ana.roux@epic-events.fr\n" +
			"# from a script, the password from a file readable only by you\n" +
			"epic-events login ana.roux@epic-events.fr < ~/.epic-password",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				email = args[0]
			}
			return g.withApp(cmd, e, func(ctx context.Context, a *app) error {
				return a.login(ctx, e, cmd, email)
			})
		},
	}
	return cmd
}

// login asks for what is missing, logs in and saves the session file,
// ending the session it replaces.
func (a *app) login(ctx context.Context, e env, cmd *cobra.Command, email string) error {
	p := newPrompter(e)
	if email == "" {
		if !p.interactive() {
			return usagef(cmd, "missing EMAIL")
		}
		v, err := p.ask("Email", "", checkEmail)
		if err != nil {
			return err
		}
		email = v
	}
	password, err := newPasswordReader(e).password("Password for " + email + ": ")
	if err != nil {
		return err
	}
	sess, err := a.svc.Sessions.Login(ctx, email, password)
	if err != nil {
		return a.fail("login", err)
	}
	files := sessionStore{a: a, path: sessionPath(a.cfg)}
	unlock, err := files.lock()
	if err != nil {
		return err
	}
	if old, err := auth.LoadSession(files.path); err == nil && old.Database == a.desc {
		if prev, err := a.svc.Sessions.Resume(ctx, old.Access, old.Refresh); err == nil {
			_ = a.svc.Sessions.Logout(ctx, prev)
		}
	}
	files.save(sess)
	unlock()
	actor, err := a.svc.Sessions.Actor(ctx, sess)
	if err != nil {
		return a.fail("login", err)
	}
	fmt.Fprintf(e.stderr, "logged in as %s <%s> (%s) on %s\n", actor.Name, actor.Email, actor.Role, a.desc)
	return nil
}

func newLogoutCmd(e env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "logout",
		Short:   "End the saved session and remove its file",
		Long:    "End the saved session (in every process using it, the UI included) and\nremove the session file. Logging out when not logged in is not an error.",
		Example: "epic-events logout",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withApp(cmd, e, func(ctx context.Context, a *app) error {
				files := sessionStore{a: a, path: sessionPath(a.cfg)}
				sess, err := files.load(ctx)
				if errors.Is(err, domain.ErrUnauthenticated) {
					files.remove()
					fmt.Fprintln(e.stderr, "not logged in")
					return nil
				}
				if err != nil {
					return a.fail("logout", err)
				}
				if err := a.svc.Sessions.Logout(ctx, sess); err != nil {
					return a.fail("logout", err)
				}
				files.remove()
				fmt.Fprintln(e.stderr, "logged out")
				return nil
			})
		},
	}
}

func newWhoamiCmd(e env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "whoami",
		Short:   "Show who is logged in, their role and the database",
		Long:    "Show who the saved session belongs to, their department and the database.\n" + exitCodesHelp,
		Example: "epic-events whoami\nepic-events whoami -o json",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				actor, err := a.svc.Sessions.Actor(ctx, sess)
				if err != nil {
					return a.fail("whoami", err)
				}
				out, err := g.outputFor(e)
				if err != nil {
					return err
				}
				return printRecord(out, whoamiSchema(a.desc), actor)
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}
