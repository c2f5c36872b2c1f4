package store

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/epic-events/crm/domain"
)

// fakeSQLiteErr is a driver error carrying an SQLite result code.
type fakeSQLiteErr int

func (e fakeSQLiteErr) Error() string { return fmt.Sprintf("sqlite error %d", int(e)) }
func (e fakeSQLiteErr) Code() int     { return int(e) }

// A full disk and a read-only database are named as such — retrying will
// not help, so they are never "database unreachable".
func TestStorageErrorsAreNamed(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		err  error
		want error
	}{
		{"sqlite full", fakeSQLiteErr(sqliteFull), domain.ErrDiskFull},
		{"sqlite readonly", fakeSQLiteErr(sqliteReadonly), domain.ErrReadOnly},
		{"sqlite readonly dbmoved", fakeSQLiteErr(sqliteReadonly | 4<<8), domain.ErrReadOnly},
		{"sqlite busy", fakeSQLiteErr(sqliteBusy), domain.ErrUnavailable},
		{"postgres disk full", &pgconn.PgError{Code: "53100"}, domain.ErrDiskFull},
		{"postgres read-only transaction", &pgconn.PgError{Code: "25006"}, domain.ErrReadOnly},
		{"postgres too many connections", &pgconn.PgError{Code: "53300"}, domain.ErrUnavailable},
	} {
		got := mapErr(fmt.Errorf("wrapped: %w", c.err))
		if !errors.Is(got, c.want) {
			t.Errorf("%s: mapped to %v, want %v", c.name, got, c.want)
		}
		if c.want != domain.ErrUnavailable && errors.Is(got, domain.ErrUnavailable) {
			t.Errorf("%s: reported as unreachable", c.name)
		}
	}
}
