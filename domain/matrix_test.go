package domain_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// Ownership cases of the permission matrix.
const (
	ownNone     = "-"          // no relation to a record
	ownOwn      = "own"        // the actor is the client's sales contact
	ownOther    = "other"      // someone else is
	ownAssigned = "assigned"   // the actor is the event's support contact
	ownUnassign = "unassigned" // someone else is
)

// target holds the records a case acts on, built fresh for each case.
type target struct {
	client   domain.Client
	contract domain.Contract
	event    domain.Event
	user     domain.User
	company  domain.Company
}

// mrow is one service method under one ownership case.
type mrow struct {
	method  string // Service.Method, as the guard test reads them
	owner   string
	allow   []domain.Role
	action  string // audited action: on success (writes) or with .denied on refusal
	read    bool   // a read: no audit entry on success
	arrange func(e *env, actor domain.User) target
	act     func(ctx context.Context, e *env, s *domain.Session, tg target) error
	cleanup func(e *env)
}

var (
	all      = []domain.Role{domain.RoleManagement, domain.RoleSales, domain.RoleSupport}
	mgmt     = []domain.Role{domain.RoleManagement}
	sales    = []domain.Role{domain.RoleSales}
	mgmtSale = []domain.Role{domain.RoleManagement, domain.RoleSales}
	mgmtSupp = []domain.Role{domain.RoleManagement, domain.RoleSupport}
	nobody   = []domain.Role{}
)

// owned returns the sales contact of a case's client.
func owned(e *env, actor domain.User, owner string) *domain.User {
	if owner == ownOwn {
		return &actor
	}
	u := e.users["sales2"]
	return &u
}

func clientCase(owner string) func(e *env, actor domain.User) target {
	return func(e *env, actor domain.User) target {
		return target{client: e.newClient(owned(e, actor, owner))}
	}
}

func contractCase(owner string, signed bool) func(e *env, actor domain.User) target {
	return func(e *env, actor domain.User) target {
		cl := e.newClient(owned(e, actor, owner))
		return target{client: cl, contract: e.newContract(cl, 100000, signed)}
	}
}

// eventCase builds a signed contract's event. owner "own" makes the actor
// the client's sales contact; "assigned" makes them the support contact.
func eventCase(owner string) func(e *env, actor domain.User) target {
	return func(e *env, actor domain.User) target {
		var cl domain.Client
		if owner == ownOwn {
			cl = e.newClient(&actor)
		} else {
			s2 := e.users["sales2"]
			cl = e.newClient(&s2)
		}
		k := e.newContract(cl, 100000, true)
		sup := e.users["support2"]
		if owner == ownAssigned {
			sup = actor
		}
		return target{client: cl, contract: k, event: e.newEvent(k, &sup)}
	}
}

func userCase(e *env, _ domain.User) target {
	return target{user: e.newUser("target", domain.RoleSales)}
}

func nothing(*env, domain.User) target { return target{} }

func eventInput(tg target, e *env) domain.EventInput {
	start := e.clock.Now().Add(30 * 24 * time.Hour)
	return domain.EventInput{ContractID: tg.contract.ID, Name: "Lancement Dupont", Location: "Paris 8e", Notes: "DJ\nbuffet",
		Start: start, End: start.Add(5 * time.Hour), Attendees: 120, Status: domain.EventConfirmed}
}

