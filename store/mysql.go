package store

import (
	"database/sql"
	"database/sql/driver"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm/clause"

	"github.com/epic-events/crm/domain"
)

// DialectMySQL is the dialect name of MySQL and MariaDB.
const DialectMySQL = "mysql"

// IsMySQLDSN reports whether dsn names a MySQL or MariaDB server
// (mysql://user:password@host:3306/database).
func IsMySQLDSN(dsn string) bool { return strings.HasPrefix(dsn, "mysql://") }

// IsServerDSN reports whether dsn names a database server (PostgreSQL,
// MySQL, MariaDB) rather than a SQLite file.
func IsServerDSN(dsn string) bool { return IsPostgresDSN(dsn) || IsMySQLDSN(dsn) }

// mysqlSQLMode is the session's sql_mode, whatever the server's default:
// strict (a value too long or out of range is an error, never truncated),
// no zero dates, and NO_BACKSLASH_ESCAPES so that a backslash in a string
// literal is itself, as in PostgreSQL and SQLite (the searches say
// ESCAPE '\').
const mysqlSQLMode = "'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_IN_DATE,NO_ZERO_DATE," +
	"ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,ONLY_FULL_GROUP_BY'"

// mysqlCollation is the collation of names and emails, and of the
// connection: case- and accent-insensitive, known to MySQL 5.6+ and to
// every MariaDB since 10.0.
const mysqlCollation = "utf8mb4_unicode_520_ci"

// mysqlConfig turns mysql://user:password@host:port/database?params into
// the driver's configuration. Query parameters are the driver's own (tls,
// timeout, …); the settings the store relies on are forced whatever they
// say.
func mysqlConfig(dsn string) (*mysql.Config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return nil, domain.Invalid("database", "the MySQL address is not a valid URL (mysql://user:password@host:3306/database)")
	}
	db := strings.TrimPrefix(u.Path, "/")
	if db == "" || strings.Contains(db, "/") {
		return nil, domain.Invalid("database", "the MySQL address names no database (mysql://user:password@host:3306/database)")
	}
	if u.Host == "" {
		return nil, domain.Invalid("database", "the MySQL address names no host (mysql://user:password@host:3306/database)")
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	// The driver parses its own parameters (tls=true, timeout=5s, …) from
	// the query; user and password are set apart, so that any character
	// in them is fine.
	cfg, err := mysql.ParseDSN("tcp(" + addr + ")/" + db + "?" + u.RawQuery)
	if err != nil {
		return nil, domain.Invalid("database", "the MySQL address has a parameter the driver does not know")
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["sql_mode"] = mysqlSQLMode
	cfg.Params["time_zone"] = "'+00:00'"
	cfg.Collation = mysqlCollation
	cfg.Loc = time.UTC
	cfg.ParseTime = true
	// UPDATE reports the rows it matched, not only those it changed, as
	// PostgreSQL and SQLite do: saving a record unchanged is not "not found".
	cfg.ClientFoundRows = true
	// One round trip per statement instead of prepare, execute, close. The
	// driver escapes the values itself, knowing NO_BACKSLASH_ESCAPES.
	cfg.InterpolateParams = true
	// Times go to the server with microseconds, the precision of
	// DATETIME(6). With Go's nanoseconds MariaDB no longer reads the
	// literal as a DATETIME constant and gives up the index range: a page
	// of upcoming events took seconds instead of a millisecond.
	if err := cfg.Apply(mysql.TimeTruncate(time.Microsecond)); err != nil {
		return nil, domain.Invalid("database", "the MySQL address is not usable")
	}
	cfg.AllowAllFiles = false
	cfg.MultiStatements = false
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	return cfg, nil
}

// MySQLConnector is a database/sql connector for a mysql:// URL with the
// settings every store connection has (sql_mode, UTC, collation,
// interpolated parameters). Benchmarks replay the store's statements
// through it, so that raw and store differ only by the store's own work.
func MySQLConnector(dsn string) (driver.Connector, error) {
	cfg, err := mysqlConfig(dsn)
	if err != nil {
		return nil, err
	}
	return mysql.NewConnector(cfg)
}

// describeMySQL is the credential-free description of a mysql:// URL.
func describeMySQL(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "mysql (unparsable address)"
	}
	var b strings.Builder
	b.WriteString("mysql ")
	if u.User != nil && u.User.Username() != "" {
		b.WriteString(u.User.Username())
		b.WriteString("@")
	}
	b.WriteString(u.Host)
	b.WriteString(u.EscapedPath())
	return b.String()
}

// mysqlTxOptions starts every transaction READ COMMITTED, the level the
// store is written for (PostgreSQL's default): each statement sees what
// was committed before it, a conditional UPDATE re-reads the latest row,
// and InnoDB takes no gap locks, so concurrent inserts do not deadlock on
// ranges. The server default, REPEATABLE READ, would show a transaction
// its first snapshot after a conditional UPDATE lost a race. Set per
// transaction because the session variable's name differs between MySQL
// and MariaDB (transaction_isolation, tx_isolation).
var mysqlTxOptions = &sql.TxOptions{Isolation: sql.LevelReadCommitted}

