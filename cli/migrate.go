package cli

import (
	"context"
	"fmt"
	"strings"
)

func cmdMigrate(ctx context.Context, e env, args []string) error {
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return err
	}
	fs := newFlagSet(e, "migrate", "migrate up|status [--db URL]",
		"Apply the pending schema migrations (up) or list them with their state (status).\n"+
			"The migrations are embedded in the binary. On PostgreSQL run `up` as the\n"+
			"database owner; the app itself can then run as a role without DDL rights.")
	dbFlag(fs, &cfg)
	// Accept flags before or after the action: migrate --db x up / migrate up --db x.
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintln(e.stderr, "epic-events migrate: say up or status (see --help)")
		return errUsage
	}
	action := rest[0]
	if err := parseFlags(e, fs, rest[1:]); err != nil {
		return err
	}
	if err := noArgs(e, fs); err != nil {
		return err
	}
	if action != "up" && action != "status" {
		fmt.Fprintf(e.stderr, "epic-events migrate: unknown action %q: say up or status\n", action)
		return errUsage
	}
	a, err := openApp(ctx, e, cfg, openOptions{noSchemaCheck: true, dbOnly: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if action == "status" {
		if err := a.db.MigrationStatus(ctx, e.stdout); err != nil {
			return fmt.Errorf("migration status of %s: %s", a.desc, scrub(err.Error()))
		}
		return nil
	}
	if err := a.db.Migrate(ctx); err != nil {
		a.log.Error("migrate up", "db", a.desc, "err", scrub(err.Error()))
		if strings.Contains(err.Error(), "permission denied") {
			return fmt.Errorf("migrate %s: this role may not change the schema: run migrate up as the database owner (see README, PostgreSQL)", a.desc)
		}
		return fmt.Errorf("migrate %s: %s", a.desc, scrub(err.Error()))
	}
	a.log.Info("migrated", "db", a.desc)
	fmt.Fprintf(e.stdout, "%s: schema is up to date\n", a.desc)
	return nil
}