// matrixRows is SPEC §3's table as service calls: every method of every
// service, for every ownership case that changes the answer.
func matrixRows() []mrow {
	var rows []mrow
	add := func(r mrow) { rows = append(rows, r) }

	// Sessions: not permission-checked (no actor yet, or the actor itself).
	add(mrow{method: "Sessions.NeedsSetup", owner: ownNone, allow: all, read: true, arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			needs, err := e.svc.Sessions.NeedsSetup(ctx)
			if err == nil && needs {
				return errors.New("setup needed with users present")
			}
			return err
		}})
	add(mrow{method: "Sessions.Setup", owner: ownNone, allow: nobody, action: "", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Sessions.Setup(ctx, domain.UserInput{FullName: "Intruder", Email: "intruder@example.fr"}, testPassword+" extra")
			return err
		}})
	add(mrow{method: "Sessions.Login", owner: ownOwn, allow: all, action: "user.login", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			a, err := e.svc.Sessions.Actor(ctx, s)
			if err != nil {
				return err
			}
			_, err = e.svc.Sessions.Login(ctx, strings.ToUpper(a.Email), testPassword)
			return err
		}})
	add(mrow{method: "Sessions.Resume", owner: ownOwn, allow: all, read: true, arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			access, refresh := s.Tokens()
			_, err := e.svc.Sessions.Resume(ctx, access, refresh)
			return err
		}})
	add(mrow{method: "Sessions.Actor", owner: ownOwn, allow: all, read: true, arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Sessions.Actor(ctx, s)
			return err
		}})
	add(mrow{method: "Sessions.Logout", owner: ownOwn, allow: all, action: "user.logout", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			if err := e.svc.Sessions.Logout(ctx, s); err != nil {
				return err
			}
			if _, err := e.svc.Sessions.Actor(ctx, s); !errors.Is(err, domain.ErrUnauthenticated) {
				return errors.New("session still usable after logout")
			}
			return nil
		}})

	// Reads everyone may do.
	readAll := func(method string, act func(ctx context.Context, e *env, s *domain.Session, tg target) error) {
		add(mrow{method: method, owner: ownOther, allow: all, read: true, arrange: eventCase(ownOther), act: act})
	}
	readAll("Clients.List", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		p, err := e.svc.Clients.List(ctx, s, domain.ListQuery{Search: tg.client.Email})
		if err == nil && len(p.Items) != 1 {
			return errors.New("search did not find the client")
		}
		return err
	})
	readAll("Clients.Get", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Clients.Get(ctx, s, tg.client.ID)
		return err
	})
	readAll("Clients.Detail", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		d, err := e.svc.Clients.Detail(ctx, s, tg.client.ID)
		if err == nil && (len(d.Contracts) != 1 || len(d.Events) != 1) {
			return errors.New("detail lacks the client's contract or event")
		}
		return err
	})
	readAll("Contracts.List", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Contracts.List(ctx, s, domain.ListQuery{Filter: domain.FilterUnpaid})
		return err
	})
	readAll("Contracts.Get", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Contracts.Get(ctx, s, tg.contract.ID)
		return err
	})
	readAll("Contracts.Detail", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		d, err := e.svc.Contracts.Detail(ctx, s, tg.contract.ID)
		if err == nil && d.Event == nil {
			return errors.New("detail lacks the event")
		}
		return err
	})
	readAll("Events.List", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Events.List(ctx, s, domain.ListQuery{Filter: domain.FilterUpcoming})
		return err
	})
	readAll("Events.Get", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Events.Get(ctx, s, tg.event.ID)
		return err
	})
	readAll("Events.Detail", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		d, err := e.svc.Events.Detail(ctx, s, tg.event.ID)
		if err == nil && d.Contract.ID != tg.contract.ID {
			return errors.New("detail lacks the contract")
		}
		return err
	})
	readAll("Users.List", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Users.List(ctx, s, domain.ListQuery{Filter: domain.FilterActive})
		return err
	})
	readAll("Users.Get", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		u, err := e.svc.Users.Get(ctx, s, e.users["sales2"].ID)
		if err == nil && u.PasswordHash != "" {
			return errors.New("password hash leaked")
		}
		return err
	})
	readAll("Users.Candidates", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Users.Candidates(ctx, s, domain.RoleSupport)
		return err
	})
	readAll("Companies.Search", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Companies.Search(ctx, s, "", 10)
		return err
	})
	add(mrow{method: "Companies.Get", owner: ownNone, allow: all, read: true,
		arrange: func(e *env, _ domain.User) target {
			c := domain.Company{Name: "Lue " + itoa(e.next())}
			if err := e.db.Companies().Create(e.ctx, &c); err != nil {
				e.t.Fatal(err)
			}
			return target{company: c}
		},
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			co, err := e.svc.Companies.Get(ctx, s, tg.company.ID)
			if err == nil && co.Name != tg.company.Name {
				return errors.New("another company")
			}
			return err
		}})
	readAll("Dashboard.Get", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Dashboard.Get(ctx, s)
		return err
	})
	// Everyone follows the changes they may read and keeps their own inbox.
	readAll("Live.Enabled", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		if e.svc.Live.Enabled() {
			return errors.New("live without a change feed")
		}
		return nil
	})
	readAll("Live.Subscribe", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		h, _ := sharedHasher(e.t)
		svc := domain.New(domain.Config{Store: e.db, Tokens: e.ring, Hasher: h, Now: e.clock.Now, Feed: quietFeed{}})
		sub, err := svc.Live.Subscribe(ctx, s)
		if err == nil {
			sub.Close()
		}
		return err
	})
	readAll("Inbox.List", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Inbox.List(ctx, s, 10)
		return err
	})
	readAll("Inbox.Unread", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		_, err := e.svc.Inbox.Unread(ctx, s)
		return err
	})
	readAll("Inbox.MarkAllRead", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		return e.svc.Inbox.MarkAllRead(ctx, s)
	})
	readAll("Inbox.MarkRead", func(ctx context.Context, e *env, s *domain.Session, tg target) error {
		a, err := e.svc.Sessions.Actor(ctx, s)
		if err != nil {
			return err
		}
		n := domain.Notification{UserID: a.ID, Kind: domain.NoteClientAssigned, Entity: "client", EntityID: 1, Subject: "Own"}
		if err := e.db.Notifications().Add(ctx, &n); err != nil {
			return err
		}
		return e.svc.Inbox.MarkRead(ctx, s, n.ID)
	})
	add(mrow{method: "Roles.Matrix", owner: ownNone, allow: mgmt, read: true, action: "role.read", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Roles.Matrix(ctx, s)
			return err
		}})
	add(mrow{method: "Audit.List", owner: ownNone, allow: mgmt, read: true, action: "audit.read", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Audit.List(ctx, s, domain.ListQuery{})
			return err
		}})

	// Companies.
	add(mrow{method: "Companies.Create", owner: ownNone, allow: mgmtSale, action: "company.create", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Companies.Create(ctx, s, "Société "+time.Now().Format("150405.000000000"))
			return err
		}})
	add(mrow{method: "Companies.Rename", owner: ownNone, allow: mgmt, action: "company.update",
		arrange: func(e *env, _ domain.User) target {
			c := domain.Company{Name: "Ancienne " + time.Now().Format("150405.000000000")}
			if err := e.db.Companies().Create(e.ctx, &c); err != nil {
				e.t.Fatal(err)
			}
			return target{company: c}
		},
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Companies.Rename(ctx, s, tg.company.ID, tg.company.Name+" SA")
			return err
		}})

	// Clients.
	add(mrow{method: "Clients.Create", owner: ownNone, allow: sales, action: "client.create", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			n := e.next()
			_, err := e.svc.Clients.Create(ctx, s, domain.ClientInput{FullName: "Jeanne Martin", Email: "jeanne." + itoa(n) + "@example.fr", Phone: "06 12 34 56 78"})
			return err
		}})
	for _, o := range []string{ownOwn, ownOther} {
		allowUpd := mgmt
		if o == ownOwn {
			allowUpd = mgmtSale
		}
		add(mrow{method: "Clients.Update", owner: o, allow: allowUpd, action: "client.update", arrange: clientCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				c := tg.client
				_, err := e.svc.Clients.Update(ctx, s, c.ID, c.Version, domain.ClientInput{FullName: c.FullName + " Jr", Email: c.Email, Phone: c.Phone})
				return err
			}})
		add(mrow{method: "Clients.Reassign", owner: o, allow: mgmt, action: "client.reassign", arrange: clientCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Clients.Reassign(ctx, s, tg.client.ID, tg.client.Version, e.users["sales"].ID)
				return err
			}})
		add(mrow{method: "Clients.Delete", owner: o, allow: mgmt, action: "client.delete", arrange: clientCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				return e.svc.Clients.Delete(ctx, s, tg.client.ID)
			}})
	}

	// Contracts (ownership through the client).
	for _, o := range []string{ownOwn, ownOther} {
		mine := mgmt
		if o == ownOwn {
			mine = mgmtSale
		}
		add(mrow{method: "Contracts.Create", owner: o, allow: mgmt, action: "contract.create", arrange: clientCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Contracts.Create(ctx, s, domain.ContractInput{ClientID: tg.client.ID, TotalCents: 500000})
				return err
			}})
		add(mrow{method: "Contracts.Update", owner: o, allow: mine, action: "contract.update", arrange: contractCase(o, false),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				k := tg.contract
				_, err := e.svc.Contracts.Update(ctx, s, k.ID, k.Version, domain.ContractInput{TotalCents: k.TotalCents + 5000})
				return err
			}})
		add(mrow{method: "Contracts.Sign", owner: o, allow: mine, action: "contract.sign", arrange: contractCase(o, false),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Contracts.Sign(ctx, s, tg.contract.ID, tg.contract.Version)
				return err
			}})
		add(mrow{method: "Contracts.Pay", owner: o, allow: mine, action: "payment.create", arrange: contractCase(o, true),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Contracts.Pay(ctx, s, tg.contract.ID, domain.PaymentInput{AmountCents: 2500, Note: "virement"})
				return err
			}})
		add(mrow{method: "Contracts.Delete", owner: o, allow: mgmt, action: "contract.delete", arrange: contractCase(o, false),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				return e.svc.Contracts.Delete(ctx, s, tg.contract.ID)
			}})
	}

	// Events.
	for _, o := range []string{ownOwn, ownOther} {
		allowCreate := nobody
		if o == ownOwn {
			allowCreate = sales
		}
		add(mrow{method: "Events.Create", owner: o, allow: allowCreate, action: "event.create", arrange: contractCase(o, true),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Events.Create(ctx, s, eventInput(tg, e))
				return err
			}})
	}
	for _, o := range []string{ownAssigned, ownUnassign, ownOwn} {
		allowUpd := mgmt
		if o == ownAssigned {
			allowUpd = mgmtSupp
		}
		add(mrow{method: "Events.Update", owner: o, allow: allowUpd, action: "event.update", arrange: eventCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				_, err := e.svc.Events.Update(ctx, s, tg.event.ID, tg.event.Version, eventInput(tg, e))
				return err
			}})
		add(mrow{method: "Events.AssignSupport", owner: o, allow: mgmt, action: "event.assign_support", arrange: eventCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				sup := e.users["support"].ID
				if tg.event.SupportContactID != nil && *tg.event.SupportContactID == sup {
					sup = e.users["support2"].ID
				}
				_, err := e.svc.Events.AssignSupport(ctx, s, tg.event.ID, tg.event.Version, &sup)
				return err
			}})
		add(mrow{method: "Events.Delete", owner: o, allow: mgmt, action: "event.delete", arrange: eventCase(o),
			act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
				return e.svc.Events.Delete(ctx, s, tg.event.ID)
			}})
	}

	// Team.
	add(mrow{method: "Users.Create", owner: ownNone, allow: mgmt, action: "user.create", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Users.Create(ctx, s, domain.UserInput{FullName: "Nouvelle Recrue", Email: "recrue." + itoa(e.next()) + "@epic-events.test", Role: domain.RoleSupport}, testPassword)
			return err
		}})
	add(mrow{method: "Users.Update", owner: ownOther, allow: mgmt, action: "user.update", arrange: userCase,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			u := tg.user
			_, err := e.svc.Users.Update(ctx, s, u.ID, u.Version, domain.UserInput{FullName: u.FullName + " II", Email: u.Email, Role: domain.RoleSupport})
			return err
		}})
	add(mrow{method: "Users.SetActive", owner: ownOther, allow: mgmt, action: "user.deactivate", arrange: userCase,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			_, err := e.svc.Users.SetActive(ctx, s, tg.user.ID, tg.user.Version, false)
			return err
		}})
	add(mrow{method: "Users.Delete", owner: ownOther, allow: mgmt, action: "user.delete", arrange: userCase,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			return e.svc.Users.Delete(ctx, s, tg.user.ID)
		}})
	add(mrow{method: "Users.ResetPassword", owner: ownOther, allow: mgmt, action: "user.reset_password", arrange: userCase,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			return e.svc.Users.ResetPassword(ctx, s, tg.user.ID, "ochre lantern swims past noon")
		}})
	add(mrow{method: "Users.ChangePassword", owner: ownOwn, allow: all, action: "user.password_change", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			if err := e.svc.Users.ChangePassword(ctx, s, testPassword, "amber kite juggles seven plums"); err != nil {
				return err
			}
			// Put the fixture password back for the cases that follow.
			return e.svc.Users.ChangePassword(ctx, s, "amber kite juggles seven plums", testPassword)
		}})

	// Roles.
	add(mrow{method: "Roles.Grant", owner: ownNone, allow: mgmt, action: "role.grant", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			return e.svc.Roles.Grant(ctx, s, domain.RoleSales, "contract:create:own_client")
		},
		cleanup: func(e *env) { _ = e.db.Perms().Revoke(e.ctx, domain.RoleSales, "contract:create:own_client") }})
	add(mrow{method: "Roles.Revoke", owner: ownNone, allow: mgmt, action: "role.revoke", arrange: nothing,
		act: func(ctx context.Context, e *env, s *domain.Session, tg target) error {
			return e.svc.Roles.Revoke(ctx, s, domain.RoleSupport, "company:read:any")
		},
		cleanup: func(e *env) { _ = e.db.Perms().Grant(e.ctx, domain.RoleSupport, "company:read:any") }})
	return rows
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestPermissionMatrix runs every row for every role on SQLite and
// PostgreSQL. An allowed call succeeds (and a write is audited); a refused
// one answers ErrForbidden (ErrNotFound for a hidden record), leaves the
// database exactly as it was and leaves a *.denied audit entry.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		t.Parallel() // the dialects side by side: each has its own database
		e := newEnv(t, db, false)
		for _, r := range matrixRows() {
			for _, role := range domain.Roles {
				name := r.method + "/" + r.owner + "/" + string(role)
				t.Run(name, func(t *testing.T) {
					e.t = t
					runCase(t, e, r, role)
				})
			}
		}
	})
}