// bigint is CAST(x AS BIGINT), x a value or an expression; MySQL's CAST
// knows no BIGINT and says SIGNED (64 bits) instead.
func (db *DB) bigint(x any) clause.Expr {
	if db.dialect == DialectMySQL {
		return clause.Expr{SQL: "CAST(? AS SIGNED)", Vars: []any{x}}
	}
	return clause.Expr{SQL: "CAST(? AS BIGINT)", Vars: []any{x}}
}

// textEq is column = v, case-insensitively: lower(column) = lower(v),
// which the lower() indexes of PostgreSQL and SQLite answer, and on MySQL
// the plain comparison, which the column's collation already makes case-
// (and accent-) insensitive and which can use the column's own index.
func (db *DB) textEq(c clause.Column, v string) clause.Expr {
	if db.dialect == DialectMySQL {
		return clause.Expr{SQL: "? = ?", Vars: []any{c, v}}
	}
	return clause.Expr{SQL: "lower(?) = lower(?)", Vars: []any{c, v}}
}

// driverBadConn is a connection the driver gave up on (the server went
// away): unavailable, not a bug.
var driverBadConn = driver.ErrBadConn

// MySQL and MariaDB server error numbers the store maps.
const (
	myDupEntry         = 1062 // ER_DUP_ENTRY
	myDupUnique        = 1169 // ER_DUP_UNIQUE
	myRowIsReferenced  = 1451 // ER_ROW_IS_REFERENCED_2
	myNoReferencedRow  = 1452 // ER_NO_REFERENCED_ROW_2
	myRowIsReferenced1 = 1217 // ER_ROW_IS_REFERENCED
	myNoReferencedRow1 = 1216 // ER_NO_REFERENCED_ROW
	myCheckMySQL       = 3819 // ER_CHECK_CONSTRAINT_VIOLATED (MySQL)
	myCheckMariaDB     = 4025 // ER_CONSTRAINT_FAILED (MariaDB)
	mySignal           = 1644 // ER_SIGNAL_EXCEPTION: a trigger refused the row
	myBadNull          = 1048 // ER_BAD_NULL_ERROR
	myNoDefault        = 1364 // ER_NO_DEFAULT_FOR_FIELD
	myDataTooLong      = 1406 // ER_DATA_TOO_LONG
	myOutOfRange       = 1264 // ER_WARN_DATA_OUT_OF_RANGE
	myBadValue         = 1366 // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
	myBadValue2        = 1292 // ER_TRUNCATED_WRONG_VALUE
	myLockWait         = 1205 // ER_LOCK_WAIT_TIMEOUT
	myDeadlock         = 1213 // ER_LOCK_DEADLOCK
	myTooManyConns     = 1040 // ER_CON_COUNT_ERROR
	myUserConns        = 1203 // ER_TOO_MANY_USER_CONNECTIONS
	myServerShutdown   = 1053 // ER_SERVER_SHUTDOWN
	myQueryInterrupted = 1317 // ER_QUERY_INTERRUPTED
	myReadOnly         = 1290 // ER_OPTION_PREVENTS_STATEMENT (read-only server)
	myAccessDenied     = 1045 // ER_ACCESS_DENIED_ERROR
	myDBAccessDenied   = 1044 // ER_DBACCESS_DENIED_ERROR
	myBadDB            = 1049 // ER_BAD_DB_ERROR
	myDiskFull         = 1021 // ER_DISK_FULL
	myTableFull        = 1114 // ER_RECORD_FILE_FULL (tablespace or disk full)
	myReadOnlyTx       = 1792 // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
	myReadOnlyMode     = 1836 // ER_READ_ONLY_MODE
)

// mapMySQL maps a MySQL or MariaDB server error, like mapErr does for the
// other drivers.
func mapMySQL(e *mysql.MySQLError) error {
	switch e.Number {
	case myDupEntry, myDupUnique:
		return domain.ErrDuplicate
	case myRowIsReferenced, myNoReferencedRow, myRowIsReferenced1, myNoReferencedRow1:
		return &ConstraintError{"a record it refers to does not exist, or other records still refer to it"}
	case myCheckMySQL, myCheckMariaDB, mySignal, myBadNull, myNoDefault:
		return &ConstraintError{"a value breaks a rule of the database"}
	case myDataTooLong, myOutOfRange, myBadValue, myBadValue2:
		return &ConstraintError{"a value is out of range or malformed"}
	case myDiskFull, myTableFull:
		return domain.ErrDiskFull
	case myReadOnly, myReadOnlyTx, myReadOnlyMode:
		return domain.ErrReadOnly
	case myLockWait, myDeadlock, myTooManyConns, myUserConns, myServerShutdown, myQueryInterrupted,
		myAccessDenied, myDBAccessDenied, myBadDB:
		return domain.ErrUnavailable
	}
	return errInternal
}
