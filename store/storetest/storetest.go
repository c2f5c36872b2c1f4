// Package storetest gives tests a fresh, migrated store on each dialect:
// a SQLite file in t.TempDir(), a PostgreSQL database of its own (created
// on the server named by EPIC_TEST_DATABASE_URL, dropped when the test
// ends), and likewise a MySQL/MariaDB database on the server named by
// EPIC_TEST_MYSQL_URL.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/store"
)

// EnvURL names the variable holding the PostgreSQL server used by tests,
// e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable.
const EnvURL = "EPIC_TEST_DATABASE_URL"

// EnvMySQLURL names the variable holding the MySQL or MariaDB server used
// by tests, e.g. mysql://root@127.0.0.1:3306/test (a user that may create
// and drop databases).
const EnvMySQLURL = "EPIC_TEST_MYSQL_URL"

// Dialects lists what Each runs, in order.
var Dialects = []string{store.DialectSQLite, store.DialectPostgres, store.DialectMySQL}

// Each runs fn as the subtests "sqlite", "postgres" and "mysql", each with
// a fresh migrated database. Without EPIC_TEST_DATABASE_URL the PostgreSQL
// subtest is skipped, and without EPIC_TEST_MYSQL_URL the MySQL one,
// unless CI=true, where they fail.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, New(t, d))
		})
	}
}

// New returns a fresh migrated database of dialect ("sqlite", "postgres"
// or "mysql"), closed (and on a server dropped) when the test ends. Safe
// to call from parallel tests.
func New(t testing.TB, dialect string) *store.DB {
	t.Helper()
	switch dialect {
	case store.DialectSQLite:
		return NewSQLite(t)
	case store.DialectPostgres:
		return NewPostgres(t)
	case store.DialectMySQL:
		return NewMySQL(t)
	}
	t.Fatalf("storetest: unknown dialect %q", dialect)
	return nil
}

// NewSQLite returns a fresh migrated SQLite database in t.TempDir().
func NewSQLite(t testing.TB) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "epic.db"))
	if err != nil {
		t.Fatalf("storetest: open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate sqlite: %v", err)
	}
	return db
}

// ServerURL returns EPIC_TEST_DATABASE_URL, skipping the test when it is
// unset (failing it when CI=true).
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("storetest: %s is not set, and CI=true: PostgreSQL tests may not be skipped", EnvURL)
		}
		t.Skipf("storetest: %s is not set: PostgreSQL tests skipped", EnvURL)
	}
	return u
}

// NewPostgres creates a database of its own on the test server, migrates
// it, and drops it (WITH FORCE) when the test ends.
func NewPostgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := CreateDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open postgres: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate postgres: %v", err)
	}
	return db
}

// EnsureDatabase creates the PostgreSQL database name on server when it is
// missing (benchmark data sets are filled once and kept) and returns its
// URL.
func EnsureDatabase(ctx context.Context, server, name string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("bench database URL: %w", err)
	}
	c, err := pgx.Connect(ctx, server)
	if err != nil {
		return "", err
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		stmt := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() // sqlcheck:ok identifiers cannot be parameters; name is a constant or a number
		if _, err := c.Exec(ctx, stmt); err != nil {
			return "", err
		}
	}
	u.Path = "/" + name
	return u.String(), nil
}

// CreateDatabase creates an empty database epic_test_<random> on the test
// server and returns its URL; it is dropped when the test ends.
func CreateDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("storetest: %s is not a URL", EnvURL)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "epic_test_" + hex.EncodeToString(b)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("storetest: connect to %s: %v", store.DescribeDSN(server), err)
	}
	defer admin.Close(context.Background())
	// Identifiers cannot be parameters: the name is random hex, quoted.
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize() //sqlcheck:ok identifier, random hex, quoted
	if _, err := admin.Exec(ctx, create); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
			return
		}
		defer c.Close(context.Background())
		drop := "DROP DATABASE IF EXISTS " + pgx.Identifier{name}.Sanitize() + " WITH (FORCE)" //sqlcheck:ok identifier, random hex, quoted
		if _, err := c.Exec(ctx, drop); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}