// mayOf names the May question a method's action answers to, with the id
// May takes (see domain.Act*), and the audit target of its refusal.
var mayOf = map[string]func(tg target) (action, entity string, id int64){
	"Clients.Create":   func(target) (string, string, int64) { return domain.ActClientCreate, "client", 0 },
	"Clients.Update":   func(tg target) (string, string, int64) { return domain.ActClientUpdate, "client", tg.client.ID },
	"Clients.Reassign": func(tg target) (string, string, int64) { return domain.ActClientReassign, "client", tg.client.ID },
	"Clients.Delete":   func(tg target) (string, string, int64) { return domain.ActClientDelete, "client", tg.client.ID },
	"Contracts.Create": func(tg target) (string, string, int64) { return domain.ActContractCreate, "client", tg.client.ID },
	"Contracts.Update": func(tg target) (string, string, int64) { return domain.ActContractUpdate, "contract", tg.contract.ID },
	"Contracts.Sign":   func(tg target) (string, string, int64) { return domain.ActContractSign, "contract", tg.contract.ID },
	"Contracts.Pay":    func(tg target) (string, string, int64) { return domain.ActPaymentCreate, "contract", tg.contract.ID },
	"Contracts.Delete": func(tg target) (string, string, int64) { return domain.ActContractDelete, "contract", tg.contract.ID },
	"Events.Create":    func(tg target) (string, string, int64) { return domain.ActEventCreate, "contract", tg.contract.ID },
	"Events.Update":    func(tg target) (string, string, int64) { return domain.ActEventUpdate, "event", tg.event.ID },
	"Events.AssignSupport": func(tg target) (string, string, int64) {
		return domain.ActEventAssignSupport, "event", tg.event.ID
	},
	"Events.Delete":       func(tg target) (string, string, int64) { return domain.ActEventDelete, "event", tg.event.ID },
	"Users.Create":        func(target) (string, string, int64) { return domain.ActUserCreate, "user", 0 },
	"Users.Update":        func(tg target) (string, string, int64) { return domain.ActUserUpdate, "user", tg.user.ID },
	"Users.SetActive":     func(tg target) (string, string, int64) { return domain.ActUserDeactivate, "user", tg.user.ID },
	"Users.Delete":        func(tg target) (string, string, int64) { return domain.ActUserDelete, "user", tg.user.ID },
	"Users.ResetPassword": func(tg target) (string, string, int64) { return domain.ActUserResetPassword, "user", tg.user.ID },
	"Roles.Grant":         func(target) (string, string, int64) { return domain.ActRoleGrant, "role", 0 },
	"Roles.Revoke":        func(target) (string, string, int64) { return domain.ActRoleRevoke, "role", 0 },
	"Companies.Create":    func(target) (string, string, int64) { return domain.ActCompanyCreate, "company", 0 },
	"Companies.Rename":    func(tg target) (string, string, int64) { return domain.ActCompanyUpdate, "company", tg.company.ID },
	"Roles.Matrix":        func(target) (string, string, int64) { return "role.read", "role", 0 },
	"Audit.List":          func(target) (string, string, int64) { return "audit.read", "audit", 0 },
}

