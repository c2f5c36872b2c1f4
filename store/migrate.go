package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one set of goose SQL migrations per dialect.
//
//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql migrations/mysql/*.sql
var migrations embed.FS

// provider builds a goose provider for db's dialect. It must not be
// closed: that would close db's connections.
func (db *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, path.Join("migrations", db.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	// A database may hold a later migration than one added since (00006
	// landed before 00005): apply the missing one instead of refusing.
	// Migrations here never depend on the order of siblings.
	opts = append(opts, goose.WithAllowOutofOrder(true))
	switch db.dialect {
	case DialectPostgres:
		dialect = goose.DialectPostgres
		// Two processes migrating at once take turns.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return nil, err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	case DialectMySQL:
		dialect = goose.DialectMySQL
		// Likewise, through a named lock.
		opts = append(opts, goose.WithSessionLocker(mysqlMigrationLock{}))
	}
	return goose.NewProvider(dialect, db.sqlDB, sub, opts...)
}

// mysqlMigrationLock is goose's session lock on MySQL: GET_LOCK, named
// after the database (named locks are server-wide), held by the
// migrating connection and released with it.
type mysqlMigrationLock struct{}

// SessionLock waits up to five minutes for the lock.
func (mysqlMigrationLock) SessionLock(ctx context.Context, conn *sql.Conn) error {
	var got sql.NullInt64
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(CONCAT('epic-events migrate ', DATABASE()), 300)").Scan(&got); err != nil {
		return err
	}
	if !got.Valid || got.Int64 != 1 {
		return errors.New("another process has been migrating this database for five minutes")
	}
	return nil
}

// SessionUnlock releases the lock.
func (mysqlMigrationLock) SessionUnlock(ctx context.Context, conn *sql.Conn) error {
	_, err := conn.ExecContext(ctx, "DO RELEASE_LOCK(CONCAT('epic-events migrate ', DATABASE()))")
	return err
}

// Migrate applies every pending migration.
func (db *DB) Migrate(ctx context.Context) error {
	_, _, err := db.MigrateUp(ctx)
	return err
}

// MigrateUp applies every pending migration and returns the file name of
// each one applied, in order, and the schema version reached.
func (db *DB) MigrateUp(ctx context.Context) (applied []string, version int64, err error) {
	if db.wsem != nil {
		select {
		case db.wsem <- struct{}{}:
			defer func() { <-db.wsem }()
		case <-ctx.Done():
			return nil, 0, wrap("migrate", ctx.Err())
		}
	}
	p, err := db.provider()
	if err != nil {
		return nil, 0, fmt.Errorf("migrate: %w", err)
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		if r.Error == nil {
			applied = append(applied, path.Base(r.Source.Path))
		}
	}
	if err != nil {
		// Migrating is an operator's command: they need the reason, which
		// names the migration and statement (no data, no password).
		return applied, 0, fmt.Errorf("migrate: %w: %s", mapErr(err), err.Error())
	}
	if version, err = p.GetDBVersion(ctx); err != nil {
		return applied, 0, wrap("migrate", err)
	}
	return applied, version, nil
}

// MigrationStatus writes one line per migration: applied (with when) or
// pending.
func (db *DB) MigrationStatus(ctx context.Context, w io.Writer) error {
	p, err := db.provider()
	if err != nil {
		return fmt.Errorf("migration status: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return wrap("migration status", err)
	}
	fmt.Fprintf(w, "database: %s\n", db.desc)
	for _, s := range st {
		when := "-"
		if !s.AppliedAt.IsZero() {
			when = s.AppliedAt.UTC().Format("2006-01-02 15:04:05 UTC")
		}
		if _, err := fmt.Fprintf(w, "%-8s %-24s %s\n", s.State, path.Base(s.Source.Path), when); err != nil {
			return fmt.Errorf("migration status: %w", err)
		}
	}
	return nil
}

// Pending reports how many migrations are not applied yet.
func (db *DB) Pending(ctx context.Context) (int, error) {
	p, err := db.provider()
	if err != nil {
		return 0, fmt.Errorf("migration status: %w", err)
	}
	st, err := p.Status(ctx)
	if err != nil {
		return 0, wrap("migration status", err)
	}
	n := 0
	for _, s := range st {
		if s.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}
