package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// A mysql:// address that cannot work is refused with a sentence that says
// what is missing, and no message ever carries the password.
func TestMySQLAddress(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	for _, tc := range []struct{ dsn, want string }{
		{"mysql://epic:s3cret@127.0.0.1:3306/", "names no database"},
		{"mysql://epic:s3cret@127.0.0.1:3306/a/b", "names no database"},
		{"mysql://epic:s3cret@/crm", "names no host"},
	} {
		_, err := store.Open(ctx, tc.dsn)
		if !errors.Is(err, domain.ErrInvalid) || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%q) = %v, want ErrInvalid saying %q", tc.dsn, err, tc.want)
		}
	}
	// Nothing listens on port 1: unavailable, without the password.
	_, err := store.Open(ctx, "mysql://epic:s3cret@127.0.0.1:1/crm?timeout=2s")
	if !errors.Is(err, domain.ErrUnavailable) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("Open(unreachable) = %v, want ErrUnavailable", err)
	}
	got := store.DescribeDSN("mysql://epic:p%40ss%2Fw@db.example:3306/crm?tls=true")
	if got != "mysql epic@db.example:3306/crm" {
		t.Errorf("DescribeDSN(mysql) = %q", got)
	}
}

// A wrong password is "unavailable" (the operator's problem, not a bug),
// and the password is not in the error.
func TestMySQLWrongPassword(t *testing.T) {
	t.Parallel()
	server := storetest.MySQLServerURL(t)
	dsn := strings.Replace(server, "mysql://root@", "mysql://root:not-the-pw-42@", 1)
	if dsn == server {
		dsn = strings.Replace(server, "mysql://", "mysql://nobody-here:not-the-pw-42@", 1)
		if i := strings.Index(dsn, "@"); strings.Count(dsn[:i], ":") > 2 {
			t.Fatalf("%s already carries credentials: cannot build a wrong one", storetest.EnvMySQLURL)
		}
	}
	ctx, cancel := context.WithTimeout(bg, 30*time.Second)
	defer cancel()
	_, err := store.Open(ctx, dsn)
	if !errors.Is(err, domain.ErrUnavailable) || strings.Contains(err.Error(), "not-the-pw-42") {
		t.Fatalf("Open(wrong password) = %v, want ErrUnavailable without the password", err)
	}
}

// Names and emails compare case-insensitively everywhere; on MySQL (its
// collation) and SQLite (a folding function) also accent-insensitively,
// so "helene" finds "Hélène".
func TestAccentAndCaseInsensitiveText(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		folds := db.Dialect() != store.DialectPostgres
		boss := mkUser(t, db, domain.RoleManagement, "Anne Martin")
		co := domain.Company{Name: "Événements Dupont"}
		if err := db.Companies().Create(bg, &co); err != nil {
			t.Fatal(err)
		}
		h := domain.Client{FullName: "Hélène Lefèvre", Email: "helene.lefevre@client.test", CompanyID: &co.ID}
		if err := db.Clients().Create(bg, &h, boss.ID); err != nil {
			t.Fatal(err)
		}
		other := mkClient(t, db, "Paul Durand", nil, nil, boss.ID)

		dup := domain.Client{FullName: "Autre", Email: "HELENE.Lefevre@CLIENT.test"}
		if err := db.Clients().Create(bg, &dup, boss.ID); !errors.Is(err, domain.ErrDuplicate) {
			t.Fatalf("same email in capitals: %v", err)
		}
		if got, err := db.Clients().GetByEmail(bg, "Helene.LEFEVRE@client.TEST"); err != nil || got.ID != h.ID {
			t.Fatalf("get by email in capitals: %+v %v", got, err)
		}
		if got, err := db.Companies().GetByName(bg, "Événements DUPONT"); err != nil || got.ID != co.ID {
			t.Fatalf("company by name: %+v %v", got, err)
		}

		searches := []string{"hélène", "lefèvre", "LEFÈVRE", "dupont"}
		if folds {
			searches = append(searches, "helene", "HELENE LEFEVRE", "evenements", "EVENEMENTS")
		}
		for _, text := range searches {
			p, err := db.Clients().List(bg, domain.ListQuery{Search: text})
			if err != nil || len(p.Items) != 1 || p.Items[0].ID != h.ID {
				t.Errorf("clients search %q: %+v %v", text, p.Items, err)
			}
		}
		for _, text := range []string{"hélène", "paul", "martin"} {
			p, err := db.Clients().List(bg, domain.ListQuery{Search: text})
			want := map[string]int64{"hélène": h.ID, "paul": other.ID}[text]
			if err != nil || (want != 0 && (len(p.Items) != 1 || p.Items[0].ID != want)) || (want == 0 && len(p.Items) != 0) {
				t.Errorf("clients search %q: %+v %v", text, p.Items, err)
			}
		}
		if folds {
			cs, err := db.Companies().Search(bg, "evenements", 10)
			if err != nil || len(cs) != 1 || cs[0].ID != co.ID {
				t.Errorf("company search without accents: %+v %v", cs, err)
			}
			us, err := db.Users().List(bg, domain.ListQuery{Search: "ANNE"})
			if err != nil || len(us.Items) != 1 {
				t.Errorf("user search: %+v %v", us.Items, err)
			}
		}
		// Accented capitals are the same company name on the servers (SQLite
		// lower-cases ASCII letters only, in its unique index too).
		if db.Dialect() != store.DialectSQLite {
			if got, err := db.Companies().GetByName(bg, "événements DUPONT"); err != nil || got.ID != co.ID {
				t.Errorf("company by name in other accented case: %+v %v", got, err)
			}
			if err := db.Companies().Create(bg, &domain.Company{Name: "ÉVÉNEMENTS DUPONT"}); !errors.Is(err, domain.ErrDuplicate) {
				t.Errorf("company name in accented capitals: %v", err)
			}
		}
	})
}
