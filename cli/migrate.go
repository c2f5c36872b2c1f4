package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newMigrateCmd(e env, g *globals) *cobra.Command {
	const long = "Apply the pending schema migrations (up) or list them with their state (status).\n" +
		"The migrations are embedded in the binary. On PostgreSQL run `up` as the\n" +
		"database owner; the app itself can then run as a role without DDL rights."
	sub := func(action, short, example string) *cobra.Command {
		return &cobra.Command{
			Use:     action,
			Short:   short,
			Long:    long,
			Example: example,
			Args:    noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				cfg, err := g.config(e)
				if err != nil {
					return err
				}
				return runMigrate(cmd.Context(), e, cfg, action)
			},
		}
	}
	return group("migrate", "Apply (up) or show (status) database migrations", long,
		sub("up", "Apply the pending migrations", "epic-events migrate up --db postgres://owner@db.example/crm"),
		sub("status", "List the migrations and whether each is applied", "epic-events migrate status"),
	)
}

// runMigrate applies the migrations (up) or prints their state (status).
func runMigrate(ctx context.Context, e env, cfg config, action string) error {
	// status only looks: it must not create a missing SQLite file.
	a, err := openApp(ctx, e, cfg, openOptions{noSchemaCheck: true, dbOnly: true, mustExist: action == "status"})
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
	applied, version, err := a.db.MigrateUp(ctx)
	for _, name := range applied {
		fmt.Fprintf(e.stdout, "applied  %s\n", name)
	}
	if err != nil {
		a.log.Error("migrate up", "db", a.desc, "err", scrub(err.Error()))
		if strings.Contains(err.Error(), "permission denied") {
			return fmt.Errorf("migrate %s: this role may not change the schema: run migrate up as the database owner (see README, PostgreSQL)", a.desc)
		}
		return fmt.Errorf("migrate %s: %s", a.desc, scrub(err.Error()))
	}
	a.log.Info("migrated", "db", a.desc, "applied", len(applied), "version", version)
	if len(applied) == 0 {
		fmt.Fprintf(e.stdout, "%s: schema is up to date (version %d)\n", a.desc, version)
		return nil
	}
	fmt.Fprintf(e.stdout, "%s: %d migration(s) applied, schema at version %d\n", a.desc, len(applied), version)
	return nil
}
