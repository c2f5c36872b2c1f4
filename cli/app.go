package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
)

// app is everything a command that touches the database holds.
type app struct {
	cfg    config
	db     *store.DB
	svc    *domain.Services
	wiring domain.Config // how svc was built: an import builds the same on a transaction
	hasher *lazyHasher
	gate   *auth.Gate // login admission of `serve`; nil elsewhere
	log    *slog.Logger
	rep    *reporter
	desc   string // credential-free database description
	close  []func()
}

// Close releases the database, flushes Sentry and closes the log.
func (a *app) Close() {
	for i := len(a.close) - 1; i >= 0; i-- {
		a.close[i]()
	}
}

// openOptions says how a command wants the database.
type openOptions struct {
	// migrate: apply migrations on SQLite (always safe: the embedded DB is
	// the user's own); on PostgreSQL only check that the schema is current.
	migrate bool
	// noSchemaCheck: the command manages migrations itself.
	noSchemaCheck bool
	// mustExist: a missing SQLite file is an error, not a new database
	// (migrate status looks, it does not create).
	mustExist bool
	// dbOnly: no services (and no signing key) needed.
	dbOnly bool
	// now is the services' clock (nil = time.Now); tests move it forward
	// to let tokens expire.
	now func() time.Time
	// loginConcurrency: password hashes at once (0: half the cores).
	loginConcurrency int
	// live: follow the changes committed by any process (the UI and
	// serve), with one listener for the process.
	live bool
}

// openApp reads the configuration, opens the log, Sentry and the database,
// and wires the domain services with the concrete store and auth types.
func openApp(ctx context.Context, e env, cfg config, opts openOptions) (*app, error) {
	a := &app{cfg: cfg}
	log, closeLog, err := openLog(cfg.StateDir, e.stderr)
	if err != nil {
		fmt.Fprintln(e.stderr, "epic-events: warning:", err)
	}
	a.log = log
	a.close = append(a.close, closeLog)

	rep, err := newReporter(cfg.SentryDSN, versionString(), log)
	if err != nil {
		fmt.Fprintln(e.stderr, "epic-events: warning:", err)
	}
	a.rep = rep
	a.close = append(a.close, rep.Close)

	dsn, err := cfg.dsn()
	if err != nil {
		a.Close()
		return nil, err
	}
	a.desc = store.DescribeDSN(dsn)
	// The data directory holds the SQLite file, the generated signing key
	// and the SSH host key.
	if err := ensureDir(cfg.DataDir); err != nil {
		log.Error("create data directory", "dir", cfg.DataDir, "err", err.Error())
		a.Close()
		return nil, dataDirError(cfg.DataDir, err)
	}
	open := store.Open
	if opts.mustExist {
		open = store.OpenExisting
	} else if !store.IsServerDSN(dsn) {
		// The file holds password hashes: create it private.
		if f, err := os.OpenFile(dsn, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
			_ = f.Close()
		}
	}
	db, err := open(ctx, dsn)
	if err != nil {
		log.Error("open database", "db", a.desc, "err", scrub(err.Error()))
		a.Close()
		return nil, startupError(err, logPath(cfg.StateDir))
	}
	a.db = db
	a.desc = db.Describe()
	a.close = append(a.close, func() { _ = db.Close() })

	if !opts.noSchemaCheck {
		if err := a.checkSchema(ctx, opts.migrate); err != nil {
			a.Close()
			return nil, err
		}
	}

	if opts.dbOnly {
		return a, nil
	}
	cur, prev, err := auth.LoadSecrets(cfg.DataDir)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("signing key: %w", err)
	}
	ring, err := auth.NewKeyRing(cur, prev)
	if err != nil {
		a.Close()
		return nil, fmt.Errorf("signing key: %w", err)
	}
	a.hasher = &lazyHasher{n: opts.loginConcurrency}
	var feed domain.ChangeFeed
	if opts.live {
		feed = a.listen(ctx)
	}
	a.wiring = domain.Config{
		Store:  db,
		Tokens: ring,
		Hasher: a.hasher,
		Log:    log,
		Notify: rep.Notify,
		Now:    opts.now,
		Feed:   feed,
	}
	a.svc = domain.New(a.wiring)
	log.Info("started", "version", versionString(), "db", a.desc, "pid", os.Getpid())
	return a, nil
}

// checkSchema migrates the embedded database, and on PostgreSQL or MySQL
// (where the app may run as a role without DDL rights) refuses to start on a schema
// that is behind, saying which command fixes it.
func (a *app) checkSchema(ctx context.Context, migrate bool) error {
	if a.db.Dialect() == "sqlite" && migrate {
		if err := a.db.Migrate(ctx); err != nil {
			a.log.Error("migrate", "db", a.desc, "err", scrub(err.Error()))
			if errors.Is(err, domain.ErrReadOnly) {
				return fmt.Errorf("cannot write to the database %s (read-only)\ngive your user write access to the file and its directory, or choose another database with %s", a.desc, chooseDB)
			}
			return fmt.Errorf("cannot prepare the database %s\nthe log (%s) has the details", a.desc, logPath(a.cfg.StateDir))
		}
		return nil
	}
	pending, err := a.db.Pending(ctx)
	if err != nil {
		a.log.Error("migration status", "db", a.desc, "err", scrub(err.Error()))
		return errorf(domain.ErrUnavailable, "cannot read the schema version of %s: %s", a.desc, scrub(err.Error()))
	}
	if pending > 0 {
		return schemaBehindError(a.desc, pending)
	}
	return nil
}