// grantBase is the permission code prefix an audited action needs.
func grantBase(action string) string {
	switch action {
	case domain.ActUserReactivate, domain.ActUserDeactivate:
		return "user:deactivate:"
	case domain.ActUserResetPassword:
		return "user:update:"
	case domain.ActRoleRevoke:
		return "role:grant:"
	}
	return strings.Replace(action, ".", ":", 1) + ":"
}

// wantReason is the reason code of a refused matrix cell: the role holds a
// scoped grant that does not cover the record, or none at all.
func wantReason(role domain.Role, action string) string {
	base := grantBase(action)
	for _, c := range domain.DefaultGrants[role] {
		switch c {
		case base + domain.ScopeOwn, base + domain.ScopeOwnClient:
			return domain.ReasonNotOwn
		case base + domain.ScopeAssigned:
			return domain.ReasonNotAssigned
		}
	}
	return domain.ReasonNoPermission
}

// newAudit lists the audit entries written after mark, newest first.
func (e *env) newAudit(mark int64) []domain.AuditEntry {
	e.t.Helper()
	p, err := e.db.Audit().List(e.ctx, domain.ListQuery{Sort: domain.SortAt, Limit: 20, Now: e.clock.Now()})
	if err != nil {
		e.t.Fatal(err)
	}
	var out []domain.AuditEntry
	for _, a := range p.Items {
		if a.ID > mark {
			out = append(out, a)
		}
	}
	return out
}

