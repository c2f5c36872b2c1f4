package tui

import (
	"context"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// tcpProxy stands between the app and PostgreSQL so that a test can take
// the database away (every connection cut, new ones refused) and bring it
// back on the same address.
type tcpProxy struct {
	t      *testing.T
	addr   string // where the app connects
	target string // the real server
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{t: t, addr: ln.Addr().String(), target: target}
	p.serve(ln)
	t.Cleanup(p.down)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", p.target)
			if err != nil {
				_ = c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); _ = s.Close() }()
			go func() { _, _ = io.Copy(c, s); _ = c.Close() }()
		}
	}()
}

// down closes the listener and cuts every connection.
func (p *tcpProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		_ = p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

// up listens again on the same address.
func (p *tcpProxy) up() {
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		p.t.Fatalf("proxy up again: %v", err)
	}
	p.serve(ln)
}

// TestFormSaysWhenTheDatabaseIsBack: a save that meets an unreachable
// database keeps the typed values and, without any key, the form says
// when the database is back; ctrl+s then saves.
func TestFormSaysWhenTheDatabaseIsBack(t *testing.T) {
	dsn := storetest.CreateDatabase(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	ctx := context.Background()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	kr, err := auth.NewKeyRing([]byte("0123456789abcdef0123456789abcdef-tui-tests"), nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := domain.New(domain.Config{Store: db, Tokens: kr, Hasher: auth.NewHasher(), Now: func() time.Time { return testNow }})
	must(svc.Sessions.Setup(ctx, domain.UserInput{FullName: "Margaret Hale", Email: "margaret@epic.test"}, testPassword))
	mgr := must(svc.Sessions.Login(ctx, "margaret@epic.test", testPassword))
	must(svc.Users.Create(ctx, mgr, domain.UserInput{FullName: "Samuel Sales", Email: "sam@epic.test", Role: domain.RoleSales}, testPassword))
	sales := must(svc.Sessions.Login(ctx, "sam@epic.test", testPassword))

	r := start(t, Options{Services: svc, Session: sales, DBLabel: "postgres test", Now: func() time.Time { return testNow },
		Location: testLoc, NoColor: true}, 100, 30)
	r.waitFor("Dashboard")
	r.typeText("2")
	r.waitFor("Clients")
	r.typeText("n")
	r.waitFor("New client")
	r.typeText("Inès Garnier")
	r.press(tea.KeyTab)
	r.typeText("ines@garnier.test")
	proxy.down()
	ctrl(r, 's')
	r.waitFor("cannot be reached — nothing was lost")
	time.Sleep(1500 * time.Millisecond) // a probe or two fail meanwhile
	if s := r.o.screen(); strings.Contains(s, dbBackText) {
		t.Fatalf("the form says the database is back while it is not:\n%s", s)
	}
	proxy.up()
	r.waitFor(dbBackText, "Inès Garnier", "ines@garnier.test")
	ctrl(r, 's')
	r.waitFor("Inès Garnier", "1–1 of 1")
	c, err := db.Clients().GetByEmail(ctx, "ines@garnier.test")
	if err != nil || c.FullName != "Inès Garnier" {
		t.Fatalf("the client after the outage: %+v, %v", c, err)
	}
}
