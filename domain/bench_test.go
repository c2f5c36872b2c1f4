package domain_test

// Benchmarks of the list pages, search and login on the --scale data set in
// PostgreSQL, each beside the same SQL run raw with pgx (see
// docs/PERFORMANCE.md). The database is filled once by store.Generate and
// kept between runs:
//
//	EPIC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable \
//	    go test -run '^$' -bench . -benchmem -benchtime 300x -count 3 ./domain/
//
// EPIC_BENCH_DATABASE_URL (checked first) or EPIC_TEST_DATABASE_URL names
// the server; the data goes into the database epic_bench (epic_bench_N for
// another EPIC_BENCH_SCALE; -short uses 2000). Without either variable the
// benchmarks skip. A mysql:// EPIC_BENCH_DATABASE_URL runs them on MySQL
// (bench_mysql_test.go).

import (
	"context"
	"crypto/rand"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

const benchPassword = "rhubarbe-falaise-83-cormoran"

type benchEnv struct {
	db       *store.DB
	svc      *domain.Services
	pg       *pgx.Conn
	my       *sql.DB // instead of pg on MySQL
	scale    int
	sessions map[domain.Role]*domain.Session
	emails   map[domain.Role]string
	company  int64
	rec      struct {
		sync.Mutex
		on    bool
		stmts []store.Statement
	}
}

var (
	benchOnce sync.Once
	benchE    *benchEnv
	benchErr  error
	benchSkip string
)

// bench returns the shared environment, building it on first use.
func bench(b *testing.B) *benchEnv {
	b.Helper()
	benchOnce.Do(func() { benchE, benchSkip, benchErr = setupBench() })
	if benchSkip != "" {
		b.Skip(benchSkip)
	}
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchE
}

func setupBench() (*benchEnv, string, error) {
	server := os.Getenv("EPIC_BENCH_DATABASE_URL")
	if server == "" {
		server = os.Getenv("EPIC_TEST_DATABASE_URL")
	}
	if server == "" {
		return nil, "benchmarks need PostgreSQL: set EPIC_BENCH_DATABASE_URL or EPIC_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable)", nil
	}
	scale := 100000
	if testing.Short() {
		scale = 2000
	}
	if s := os.Getenv("EPIC_BENCH_SCALE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			return nil, "", fmt.Errorf("EPIC_BENCH_SCALE=%q: want a number >= 100", s)
		}
		scale = n
	}
	name := "epic_bench"
	if scale != 100000 {
		name = fmt.Sprintf("epic_bench_%d", scale)
	}
	ctx := context.Background()
	ensure := storetest.EnsureDatabase
	if store.IsMySQLDSN(server) {
		ensure = ensureMySQLDatabase
	}
	dsn, err := ensure(ctx, server, name)
	if err != nil {
		return nil, "", err
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, "", err
	}
	if err := db.Migrate(ctx); err != nil {
		return nil, "", err
	}
	hasher := auth.NewHasher()
	hash, err := hasher.Hash(benchPassword)
	if err != nil {
		return nil, "", err
	}
	e := &benchEnv{db: db, scale: scale, sessions: map[domain.Role]*domain.Session{}, emails: map[domain.Role]string{
		domain.RoleManagement: "gestion1@epic-events.fr", domain.RoleSales: "commercial1@epic-events.fr", domain.RoleSupport: "support1@epic-events.fr",
	}}
	if err := e.fill(ctx, hash); err != nil {
		return nil, "", err
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	ring, err := auth.NewKeyRing(key, nil)
	if err != nil {
		return nil, "", err
	}
	e.svc = domain.New(domain.Config{Store: db, Tokens: ring, Hasher: hasher})
	for role, email := range e.emails {
		u, err := db.Users().GetByEmail(ctx, email)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w (the database %s holds other data: drop it)", email, err, name)
		}
		// The data set may come from `demo`, with another password.
		if err := db.Users().SetPassword(ctx, u.ID, hash); err != nil {
			return nil, "", err
		}
		if err := db.Logins().Reset(ctx, email); err != nil {
			return nil, "", err
		}
		if e.sessions[role], err = e.svc.Sessions.Login(ctx, email, benchPassword); err != nil {
			return nil, "", fmt.Errorf("login %s: %w", email, err)
		}
	}
	if store.IsMySQLDSN(dsn) {
		e.my, err = openMySQLRaw(ctx, dsn)
	} else {
		e.pg, err = pgx.Connect(ctx, dsn)
	}
	if err != nil {
		return nil, "", err
	}
	// A company with clients, for "clients by company".
	p, err := e.svc.Clients.List(ctx, e.sessions[domain.RoleManagement], domain.ListQuery{Limit: 50})
	if err != nil {
		return nil, "", err
	}
	for _, c := range p.Items {
		if c.CompanyID != nil {
			e.company = *c.CompanyID
			break
		}
	}
	db.RecordSQL(func(s store.Statement) {
		e.rec.Lock()
		if e.rec.on {
			e.rec.stmts = append(e.rec.stmts, s)
		}
		e.rec.Unlock()
	})
	return e, "", nil
}

