package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/epic-events/crm/store"
)

// MySQLServerURL returns EPIC_TEST_MYSQL_URL, skipping the test when it is
// unset (failing it when CI=true).
func MySQLServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvMySQLURL)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("storetest: %s is not set, and CI=true: MySQL tests may not be skipped", EnvMySQLURL)
		}
		t.Skipf("storetest: %s is not set: MySQL tests skipped", EnvMySQLURL)
	}
	return u
}

// NewMySQL creates a database of its own on the MySQL test server,
// migrates it, and drops it when the test ends.
func NewMySQL(t testing.TB) *store.DB {
	t.Helper()
	dsn := CreateMySQLDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: open mysql: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate mysql: %v", err)
	}
	return db
}

// CreateMySQLDatabase creates an empty database epic_test_<random>
// (utf8mb4) on the MySQL test server and returns its mysql:// URL; it is
// dropped when the test ends.
func CreateMySQLDatabase(t testing.TB) string {
	t.Helper()
	server := MySQLServerURL(t)
	u, err := url.Parse(server)
	if err != nil || !store.IsMySQLDSN(server) {
		t.Fatalf("storetest: %s is not a mysql:// URL", EnvMySQLURL)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	name := "epic_test_" + hex.EncodeToString(b)

	admin := mysqlAdmin(t, u)
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Identifiers cannot be parameters: the name is random hex, quoted.
	create := "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci" //sqlcheck:ok identifier, random hex, quoted
	if _, err := admin.ExecContext(ctx, create); err != nil {
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c := mysqlAdmin(t, u)
		defer c.Close()
		drop := "DROP DATABASE IF EXISTS `" + name + "`" //sqlcheck:ok identifier, random hex, quoted
		if _, err := c.ExecContext(ctx, drop); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// mysqlAdmin connects to the test server without choosing a database.
func mysqlAdmin(t testing.TB, u *url.URL) *sql.DB {
	t.Helper()
	cfg := mysql.NewConfig()
	cfg.Net = "tcp"
	cfg.Addr = u.Host
	if u.Port() == "" {
		cfg.Addr = net.JoinHostPort(u.Hostname(), "3306")
	}
	if u.User != nil {
		cfg.User = u.User.Username()
		cfg.Passwd, _ = u.User.Password()
	}
	if strings.Contains(u.RawQuery, "tls=") {
		cfg.TLSConfig = u.Query().Get("tls")
	}
	conn, err := mysql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("storetest: %s: %v", EnvMySQLURL, err)
	}
	return sql.OpenDB(conn)
}
