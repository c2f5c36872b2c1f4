package store_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// The migrations seed exactly the Go permission catalog and default grants.
func TestSeedMatchesDomain(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		all, err := db.Perms().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(all, domain.PermissionCatalog) {
			t.Errorf("seeded catalog differs from domain.PermissionCatalog:\n got %v\nwant %v", all, domain.PermissionCatalog)
		}
		for _, r := range domain.Roles {
			got, err := db.Perms().ForRole(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			want := slices.Clone(domain.DefaultGrants[r])
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("role %s: seeded %v, want %v", r, got, want)
			}
		}
		if v, err := db.Perms().Version(ctx); err != nil || v < 1 {
			t.Errorf("perm version = %d, %v", v, err)
		}
	})
}

// Migrating twice is harmless, and status lists the migration as applied.
func TestMigrateIdempotentAndStatus(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.Pending(ctx)
		if err != nil || n != 0 {
			t.Fatalf("pending = %d, %v", n, err)
		}
		var b bytes.Buffer
		if err := db.MigrationStatus(ctx, &b); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "applied") || !strings.Contains(b.String(), "00001_init.sql") {
			t.Errorf("status:\n%s", b.String())
		}
	})
}

func TestDescribeDSNHidesPassword(t *testing.T) {
	t.Parallel()
	got := store.DescribeDSN("postgres://epic:s3cr3t-pw@db.example:5432/crm?sslmode=require&password=other")
	if strings.Contains(got, "s3cr3t") || strings.Contains(got, "other") || !strings.Contains(got, "db.example:5432/crm") {
		t.Errorf("DescribeDSN = %q", got)
	}
	if got := store.DescribeDSN("/tmp/x/epic.db"); got != "sqlite /tmp/x/epic.db" {
		t.Errorf("DescribeDSN(file) = %q", got)
	}
}
