package cli

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/tui"
)

// runUI opens the full-screen UI on this terminal, resuming the session
// saved by a previous run when there is one.
func runUI(ctx context.Context, e env, cfg config) error {
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()

	files := sessionStore{a: a, path: sessionPath(cfg)}
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
	if g, ok := final.(*guard); ok && g.crashed {
		return fmt.Errorf("unexpected error; details are in %s", logPath(cfg.StateDir))
	}
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		a.rep.Error("ui", err)
		return fmt.Errorf("the terminal UI stopped: %s", scrub(err.Error()))
	}
	return nil
}
