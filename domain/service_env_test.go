package domain_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// testPassword is every fixture user's password (long enough for the policy).
const testPassword = "velvet tundra quietly orbits 47"

var (
	hasherOnce sync.Once
	hasher     *auth.Hasher
	fixedHash  string
)

// sharedHasher returns the real argon2id hasher and one hash of
// testPassword, computed once: fixtures store it instead of hashing again.
func sharedHasher(t testing.TB) (*auth.Hasher, string) {
	hasherOnce.Do(func() {
		hasher = auth.NewHasher()
		h, err := hasher.Hash(testPassword)
		if err != nil {
			panic(err)
		}
		fixedHash = h
	})
	return hasher, fixedHash
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is one database with fixture collaborators and services over it.
type env struct {
	t     *testing.T
	ctx   context.Context
	db    domain.Store
	ring  *auth.KeyRing
	clock *clock
	svc   *domain.Services
	users map[string]domain.User // mgr, mgr2, sales, sales2, support, support2
	seq   atomic.Int64
}

// roleUser is the fixture user acting for each role in the matrix.
var roleUser = map[domain.Role]string{
	domain.RoleManagement: "mgr",
	domain.RoleSales:      "sales",
	domain.RoleSupport:    "support",
}

func newRing(t testing.TB) *auth.KeyRing {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	ring, err := auth.NewKeyRing(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ring
}

// newEnv builds the services over db (no user yet when bare).
func newEnv(t *testing.T, db domain.Store, bare bool) *env {
	sharedHasher(t)
	e := &env{
		t:     t,
		ctx:   context.Background(),
		db:    db,
		ring:  newRing(t),
		clock: &clock{t: time.Now().UTC().Truncate(time.Second)},
		users: map[string]domain.User{},
	}
	e.svc = e.services()
	if !bare {
		for _, u := range []struct {
			key  string
			role domain.Role
		}{
			{"mgr", domain.RoleManagement}, {"mgr2", domain.RoleManagement},
			{"sales", domain.RoleSales}, {"sales2", domain.RoleSales},
			{"support", domain.RoleSupport}, {"support2", domain.RoleSupport},
		} {
			e.users[u.key] = e.newUser(u.key, u.role)
		}
	}
	return e
}

// services builds another set of services over the same database and keys,
// as a second process would.
func (e *env) services() *domain.Services {
	h, _ := sharedHasher(e.t)
	return domain.New(domain.Config{Store: e.db, Tokens: e.ring, Hasher: h, Now: e.clock.Now})
}

func (e *env) next() int64 { return e.seq.Add(1) }

// newUser stores an active collaborator whose password is testPassword.
func (e *env) newUser(name string, role domain.Role) domain.User {
	e.t.Helper()
	_, hash := sharedHasher(e.t)
	n := e.next()
	u := domain.User{
		FullName:     fmt.Sprintf("%s %d", strings.ToUpper(name[:1])+name[1:], n),
		Email:        fmt.Sprintf("%s.%d@epic-events.test", name, n),
		Role:         role,
		Active:       true,
		PasswordHash: hash,
	}
	if err := e.db.Users().Create(e.ctx, &u, nil); err != nil {
		e.t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

// session opens a session for a fixture user without spending a password
// hash: tokens issued now, then Resume.
func (e *env) session(key string) *domain.Session {
	e.t.Helper()
	return e.sessionOf(e.svc, e.users[key])
}

func (e *env) sessionOf(svc *domain.Services, u domain.User) *domain.Session {
	e.t.Helper()
	now := e.clock.Now()
	fam := fmt.Sprintf("fam-%d-%d", u.ID, e.next())
	access, err := e.ring.IssueAccess(u.ID, u.Role, fam, now)
	if err != nil {
		e.t.Fatal(err)
	}
	refresh, hash, err := e.ring.NewRefresh()
	if err != nil {
		e.t.Fatal(err)
	}
	rt := domain.RefreshToken{Hash: hash, FamilyID: fam, UserID: u.ID, IssuedAt: now, ExpiresAt: now.Add(domain.RefreshLifetime)}
	if err := e.db.Tokens().Create(e.ctx, rt); err != nil {
		e.t.Fatal(err)
	}
	s, err := svc.Sessions.Resume(e.ctx, access, refresh)
	if err != nil {
		e.t.Fatalf("resume session of %s: %v", u.Email, err)
	}
	return s
}

// newClient stores a client whose sales contact is owner (nil = none).
func (e *env) newClient(owner *domain.User) domain.Client {
	e.t.Helper()
	n := e.next()
	c := domain.Client{FullName: fmt.Sprintf("Client %d", n), Email: fmt.Sprintf("client.%d@example.fr", n), Phone: "+33 1 23 45 67 89"}
	if owner != nil {
		c.SalesContactID = &owner.ID
	}
	if err := e.db.Clients().Create(e.ctx, &c, e.users["mgr"].ID); err != nil {
		e.t.Fatalf("create client: %v", err)
	}
	c, err := e.db.Clients().Get(e.ctx, c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// newContract stores a contract of client, signed or draft.
func (e *env) newContract(cl domain.Client, total int64, signed bool) domain.Contract {
	e.t.Helper()
	k := domain.Contract{ClientID: cl.ID, TotalCents: total, RemainingCents: total, Status: domain.ContractDraft}
	if err := e.db.Contracts().Create(e.ctx, &k, e.users["mgr"].ID); err != nil {
		e.t.Fatalf("create contract: %v", err)
	}
	k, err := e.db.Contracts().Get(e.ctx, k.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	if signed {
		now := e.clock.Now()
		mgr := e.users["mgr"]
		k.Status, k.SignedAt, k.SignedByID = domain.ContractSigned, &now, &mgr.ID
		if err := e.db.Contracts().Update(e.ctx, &k, mgr.ID); err != nil {
			e.t.Fatalf("sign contract: %v", err)
		}
		if k, err = e.db.Contracts().Get(e.ctx, k.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return k
}

// newEvent stores the event of a signed contract, starting in a week.
func (e *env) newEvent(k domain.Contract, support *domain.User) domain.Event {
	e.t.Helper()
	start := e.clock.Now().Add(7 * 24 * time.Hour)
	ev := domain.Event{Name: fmt.Sprintf("Event %d", e.next()), ContractID: k.ID, ClientID: k.ClientID, Start: start, End: start.Add(4 * time.Hour),
		Location: "Lyon", Attendees: 40, Status: domain.EventPlanned}
	if support != nil {
		ev.SupportContactID = &support.ID
	}
	if err := e.db.Events().Create(e.ctx, &ev, e.users["mgr"].ID); err != nil {
		e.t.Fatalf("create event: %v", err)
	}
	ev, err := e.db.Events().Get(e.ctx, ev.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return ev
}

// lastAudit returns the newest audit entry.
func (e *env) lastAudit() domain.AuditEntry {
	e.t.Helper()
	p, err := e.db.Audit().List(e.ctx, domain.ListQuery{Sort: domain.SortAt, Limit: 1, Now: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	if len(p.Items) == 0 {
		return domain.AuditEntry{}
	}
	return p.Items[0]
}

// auditActions lists the actions of the newest n audit entries.
func (e *env) auditActions(n int) []string {
	e.t.Helper()
	p, err := e.db.Audit().List(e.ctx, domain.ListQuery{Sort: domain.SortAt, Limit: n, Now: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, a := range p.Items {
		out = append(out, a.Action)
	}
	return out
}

// snapshot renders everything a refused action could have changed: every
// user (with password hash and session state), company, client, contract
// with its payments, event, and the permission matrix.
func (e *env) snapshot() string {
	e.t.Helper()
	ctx, now := e.ctx, e.clock.Now()
	var b strings.Builder
	var userIDs []int64
	for q := (domain.ListQuery{Sort: domain.SortName, Limit: 500, Now: now}); ; {
		p, err := e.db.Users().List(ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, u := range p.Items {
			userIDs = append(userIDs, u.ID)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	slices.Sort(userIDs)
	for _, id := range userIDs {
		u, err := e.db.Users().Get(ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		st, err := e.db.Users().State(ctx, id)
		if err != nil {
			e.t.Fatal(err)
		}
		fmt.Fprintf(&b, "user %d %s|%s|%s|%s|%s|%v|v%d|%s|%s\n", u.ID, u.EmployeeNo, u.FullName, u.Email, u.Phone, u.Role, u.Active, u.Version, u.PasswordHash, st.ValidAfter.UTC())
	}
	cos, err := e.db.Companies().Search(ctx, "", 500)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, c := range cos {
		fmt.Fprintf(&b, "company %d %s\n", c.ID, c.Name)
	}
	for q := (domain.ListQuery{Sort: domain.SortCreated, Limit: 500, Now: now}); ; {
		p, err := e.db.Clients().List(ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, c := range p.Items {
			fmt.Fprintf(&b, "client %d %s|%s|%s|%v|%v|v%d\n", c.ID, c.FullName, c.Email, c.Phone, ptr(c.CompanyID), ptr(c.SalesContactID), c.Version)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	for q := (domain.ListQuery{Sort: domain.SortCreated, Limit: 500, Now: now}); ; {
		p, err := e.db.Contracts().List(ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, k := range p.Items {
			fmt.Fprintf(&b, "contract %d c%d %d/%d %s %v v%d\n", k.ID, k.ClientID, k.RemainingCents, k.TotalCents, k.Status, ptr(k.SignedByID), k.Version)
			if k.RemainingCents == k.TotalCents {
				continue // a payment (a deposit too) always lowers the remaining amount
			}
			pays, err := e.db.Contracts().Payments(ctx, k.ID)
			if err != nil {
				e.t.Fatal(err)
			}
			for _, pay := range pays {
				fmt.Fprintf(&b, "  payment %d %d %s\n", pay.ID, pay.AmountCents, pay.Note)
			}
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	for q := (domain.ListQuery{Sort: domain.SortCreated, Limit: 500, Now: now}); ; {
		p, err := e.db.Events().List(ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, ev := range p.Items {
			fmt.Fprintf(&b, "event %d k%d %s|%s|%s|%s|%d|%s|%s|%v v%d\n", ev.ID, ev.ContractID, ev.Name, ev.Start.UTC(), ev.End.UTC(), ev.Location, ev.Attendees, ev.Notes, ev.Status, ptr(ev.SupportContactID), ev.Version)
		}
		if p.Next == "" {
			break
		}
		q.After = p.Next
	}
	for _, r := range domain.Roles {
		codes, err := e.db.Perms().ForRole(ctx, r)
		if err != nil {
			e.t.Fatal(err)
		}
		sort.Strings(codes)
		fmt.Fprintf(&b, "perms %s %s\n", r, strings.Join(codes, ","))
	}
	return b.String()
}

func ptr(p *int64) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// isValidation reports whether err is a ValidationError with a message on
// field, and returns the message.
func validationMsg(err error, field string) (string, bool) {
	var v *domain.ValidationError
	if !errors.As(err, &v) {
		return "", false
	}
	m, ok := v.Fields[field]
	return m, ok
}
