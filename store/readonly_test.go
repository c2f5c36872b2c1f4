package store_test

import (
	"errors"
	"testing"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// A PostgreSQL database switched to read-only answers a write with
// ErrReadOnly, which says so — not "unreachable, retrying".
func TestReadOnlyPostgresIsNamed(t *testing.T) {
	t.Parallel()
	db := storetest.NewPostgres(t)
	ctx := t.Context()
	err := store.ExecForTest(ctx, db, `DO $$ BEGIN
		EXECUTE format('ALTER DATABASE %I SET default_transaction_read_only = on', current_database());
	END $$`)
	if err != nil {
		t.Fatal(err)
	}
	ro, err := store.Open(ctx, store.DSNForTest(db))
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	err = ro.Companies().Create(ctx, &domain.Company{Name: "Lecture Seule"})
	if !errors.Is(err, domain.ErrReadOnly) || errors.Is(err, domain.ErrUnavailable) {
		t.Fatalf("write to a read-only database: %v", err)
	}
	if _, err := ro.Companies().Search(ctx, "", 5); err != nil {
		t.Fatalf("reading still works: %v", err)
	}
}