// checkDenial asserts err is the refusal of action for reason, recorded by
// exactly one new audit entry on entity/id by actor with the reason code.
func checkDenial(t *testing.T, e *env, mark int64, err error, who string, actor domain.User, action, reason, entity string, id int64) {
	t.Helper()
	var r *domain.Refusal
	if !errors.As(err, &r) || r.Action != action || r.Reason != reason || r.Sentence == "" {
		t.Fatalf("%s: want refusal %s/%s, got %#v", who, action, reason, err)
	}
	added := e.newAudit(mark)
	want := domain.Change{Field: "reason", New: reason}
	if len(added) != 1 || added[0].Action != action+".denied" || added[0].Entity != entity || added[0].EntityID != id ||
		added[0].ActorID == nil || *added[0].ActorID != actor.ID || len(added[0].Changes) != 1 || added[0].Changes[0] != want {
		t.Fatalf("%s: want one %s.denied entry on %s %d by %d with reason %s, got %+v", who, action, entity, id, actor.ID, reason, added)
	}
}

func runCase(t *testing.T, e *env, r mrow, role domain.Role) {
	actor := e.users[roleUser[role]]
	tg := r.arrange(e, actor)
	if r.cleanup != nil {
		defer r.cleanup(e)
	}
	sess := e.session(roleUser[role])
	allowed := false
	for _, a := range r.allow {
		allowed = allowed || a == role
	}
	before := e.snapshot()
	may := mayOf[r.method]
	if may != nil {
		// May answers what the action will, and audits a refusal alike.
		action, entity, id := may(tg)
		mark := e.mark()
		var err error
		if strings.HasSuffix(action, ".read") {
			err = maybeRead(e, sess, r)
		} else {
			err = e.svc.May(e.ctx, sess, action, id)
		}
		if allowed {
			if err != nil {
				t.Fatalf("May(%s) as %s (%s): want allowed, got %v", action, role, r.owner, err)
			}
			if added := e.newAudit(mark); len(added) != 0 {
				t.Fatalf("May(%s) as %s wrote %+v", action, role, added)
			}
		} else {
			checkDenial(t, e, mark, err, "May("+action+") as "+string(role), actor, action, wantReason(role, action), entity, id)
		}
		// May has no change to make; that it changed nothing is checked
		// with the refused action's snapshot below.
	}
	mark := e.mark()
	err := r.act(e.ctx, e, sess, tg)
	if allowed {
		if err != nil {
			t.Fatalf("%s as %s (%s): want allowed, got %v", r.method, role, r.owner, err)
		}
		if !r.read && r.action != "" {
			if got := e.auditActions(4); !contains(got, r.action) {
				t.Fatalf("%s as %s: want audit %q among the newest entries, got %v", r.method, role, r.action, got)
			}
		}
		return
	}
	if err == nil {
		t.Fatalf("%s as %s (%s): want refused, got allowed", r.method, role, r.owner)
	}
	if !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("%s as %s (%s): want ErrForbidden, got %v", r.method, role, r.owner, err)
	}
	if after := e.snapshot(); after != before {
		t.Fatalf("%s as %s (%s): refused but the database changed:\nbefore:\n%s\nafter:\n%s", r.method, role, r.owner, before, after)
	}
	if r.action == "" {
		return // Setup: no actor to audit
	}
	if may == nil {
		t.Fatalf("%s is refused but has no May question", r.method)
	}
	action, entity, id := may(tg)
	checkDenial(t, e, mark, err, r.method+" as "+string(role), actor, action, wantReason(role, action), entity, id)
}

