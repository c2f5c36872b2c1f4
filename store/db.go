// Package store implements the domain's repository ports with GORM on
// SQLite (embedded, pure Go), PostgreSQL and MySQL/MariaDB. GORM models
// stay here; the domain entities carry no tags.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/epic-events/crm/domain"
)

// Dialect names returned by DB.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// sqlitePragmas are appended to every SQLite path: foreign keys on, WAL so
// readers never block the writer, a busy timeout so a writer from another
// process waits, and BEGIN IMMEDIATE so a transaction takes the write lock
// up front (a deferred one could fail when upgrading from read to write).
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// DB is the store: it implements domain.Store. The zero value is not
// usable; get one from Open. A DB obtained inside Tx is bound to that
// transaction.
type DB struct {
	g       *gorm.DB
	sqlDB   *sql.DB
	dialect string
	desc    string
	dsn     string
	inTx    bool
	// wsem serializes write transactions on SQLite within the process
	// (shared by every DB derived from one Open). A channel rather than a
	// mutex so that a cancelled context stops the wait.
	wsem chan struct{}
	// rec is the statement recorder of RecordSQL (benchmarks).
	rec *recorder
	// lim bounds the first pass of a search (see searchPageOf).
	lim searchLimits
	// countCap overrides the cap of an exact list total (0 = countCap).
	countCap int
}

var _ domain.Store = (*DB)(nil)

// IsPostgresDSN reports whether dsn names a PostgreSQL server rather than a
// SQLite file.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// or postgresql:// URL, a mysql://
// URL (MySQL or MariaDB), or else the path of a SQLite file (created if
// missing). It does not migrate.
func Open(ctx context.Context, dsn string) (*DB, error) { return open(ctx, dsn, true) }

// OpenExisting is Open for a database that must exist already: a missing
// SQLite file is an *OpenError (OpenMissing) instead of a new database.
func OpenExisting(ctx context.Context, dsn string) (*DB, error) { return open(ctx, dsn, false) }

