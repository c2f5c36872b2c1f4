package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"

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

	files := sessionStore{a: a, path: sessionPath(cfg)}
	sess, notice := files.resume(ctx)
	if notice != "" {
		// The saved session was refused: the login screen says why.
		a.log.Info("saved session not resumed", "reason", notice)
	}
	model := newUIModel(tui.Options{
		Services: a.svc,
		Session:  sess,
		Notice:   notice,
		DBLabel:  a.desc,
		OnLogin:  files.save,
		OnLogout: files.remove,
		Log:      a.log,
		NoColor:  e.getenv("NO_COLOR") != "",
	})
	if c, ok := model.(interface{ Close() }); ok {
		// The program's end stops the UI's share of the change feed.
		defer c.Close()
	}
	return runProgram(ctx, model, a.rep, logPath(cfg.StateDir))
}

// loginNotice is the line the login screen shows when a saved session was
// refused ("" when there was none): the domain's reason for a session
// ended elsewhere (logout, reuse, role change…), or what is wrong with the
// file (mode too open, damaged, another database) or its tokens.
func loginNotice(err error) string {
	var ended *endedError
	switch {
	case err == nil || errors.Is(err, errNotLoggedIn):
		return ""
	case errors.As(err, &ended):
		return "your session has ended: " + ended.reason
	}
	msg := strings.TrimSuffix(scrub(err.Error()), ": run `epic-events login`")
	if errors.Is(err, domain.ErrSessionEnded) || msg == "your session has ended" {
		// No reason stored: an unknown, expired or altered token.
		return "your saved session is no longer valid (expired, revoked or altered): log in again"
	}
	return "the saved session was not resumed: " + msg
}

// newUIModel builds the UI's root model, locally and for each serve
// session; tests wrap it (a screen that panics on a key) to drive the
// crash path of the real command.
var newUIModel = func(o tui.Options) tea.Model { return tui.New(o) }

// runProgram runs the UI behind the panic guard. After a crash the
// terminal is restored and the error is the one line to print (the exit
// status is then 1); the stack is only in the log. Should a panic still
// reach Bubble Tea (its own renderer, say), Bubble Tea prints its stack
// trace on os.Stderr: that is pointed at the log file while the UI runs.
func runProgram(ctx context.Context, model tea.Model, rep *reporter, logFile string, opts ...tea.ProgramOption) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g := newGuard(ctx, model, rep, "ui")
	if f, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err == nil {
		stderr := os.Stderr
		os.Stderr = f
		defer func() {
			os.Stderr = stderr
			_ = f.Close()
		}()
	}
	_, err := tea.NewProgram(g, append(opts, tea.WithContext(ctx))...).Run()
	if g.crashed || errors.Is(err, tea.ErrProgramPanic) {
		return errors.New(crashLine(logFile))
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		rep.Error("ui", err)
		return fmt.Errorf("the terminal UI stopped: %s", scrub(err.Error()))
	}
	return nil
}
