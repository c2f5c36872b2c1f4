// Package pgsetup holds the least-privilege PostgreSQL roles script
// (pg-setup.sql) and the test that the application role it makes can do
// its work and nothing more.
package pgsetup

import (
	"context"
	_ "embed"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

//go:embed pg-setup.sql
var setupSQL string

// TestAppRoleCannotChangeTheSchemaOrTheAudit runs the script on a migrated
// database and connects as epic_app: rows can be read and written and the
// audit appended, but DDL, and changing or deleting audit rows, are
// refused by privilege.
func TestAppRoleCannotChangeTheSchemaOrTheAudit(t *testing.T) {
	dsn := storetest.CreateDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	admin, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	// Twice: the script must be idempotent (it is rerun after migrations).
	for range 2 {
		if _, err := admin.Exec(ctx, setupSQL); err != nil {
			t.Fatalf("pg-setup.sql: %v", err)
		}
	}
	if _, err := admin.Exec(ctx, `INSERT INTO audit_entries (at, actor_name, action, entity, entity_id) VALUES (now(), 'setup', 'test.seed', 'user', 0)`); err != nil {
		t.Fatalf("seed an audit row: %v", err)
	}

	u, _ := url.Parse(dsn)
	u.User = url.User("epic_app")
	app, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatalf("connect as epic_app: %v", err)
	}
	defer app.Close(context.Background())

	allowed := []string{
		`SELECT count(*) FROM users`,
		`INSERT INTO login_attempts (email, failures, last_failure) VALUES ('x@example.com', 1, now())`,
		`UPDATE login_attempts SET failures = 2 WHERE email = 'x@example.com'`,
		`DELETE FROM login_attempts WHERE email = 'x@example.com'`,
		`INSERT INTO audit_entries (at, actor_name, action, entity, entity_id) VALUES (now(), 'app', 'test.append', 'user', 0)`,
		`SELECT count(*) FROM goose_db_version`,
	}
	for _, q := range allowed {
		if _, err := app.Exec(ctx, q); err != nil {
			t.Errorf("epic_app refused %q: %v", q, err)
		}
	}
	refused := []string{
		`CREATE TABLE intruder (id int)`,
		`ALTER TABLE users ADD COLUMN intruder int`,
		`DROP TABLE login_attempts`,
		`UPDATE audit_entries SET actor_name = 'someone else'`,
		`DELETE FROM audit_entries`,
		`TRUNCATE audit_entries`,
		`DELETE FROM goose_db_version`,
	}
	for _, q := range refused {
		_, err := app.Exec(ctx, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") && !strings.Contains(err.Error(), "must be owner") {
			t.Errorf("epic_app ran %q: %v (want permission denied)", q, err)
		}
	}
	// The database after the refusals: both audit rows, unchanged.
	var n int
	var names string
	if err := admin.QueryRow(ctx, `SELECT count(*), string_agg(actor_name, ',' ORDER BY id) FROM audit_entries WHERE action LIKE 'test.%'`).Scan(&n, &names); err != nil {
		t.Fatal(err)
	}
	if n != 2 || names != "setup,app" {
		t.Errorf("audit after the refusals: %d rows (%s), want the 2 written", n, names)
	}
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT to_regclass('public.intruder') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("a table was created by epic_app (%v)", err)
	}
}
