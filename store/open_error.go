package store

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/epic-events/crm/domain"
)

// OpenProblem is why a database could not be opened, in the terms of the
// person starting the program: each has its own advice.
type OpenProblem int

// The problems Open tells apart.
const (
	OpenOther          OpenProblem = iota // anything else (details in the log)
	OpenDirMissing                        // the SQLite file's directory does not exist
	OpenDirNotWritable                    // the directory (or the file) cannot be written
	OpenNotDatabase                       // the file is not an SQLite database (or is a directory)
	OpenMissing                           // the SQLite file does not exist (and was not to be created)
	OpenRefused                           // nothing listens at the PostgreSQL address
	OpenUnknownHost                       // the host name does not resolve
	OpenTimeout                           // the server did not answer in time
	OpenAuth                              // the server refused the user or the password
	OpenNoSuchDB                          // the server has no database of that name
)

// OpenError is a database that could not be opened: the problem, where
// (a path or a credential-free server address) and the driver's error,
// for the log only. It is domain.ErrUnavailable when the server may just
// be down (refused, unknown host, timeout), so that callers retry those.
type OpenError struct {
	Problem OpenProblem
	Where   string
	Err     error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("open database %s: %v", e.Where, e.Err)
}

// Unwrap gives the domain sentinel: unavailable for a server that may come
// back, the mapped driver error otherwise.
func (e *OpenError) Unwrap() error {
	switch e.Problem {
	case OpenRefused, OpenUnknownHost, OpenTimeout:
		return domain.ErrUnavailable
	case OpenOther:
		return mapErr(e.Err)
	}
	return nil
}

// checkSQLitePath finds, before the driver does, the problems of a SQLite
// path that the driver reports only as "unable to open" (code 14).
// create false refuses a missing file instead of creating it.
func checkSQLitePath(path string, create bool) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist), err == nil && !st.IsDir():
		return &OpenError{Problem: OpenDirMissing, Where: dir, Err: fmt.Errorf("directory: %w", os.ErrNotExist)}
	case err != nil:
		return &OpenError{Problem: OpenDirNotWritable, Where: dir, Err: err}
	}
	fst, err := os.Stat(path)
	switch {
	case err == nil && fst.IsDir():
		return &OpenError{Problem: OpenNotDatabase, Where: path, Err: errors.New("is a directory")}
	case err == nil:
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err != nil {
			return &OpenError{Problem: OpenDirNotWritable, Where: path, Err: err}
		} else {
			_ = f.Close()
		}
		return nil
	case !errors.Is(err, os.ErrNotExist):
		return &OpenError{Problem: OpenDirNotWritable, Where: path, Err: err}
	case !create:
		return &OpenError{Problem: OpenMissing, Where: path, Err: err}
	}
	// A new file: the directory must take it (and the WAL files beside it).
	f, err := os.CreateTemp(dir, ".epic-events-write-test-*")
	if err != nil {
		return &OpenError{Problem: OpenDirNotWritable, Where: dir, Err: err}
	}
	_ = f.Close()
	_ = os.Remove(f.Name())
	return nil
}

// openError classifies a driver error met while opening or first pinging
// the database at dsn.
func openError(dsn, where string, err error) error {
	var (
		pgErr *pgconn.PgError
		dns   *net.DNSError
		sq    sqliteCoder
		to    interface{ Timeout() bool }
	)
	p := OpenOther
	switch {
	case errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000"):
		p = OpenAuth
	case errors.As(err, &pgErr) && pgErr.Code == "3D000":
		p = OpenNoSuchDB
	case errors.Is(err, syscall.ECONNREFUSED):
		p = OpenRefused
	case errors.As(err, &dns):
		p = OpenUnknownHost
	case errors.As(err, &to) && to.Timeout(), pgconn.Timeout(err):
		p = OpenTimeout
	case errors.As(err, &sq) && (sq.Code()&sqlitePrimaryMask == sqliteNotADB || sq.Code()&sqlitePrimaryMask == sqliteCorrupt):
		p = OpenNotDatabase
	case errors.As(err, &sq) && sq.Code()&sqlitePrimaryMask == sqliteReadonly:
		p = OpenDirNotWritable
	case !IsPostgresDSN(dsn) && strings.Contains(err.Error(), "not a database"):
		p = OpenNotDatabase
	}
	return &OpenError{Problem: p, Where: where, Err: err}
}