// fill generates the data set unless it is there already.
func (e *benchEnv) fill(ctx context.Context, hash string) error {
	p, err := e.db.Clients().List(ctx, domain.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	users, err := e.db.Users().Count(ctx)
	if err != nil {
		return err
	}
	if len(p.Items) > 0 {
		return nil
	}
	if users > 0 {
		return fmt.Errorf("the bench database has collaborators but no clients: drop it and run again")
	}
	fmt.Fprintf(os.Stderr, "bench: generating %d clients (once; the database is kept)…\n", e.scale)
	res, err := e.db.Generate(ctx, e.scale, 1, hash, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: %s\n", res)
	if e.db.Dialect() == store.DialectMySQL {
		return nil // openMySQLRaw analyzes the tables
	}
	// Production tables are vacuumed by autovacuum; do it now so that
	// index-only scans see an up-to-date visibility map.
	c, err := pgx.Connect(ctx, dsnOf(e))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "VACUUM ANALYZE")
	return err
}

func dsnOf(e *benchEnv) string {
	server := os.Getenv("EPIC_BENCH_DATABASE_URL")
	if server == "" {
		server = os.Getenv("EPIC_TEST_DATABASE_URL")
	}
	u, _ := url.Parse(server)
	name := "epic_bench"
	if e.scale != 100000 {
		name = fmt.Sprintf("epic_bench_%d", e.scale)
	}
	u.Path = "/" + name
	return u.String()
}

// record runs fn and returns the list statements it ran (the session
// check's statements — user state, permission version — left out).
func (e *benchEnv) record(fn func() error) ([]store.Statement, error) {
	e.rec.Lock()
	e.rec.on, e.rec.stmts = true, nil
	e.rec.Unlock()
	err := fn()
	e.rec.Lock()
	e.rec.on = false
	got := e.rec.stmts
	e.rec.Unlock()
	var out []store.Statement
	for _, s := range got {
		if isSessionCheck(s.SQL) {
			continue
		}
		out = append(out, s)
	}
	return out, err
}

func isSessionCheck(sql string) bool {
	sql = strings.ReplaceAll(sql, "`", `"`) // MySQL quotes with backticks
	return strings.Contains(sql, `"meta"`) || strings.HasPrefix(sql, `SELECT * FROM "users" WHERE id = `) ||
		strings.Contains(sql, `FROM "role_permissions"`)
}

// raw runs the statements with pgx, reading every value of every row.
func (e *benchEnv) raw(ctx context.Context, stmts []store.Statement) (int, error) {
	if e.my != nil {
		return rawMySQL(ctx, e.my, stmts)
	}
	n := 0
	for _, s := range stmts {
		rows, err := e.pg.Query(ctx, s.SQL, s.Args...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
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

// timed runs fn b.N times and reports the 99th percentile.
func timed(b *testing.B, fn func() error) {
	b.Helper()
	d := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(d)
	p99 := d[min(len(d)-1, len(d)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

// listCase is one list page to measure.
type listCase struct {
	name string
	role domain.Role
	list string // clients, contracts, events
	q    domain.ListQuery
	deep bool
}

func (e *benchEnv) call(ctx context.Context, c listCase, q domain.ListQuery) (string, int, error) {
	s := e.sessions[c.role]
	switch c.list {
	case "clients":
		p, err := e.svc.Clients.List(ctx, s, q)
		return p.Next, len(p.Items), err
	case "contracts":
		p, err := e.svc.Contracts.List(ctx, s, q)
		return p.Next, len(p.Items), err
	default:
		p, err := e.svc.Events.List(ctx, s, q)
		return p.Next, len(p.Items), err
	}
}

// deepPages is how many pages a "deep" case follows before measuring.
const deepPages = 20

func benchCases(e *benchEnv) []listCase {
	now := time.Now().UTC()
	month := now.AddDate(0, 1, 0)
	company := e.company
	common := "martin"
	rare := fmt.Sprintf(".%d@", e.scale/2+7) // one client's email
	base := []listCase{
		{name: "clients/all", role: domain.RoleManagement, list: "clients"},
		{name: "clients/mine", role: domain.RoleSales, list: "clients", q: domain.ListQuery{Filter: domain.FilterMine}},
		{name: "clients/company", role: domain.RoleManagement, list: "clients", q: domain.ListQuery{CompanyID: &company}},
		{name: "clients/search-common", role: domain.RoleManagement, list: "clients", q: domain.ListQuery{Search: common}},
		{name: "contracts/all", role: domain.RoleManagement, list: "contracts"},
		{name: "contracts/unsigned", role: domain.RoleManagement, list: "contracts", q: domain.ListQuery{Filter: domain.FilterUnsigned}},
		{name: "contracts/unpaid", role: domain.RoleManagement, list: "contracts", q: domain.ListQuery{Filter: domain.FilterUnpaid}},
		{name: "contracts/mine", role: domain.RoleSales, list: "contracts", q: domain.ListQuery{Filter: domain.FilterMine}},
		{name: "contracts/search-common", role: domain.RoleManagement, list: "contracts", q: domain.ListQuery{Search: common}},
		{name: "events/all", role: domain.RoleManagement, list: "events"},
		{name: "events/upcoming", role: domain.RoleManagement, list: "events", q: domain.ListQuery{Filter: domain.FilterUpcoming}},
		{name: "events/past", role: domain.RoleManagement, list: "events", q: domain.ListQuery{Filter: domain.FilterPast, Desc: true}},
		{name: "events/unassigned", role: domain.RoleManagement, list: "events", q: domain.ListQuery{Filter: domain.FilterUnassigned}},
		{name: "events/mine-support", role: domain.RoleSupport, list: "events", q: domain.ListQuery{Filter: domain.FilterMine}},
		{name: "events/mine-sales", role: domain.RoleSales, list: "events", q: domain.ListQuery{Filter: domain.FilterMine}},
		{name: "events/range", role: domain.RoleManagement, list: "events", q: domain.ListQuery{From: &now, To: &month}},
		{name: "events/search-common", role: domain.RoleManagement, list: "events", q: domain.ListQuery{Search: common}},
	}
	var out []listCase
	for _, c := range base {
		first, deep := c, c
		first.name += "/first"
		deep.name += "/deep"
		deep.deep = true
		out = append(out, first, deep)
	}
	for _, l := range []string{"clients", "contracts", "events"} {
		out = append(out, listCase{name: l + "/search-rare/first", role: domain.RoleManagement, list: l, q: domain.ListQuery{Search: rare}})
	}
	return out
}

// BenchmarkList measures each list page through the services (session
// check included) and the same statements raw with pgx.
func BenchmarkList(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	for _, c := range benchCases(e) {
		q := c.q
		if c.deep {
			for i := 0; i < deepPages; i++ {
				next, _, err := e.call(ctx, c, q)
				if err != nil {
					b.Fatalf("%s: %v", c.name, err)
				}
				if next == "" {
					break
				}
				q.After = next
			}
		}
		var rows int
		stmts, err := e.record(func() error {
			var err error
			_, rows, err = e.call(ctx, c, q)
			return err
		})
		if err != nil {
			b.Fatalf("%s: %v", c.name, err)
		}
		if len(stmts) == 0 {
			b.Fatalf("%s: no statement recorded", c.name)
		}
		if os.Getenv("EPIC_BENCH_SHOW_SQL") != "" {
			for _, s := range stmts {
				b.Logf("%s:\n%s\n%#v", c.name, s.SQL, s.Args)
			}
		}
		b.Run(c.name+"/service", func(b *testing.B) {
			timed(b, func() error {
				_, n, err := e.call(ctx, c, q)
				if err == nil && n != rows {
					err = fmt.Errorf("%d rows, then %d", rows, n)
				}
				return err
			})
		})
		b.Run(c.name+"/raw", func(b *testing.B) {
			timed(b, func() error {
				_, err := e.raw(ctx, stmts)
				return err
			})
		})
	}
}

// BenchmarkSession measures what every service call pays before its work:
// the access token's verification, the user's state (cached for a second)
// and the permission version; beside it the statements raw.
func BenchmarkSession(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	s := e.sessions[domain.RoleManagement]
	b.Run("check/service", func(b *testing.B) {
		timed(b, func() error { _, err := e.svc.Sessions.Actor(ctx, s); return err })
	})
	var all []store.Statement
	e.rec.Lock()
	e.rec.on, e.rec.stmts = true, nil
	e.rec.Unlock()
	time.Sleep(1100 * time.Millisecond) // past the state cache: record both reads
	_, err := e.svc.Sessions.Actor(ctx, s)
	e.rec.Lock()
	e.rec.on, all = false, e.rec.stmts
	e.rec.Unlock()
	if err != nil || len(all) == 0 {
		b.Fatalf("record session check: %v (%d statements)", err, len(all))
	}
	b.Run("check/raw", func(b *testing.B) {
		timed(b, func() error { _, err := e.raw(ctx, all); return err })
	})
}

// BenchmarkMay measures the question the UI asks before it opens a form:
// the session check, the record's load and the decision (a management
// session: allowed, so nothing is written).
func BenchmarkMay(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	s := e.sessions[domain.RoleManagement]
	p, err := e.svc.Clients.List(ctx, s, domain.ListQuery{Limit: 1})
	if err != nil || len(p.Items) == 0 {
		b.Fatalf("a client to ask about: %v", err)
	}
	id := p.Items[0].ID
	b.Run("client.update", func(b *testing.B) {
		timed(b, func() error { return e.svc.May(ctx, s, domain.ActClientUpdate, id) })
	})
}

// BenchmarkLogin measures a whole login: argon2id verification (by design
// tens of milliseconds), throttling state, refresh token.
func BenchmarkLogin(b *testing.B) {
	e := bench(b)
	ctx := context.Background()
	email := e.emails[domain.RoleSupport]
	b.Run("service", func(b *testing.B) {
		timed(b, func() error {
			s, err := e.svc.Sessions.Login(ctx, email, benchPassword)
			if err != nil {
				return err
			}
			return e.svc.Sessions.Logout(ctx, s)
		})
	})
}
