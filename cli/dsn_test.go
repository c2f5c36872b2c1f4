package cli

import (
	"strings"
	"testing"
)

// A mysql:// URL is a server, not a file: it goes to the store as given,
// and what the status line and the logs show of it has no password.
func TestMySQLDatabaseURL(t *testing.T) {
	cfg := config{DatabaseURL: "mysql://app:s3cret@db.example:3306/crm?tls=true", DataDir: t.TempDir()}
	dsn, err := cfg.dsn()
	if err != nil || dsn != cfg.DatabaseURL {
		t.Fatalf("dsn = %q, %v; want the URL unchanged", dsn, err)
	}
	if got := scrub("dial " + dsn + " failed"); strings.Contains(got, "s3cret") {
		t.Errorf("scrub kept the password: %q", got)
	}
}
