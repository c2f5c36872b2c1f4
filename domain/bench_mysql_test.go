package domain_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"

	"github.com/epic-events/crm/store"
)

// The benchmarks run on MySQL/MariaDB when EPIC_BENCH_DATABASE_URL is a
// mysql:// URL (an account that may create the database epic_bench), e.g.
//
//	EPIC_BENCH_DATABASE_URL=mysql://root@127.0.0.1:3306/test \
//	    go test -run '^$' -bench . -benchmem -benchtime 200x -count 3 ./domain/
//
// The raw side replays the recorded statements through database/sql and
// the same driver settings as the store, on one connection.

// ensureMySQLDatabase creates the database name on the MySQL server when
// it is missing and returns its address.
func ensureMySQLDatabase(ctx context.Context, server, name string) (string, error) {
	c, err := store.MySQLConnector(server)
	if err != nil {
		return "", err
	}
	admin := sql.OpenDB(c)
	defer admin.Close()
	// Identifiers cannot be parameters: name is a constant or a number.
	stmt := "CREATE DATABASE IF NOT EXISTS `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci" // sqlcheck:ok identifiers cannot be parameters; name is a constant or a number
	if _, err := admin.ExecContext(ctx, stmt); err != nil {
		return "", err
	}
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("bench database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

// openMySQLRaw opens the one connection the raw side uses, and refreshes
// the tables' statistics (as a live server does by itself).
func openMySQLRaw(ctx context.Context, dsn string) (*sql.DB, error) {
	c, err := store.MySQLConnector(dsn)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "ANALYZE TABLE users, companies, clients, contracts, payments, events"); err != nil {
		_ = db.Close()
		return nil, err
	}
	return db, nil
}

// rawMySQL runs the statements on my, reading every value of every row.
func rawMySQL(ctx context.Context, my *sql.DB, stmts []store.Statement) (int, error) {
	n := 0
	for _, s := range stmts {
		rows, err := my.QueryContext(ctx, s.SQL, s.Args...)
		if err != nil {
			return 0, err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return 0, err
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return 0, err
			}
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	return n, nil
}