// open connects to dsn; the problems of opening are *OpenError.
func open(ctx context.Context, dsn string, create bool) (*DB, error) {
	cfg := &gorm.Config{
		TranslateError:         true,
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
	db := &DB{dsn: dsn, desc: DescribeDSN(dsn), rec: &recorder{}, lim: searchLimits{searchWindow, maxCandidates}}
	var err error
	switch {
	case IsPostgresDSN(dsn):
		db.dialect = DialectPostgres
		db.g, err = gorm.Open(postgres.New(postgres.Config{DSN: dsn}), cfg)
	case IsMySQLDSN(dsn):
		db.dialect = DialectMySQL
		var mc *mysql.Config
		if mc, err = mysqlConfig(dsn); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
		var conn driver.Connector
		if conn, err = mysql.NewConnector(mc); err != nil {
			return nil, fmt.Errorf("open database: %w", domain.Invalid("database", "the MySQL address is not usable"))
		}
		precision := 6
		db.g, err = gorm.Open(gormmysql.New(gormmysql.Config{
			Conn: sql.OpenDB(conn), DSNConfig: mc, DefaultDatetimePrecision: &precision,
		}), cfg)
	default:
		if dsn == "" {
			return nil, fmt.Errorf("open database: %w", domain.Invalid("database", "no database file given"))
		}
		if strings.Contains(dsn, "?") {
			return nil, fmt.Errorf("open database: %w", domain.Invalid("database", "the database file name may not contain '?'"))
		}
		if err := checkSQLitePath(dsn, create); err != nil {
			return nil, err
		}
		db.dialect = DialectSQLite
		db.wsem = make(chan struct{}, 1)
		db.g, err = gorm.Open(sqlite.Open(dsn+"?"+sqlitePragmas), cfg)
	}
	if err != nil {
		return nil, openError(dsn, db.where(), err)
	}
	if db.sqlDB, err = db.g.DB(); err != nil {
		return nil, fmt.Errorf("open database: %w", mapErr(err))
	}
	if db.dialect == DialectSQLite {
		// One writer at a time anyway; a few connections let readers run
		// beside it (WAL).
		db.sqlDB.SetMaxOpenConns(4)
		db.sqlDB.SetMaxIdleConns(4)
	} else {
		db.sqlDB.SetMaxOpenConns(16)
		db.sqlDB.SetMaxIdleConns(8)
		db.sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if db.dialect == DialectMySQL {
		// Servers close connections idle longer than wait_timeout (often
		// set low by operators): retire them first.
		db.sqlDB.SetConnMaxLifetime(3 * time.Minute)
	}
	// The first read of the file header: a file that is not a database
	// says so here, not at the first screen.
	probe := "SELECT 1"
	if db.dialect == DialectSQLite {
		probe = "SELECT count(*) FROM sqlite_master"
	}
	var n int
	if err := db.sqlDB.QueryRowContext(ctx, probe).Scan(&n); err != nil {
		_ = db.sqlDB.Close()
		return nil, openError(dsn, db.where(), err)
	}
	return db, nil
}

// where is the database's place for a message: the SQLite file's path, or
// the credential-free PostgreSQL address.
func (db *DB) where() string {
	if db.dialect == DialectSQLite {
		return db.dsn
	}
	return strings.TrimPrefix(db.desc, "postgres ")
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping: %w", mapErr(err))
	}
	return nil
}

// Close releases the connections.
func (db *DB) Close() error {
	if db.inTx {
		return nil
	}
	return db.sqlDB.Close()
}

// Dialect is "sqlite", "postgres" or "mysql".
func (db *DB) Dialect() string { return db.dialect }

// Describe is a description of the database without any password.
func (db *DB) Describe() string { return db.desc }

// DescribeDSN describes dsn for humans and logs: the password, if any, is
// never part of it.
func DescribeDSN(dsn string) string {
	if IsMySQLDSN(dsn) {
		return describeMySQL(dsn)
	}
	if !IsPostgresDSN(dsn) {
		if abs, err := filepath.Abs(dsn); err == nil && dsn != "" {
			dsn = abs
		}
		return "sqlite " + dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres (unparsable address)"
	}
	var b strings.Builder
	b.WriteString("postgres ")
	if u.User != nil && u.User.Username() != "" {
		b.WriteString(u.User.Username())
		b.WriteString("@")
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	return b.String()
}

// conn is the GORM handle for one call: bound to ctx, and to the
// transaction when db is one.
func (db *DB) conn(ctx context.Context) *gorm.DB { return db.g.WithContext(ctx) }

// Tx runs fn in one transaction. Inside a transaction it just calls fn
// (the outer transaction is the unit). On SQLite write transactions of
// this process wait for each other.
func (db *DB) Tx(ctx context.Context, fn func(tx domain.Store) error) error {
	if db.inTx {
		return fn(db)
	}
	if db.wsem != nil {
		select {
		case db.wsem <- struct{}{}:
			defer func() { <-db.wsem }()
		case <-ctx.Done():
			return fmt.Errorf("transaction: %w: %w", domain.ErrUnavailable, ctx.Err())
		}
	}
	var opts []*sql.TxOptions
	if db.dialect == DialectMySQL {
		opts = append(opts, mysqlTxOptions)
	}
	var fnErr error
	err := db.conn(ctx).Transaction(func(g *gorm.DB) error {
		tx := *db
		tx.g = g
		tx.inTx = true
		fnErr = fn(&tx)
		return fnErr
	}, opts...)
	if err != nil && fnErr != nil && errors.Is(err, fnErr) {
		return err
	}
	if err != nil {
		return fmt.Errorf("transaction: %w", mapErr(err))
	}
	return nil
}

// write runs one write step. Inside a transaction it runs under a
// savepoint, so that a refused statement (duplicate, check) leaves the
// PostgreSQL transaction usable for what the caller does next.
func (db *DB) write(ctx context.Context, fn func(g *gorm.DB) error) error {
	g := db.conn(ctx)
	if db.inTx {
		return g.Transaction(fn)
	}
	return fn(g)
}

// writeTx runs several statements atomically: in the caller's transaction
// (under a savepoint) or in a transaction of their own.
func (db *DB) writeTx(ctx context.Context, fn func(g *gorm.DB) error) error {
	if db.inTx {
		return db.conn(ctx).Transaction(fn)
	}
	return db.Tx(ctx, func(tx domain.Store) error {
		return fn(tx.(*DB).conn(ctx))
	})
}

// Users returns the collaborator repository.
func (db *DB) Users() domain.UserRepo { return userRepo{db} }

// Companies returns the company repository.
func (db *DB) Companies() domain.CompanyRepo { return companyRepo{db} }

// Clients returns the client repository.
func (db *DB) Clients() domain.ClientRepo { return clientRepo{db} }

// Contracts returns the contract and payment repository.
func (db *DB) Contracts() domain.ContractRepo { return contractRepo{db} }

// Events returns the event repository.
func (db *DB) Events() domain.EventRepo { return eventRepo{db} }

// Audit returns the audit log.
func (db *DB) Audit() domain.AuditRepo { return auditRepo{db} }

// Perms returns the permission repository.
func (db *DB) Perms() domain.PermRepo { return permRepo{db} }

// Tokens returns the refresh-token repository.
func (db *DB) Tokens() domain.TokenRepo { return tokenRepo{db} }

// Logins returns the failed-login repository.
func (db *DB) Logins() domain.LoginRepo { return loginRepo{db} }

// ConstraintError is a row the database refused (foreign key or CHECK).
// It says which rule in plain words and wraps domain.ErrInvalid; the
// driver's text is not kept.
type ConstraintError struct{ Msg string }

func (e *ConstraintError) Error() string { return e.Msg }

// Is makes errors.Is(err, domain.ErrInvalid) true.
func (e *ConstraintError) Is(target error) bool { return target == domain.ErrInvalid }

// SQLite extended result codes (sqlite3.h).
const (
	sqliteBusy            = 5
	sqliteLocked          = 6
	sqliteCantOpen        = 14
	sqliteConstraintCheck = 275
	sqliteConstraintFK    = 787
	sqliteConstraintNN    = 1299
	sqliteConstraintPK    = 1555
	sqliteConstraintUniq  = 2067
	sqliteIOErr           = 10
	sqliteReadonly        = 8
	sqliteFull            = 13
	sqliteCorrupt         = 11
	sqliteNotADB          = 26
	sqliteConstraintTrig  = 1811
	sqlitePrimaryMask     = 0xff
	sqliteConstraintBase  = 19
)

type sqliteCoder interface{ Code() int }

// mapErr turns a GORM or driver error into a domain sentinel. It is the
// only place that looks at driver errors; their text never goes further.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var (
		pgErr *pgconn.PgError
		myErr *mysql.MySQLError
		sqErr sqliteCoder
	)
	switch {
	case errors.Is(err, domain.ErrNotFound), errors.Is(err, domain.ErrConflict),
		errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrUnavailable),
		errors.Is(err, domain.ErrDiskFull), errors.Is(err, domain.ErrReadOnly):
		return err
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return domain.ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return domain.ErrDuplicate
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &ConstraintError{"a record it refers to does not exist, or other records still refer to it"}
	case errors.Is(err, gorm.ErrCheckConstraintViolated):
		return &ConstraintError{"a value breaks a rule of the database"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// Still ErrUnavailable (callers keep a session on it), but the
		// context error stays visible: a timeout is not a failed database.
		return fmt.Errorf("%w: %w", domain.ErrUnavailable, err)
	case errors.As(err, &pgErr):
		switch {
		case pgErr.Code == "23505":
			return domain.ErrDuplicate
		case pgErr.Code == "23503":
			return &ConstraintError{"a record it refers to does not exist, or other records still refer to it"}
		case strings.HasPrefix(pgErr.Code, "23"):
			return &ConstraintError{"a value breaks a rule of the database"}
		case pgErr.Code == "22P02", pgErr.Code == "22003", pgErr.Code == "22001", pgErr.Code == "22021":
			return &ConstraintError{"a value is out of range or malformed"}
		case pgErr.Code == "53100": // disk_full
			return domain.ErrDiskFull
		case pgErr.Code == "25006": // read_only_sql_transaction
			return domain.ErrReadOnly
		case strings.HasPrefix(pgErr.Code, "08"), strings.HasPrefix(pgErr.Code, "57"),
			strings.HasPrefix(pgErr.Code, "53"), pgErr.Code == "40001", pgErr.Code == "40P01",
			pgErr.Code == "55P03":
			return domain.ErrUnavailable
		}
		return errInternal
	case errors.As(err, &myErr):
		return mapMySQL(myErr)
	case errors.As(err, &sqErr):
		code := sqErr.Code()
		switch code {
		case sqliteConstraintUniq, sqliteConstraintPK:
			return domain.ErrDuplicate
		case sqliteConstraintFK:
			return &ConstraintError{"a record it refers to does not exist, or other records still refer to it"}
		case sqliteConstraintCheck, sqliteConstraintNN, sqliteConstraintTrig:
			return &ConstraintError{"a value breaks a rule of the database"}
		}
		switch code & sqlitePrimaryMask {
		case sqliteConstraintBase:
			return &ConstraintError{"a value breaks a rule of the database"}
		case sqliteFull:
			return domain.ErrDiskFull
		case sqliteReadonly:
			return domain.ErrReadOnly
		case sqliteBusy, sqliteLocked, sqliteCantOpen, sqliteIOErr:
			return domain.ErrUnavailable
		}
		return errInternal
	}
	var netErr interface{ Timeout() bool }
	if errors.As(err, &netErr) || isConnErr(err) {
		return domain.ErrUnavailable
	}
	return errInternal
}

// errInternal stands for a database error that is none of the expected
// ones (a bug): its text stays out of messages.
var errInternal = errors.New("internal database error")

func isConnErr(err error) bool {
	if errors.Is(err, sql.ErrConnDone) || errors.Is(err, sql.ErrTxDone) ||
		errors.Is(err, mysql.ErrInvalidConn) || errors.Is(err, driverBadConn) {
		return true
	}
	// A connection the server (or the network) cut: the next read ends
	// early. The server may be back at the next try.
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// wrap maps err and prefixes the operation.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", op, mapErr(err))
}
