package cli

import (
	"context"

	"github.com/epic-events/crm/domain"
)

// listen starts the process's change feed. Without it the screens still
// work as before (r reloads): a failure is logged, not fatal.
func (a *app) listen(ctx context.Context) domain.ChangeFeed {
	f, err := a.db.Listen(ctx, a.log)
	if err != nil {
		a.log.Warn("live screens off: cannot follow changes", "db", a.desc, "err", scrub(err.Error()))
		return nil
	}
	a.close = append(a.close, f.Close)
	return f
}