// maybeRead is the read rows' own call: a read has no May question, the
// read itself is the question.
func maybeRead(e *env, sess *domain.Session, r mrow) error {
	return r.act(e.ctx, e, sess, target{})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestMatrixCoversEveryMethod fails when a service method has no row.
func TestMatrixCoversEveryMethod(t *testing.T) {
	t.Parallel()
	covered := map[string]bool{}
	for _, r := range matrixRows() {
		covered[r.method] = true
	}
	sv := reflect.TypeOf(domain.Services{})
	for i := range sv.NumField() {
		f := sv.Field(i)
		if f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "Service") {
			t.Fatalf("Services.%s is not a *XxxService", f.Name)
		}
		for j := range f.Type.NumMethod() {
			name := f.Name + "." + f.Type.Method(j).Name
			if !covered[name] {
				t.Errorf("%s has no row in the permission matrix", name)
			}
			delete(covered, name)
		}
	}
	for name := range covered {
		t.Errorf("matrix row %s names no service method", name)
	}
}

// quietFeed is a change feed on which nothing happens.
type quietFeed struct{}

func (quietFeed) Subscribe() domain.ChangeSubscription { return quietSub{} }

type quietSub struct{}

func (quietSub) Ready() <-chan struct{}              { return nil }
func (quietSub) Take() ([]domain.RecordChange, bool) { return nil, false }
func (quietSub) Close()                              {}
