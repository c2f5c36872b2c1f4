package cli

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/epic-events/crm/domain"
)

// The columns of every resource, shared by list, show and the writes that
// print the record they made. The JSON/CSV names are also the column names
// that import reads back.

// emails finds collaborators' and clients' emails by id for the exports
// (the records carry names only, and an import into another database
// needs something unique). Lookups are cached; the cache is bounded so that
// memory stays constant on any number of rows.
type emails struct {
	ctx     context.Context
	svc     *domain.Services
	sess    *domain.Session
	users   map[int64]string
	clients map[int64]string
}

const emailCacheSize = 4096

func newEmails(ctx context.Context, svc *domain.Services, sess *domain.Session) *emails {
	return &emails{ctx: ctx, svc: svc, sess: sess, users: map[int64]string{}, clients: map[int64]string{}}
}

func (m *emails) user(id *int64) cell {
	if id == nil {
		return textCell("")
	}
	if s, ok := m.users[*id]; ok {
		return textCell(s)
	}
	u, err := m.svc.Users.Get(m.ctx, m.sess, *id)
	if err != nil {
		return textCell("")
	}
	if len(m.users) >= emailCacheSize {
		clear(m.users)
	}
	m.users[*id] = u.Email
	return textCell(u.Email)
}

func (m *emails) client(id int64) cell {
	if s, ok := m.clients[id]; ok {
		return textCell(s)
	}
	c, err := m.svc.Clients.Get(m.ctx, m.sess, id)
	if err != nil {
		return textCell("")
	}
	if len(m.clients) >= emailCacheSize {
		clear(m.clients)
	}
	m.clients[id] = c.Email
	return textCell(c.Email)
}

func clientSchema(m *emails) schema[domain.Client] {
	return schema[domain.Client]{
		{name: "id", header: "ID", get: func(c domain.Client) cell { return intCell(c.ID) }},
		{name: "full_name", header: "NAME", get: func(c domain.Client) cell { return textCell(c.FullName) }},
		{name: "email", header: "EMAIL", drop: 2, get: func(c domain.Client) cell { return textCell(c.Email) }},
		{name: "phone", header: "PHONE", drop: 4, get: func(c domain.Client) cell { return textCell(c.Phone) }},
		{name: "company", header: "COMPANY", drop: 1, get: func(c domain.Client) cell { return textCell(c.CompanyName) }},
		{name: "sales_contact_id", header: "SALES ID", hide: true, get: func(c domain.Client) cell { return idCell(c.SalesContactID) }},
		{name: "sales_contact", header: "SALES CONTACT", drop: 3, get: func(c domain.Client) cell { return textCell(c.SalesContactName) }},
		{name: "sales_contact_email", header: "SALES EMAIL", hide: true, get: func(c domain.Client) cell { return m.user(c.SalesContactID) }},
		{name: "created_at", header: "FIRST CONTACT", drop: 6, get: func(c domain.Client) cell { return timeCell(c.CreatedAt) }},
		{name: "updated_at", header: "LAST CONTACT", drop: 5, get: func(c domain.Client) cell { return timeCell(c.UpdatedAt) }},
		{name: "version", header: "VERSION", hide: true, get: func(c domain.Client) cell { return intCell(c.Version) }},
	}
}

func contractSchema(m *emails) schema[domain.Contract] {
	return schema[domain.Contract]{
		{name: "id", header: "ID", get: func(k domain.Contract) cell { return intCell(k.ID) }},
		{name: "client_id", header: "CLIENT ID", hide: true, get: func(k domain.Contract) cell { return intCell(k.ClientID) }},
		{name: "client", header: "CLIENT", get: func(k domain.Contract) cell { return textCell(k.ClientName) }},
		{name: "client_email", header: "CLIENT EMAIL", hide: true, get: func(k domain.Contract) cell { return m.client(k.ClientID) }},
		{name: "company", header: "COMPANY", drop: 3, get: func(k domain.Contract) cell { return textCell(k.CompanyName) }},
		{name: "sales_contact", header: "SALES CONTACT", drop: 4, get: func(k domain.Contract) cell { return textCell(k.SalesContactName) }},
		{name: "total", header: "TOTAL", get: func(k domain.Contract) cell { return moneyCell(k.TotalCents) }},
		{name: "remaining", header: "REMAINING", drop: 1, get: func(k domain.Contract) cell { return moneyCell(k.RemainingCents) }},
		{name: "currency", header: "CURRENCY", hide: true, get: func(domain.Contract) cell { return textCell(currency) }},
		{name: "status", header: "STATUS", get: func(k domain.Contract) cell { return textCell(string(k.Status)) }},
		{name: "created_at", header: "CREATED", drop: 5, get: func(k domain.Contract) cell { return timeCell(k.CreatedAt) }},
		{name: "signed_at", header: "SIGNED", drop: 2, get: func(k domain.Contract) cell { return optTimeCell(k.SignedAt) }},
		{name: "signed_by", header: "SIGNED BY", hide: true, get: func(k domain.Contract) cell { return textCell(k.SignedByName) }},
		{name: "event_id", header: "EVENT", drop: 6, get: func(k domain.Contract) cell { return idCell(k.EventID) }},
		{name: "version", header: "VERSION", hide: true, get: func(k domain.Contract) cell { return intCell(k.Version) }},
	}
}

func eventSchema() schema[domain.Event] {
	return schema[domain.Event]{
		{name: "id", header: "ID", get: func(e domain.Event) cell { return intCell(e.ID) }},
		{name: "name", header: "NAME", get: func(e domain.Event) cell { return textCell(e.Name) }},
		{name: "contract_id", header: "CONTRACT", drop: 6, get: func(e domain.Event) cell { return intCell(e.ContractID) }},
		{name: "client", header: "CLIENT", drop: 3, get: func(e domain.Event) cell { return textCell(e.ClientName) }},
		{name: "company", header: "COMPANY", hide: true, get: func(e domain.Event) cell { return textCell(e.CompanyName) }},
		{name: "start", header: "START", get: func(e domain.Event) cell { return timeCell(e.Start) }},
		{name: "end", header: "END", drop: 5, get: func(e domain.Event) cell { return timeCell(e.End) }},
		{name: "location", header: "LOCATION", drop: 4, get: func(e domain.Event) cell { return textCell(e.Location) }},
		{name: "attendees", header: "ATTENDEES", drop: 7, get: func(e domain.Event) cell { return intCell(int64(e.Attendees)) }},
		{name: "status", header: "STATUS", drop: 2, get: func(e domain.Event) cell { return textCell(string(e.Status)) }},
		{name: "support_contact_id", header: "SUPPORT ID", hide: true, get: func(e domain.Event) cell { return idCell(e.SupportContactID) }},
		{name: "support_contact", header: "SUPPORT", drop: 1, get: func(e domain.Event) cell { return textCell(e.SupportContactName) }},
		{name: "notes", header: "NOTES", hide: true, multiline: true, get: func(e domain.Event) cell { return textCell(e.Notes) }},
		{name: "created_at", header: "CREATED", hide: true, get: func(e domain.Event) cell { return timeCell(e.CreatedAt) }},
		{name: "version", header: "VERSION", hide: true, get: func(e domain.Event) cell { return intCell(e.Version) }},
	}
}

func userSchema() schema[domain.User] {
	return schema[domain.User]{
		{name: "id", header: "ID", get: func(u domain.User) cell { return intCell(u.ID) }},
		{name: "employee_no", header: "EMPLOYEE", drop: 3, get: func(u domain.User) cell { return textCell(u.EmployeeNo) }},
		{name: "full_name", header: "NAME", get: func(u domain.User) cell { return textCell(u.FullName) }},
		{name: "email", header: "EMAIL", drop: 1, get: func(u domain.User) cell { return textCell(u.Email) }},
		{name: "phone", header: "PHONE", drop: 4, get: func(u domain.User) cell { return textCell(u.Phone) }},
		{name: "role", header: "ROLE", get: func(u domain.User) cell { return textCell(string(u.Role)) }},
		{name: "active", header: "ACTIVE", drop: 2, get: func(u domain.User) cell { return boolCell(u.Active) }},
		{name: "created_at", header: "CREATED", drop: 5, get: func(u domain.User) cell { return timeCell(u.CreatedAt) }},
		{name: "version", header: "VERSION", hide: true, get: func(u domain.User) cell { return intCell(u.Version) }},
	}
}

func companySchema() schema[domain.Company] {
	return schema[domain.Company]{
		{name: "id", header: "ID", get: func(c domain.Company) cell { return intCell(c.ID) }},
		{name: "name", header: "NAME", get: func(c domain.Company) cell { return textCell(c.Name) }},
		{name: "created_at", header: "CREATED", drop: 1, get: func(c domain.Company) cell { return timeCell(c.CreatedAt) }},
	}
}

// changesText is an audit entry's changes for a person and for CSV.
func changesText(ch []domain.Change) string {
	parts := make([]string, 0, len(ch))
	for _, c := range ch {
		parts = append(parts, c.Field+": "+c.Old+" → "+c.New)
	}
	return strings.Join(parts, "; ")
}

func auditSchema() schema[domain.AuditEntry] {
	return schema[domain.AuditEntry]{
		{name: "id", header: "ID", drop: 3, get: func(a domain.AuditEntry) cell { return intCell(a.ID) }},
		{name: "at", header: "AT", get: func(a domain.AuditEntry) cell { return timeCell(a.At) }},
		{name: "actor_id", header: "ACTOR ID", hide: true, get: func(a domain.AuditEntry) cell { return idCell(a.ActorID) }},
		{name: "actor", header: "ACTOR", drop: 2, get: func(a domain.AuditEntry) cell { return textCell(a.ActorName) }},
		{name: "action", header: "ACTION", get: func(a domain.AuditEntry) cell { return textCell(a.Action) }},
		{name: "entity", header: "ENTITY", drop: 4, get: func(a domain.AuditEntry) cell { return textCell(a.Entity) }},
		{name: "entity_id", header: "RECORD", drop: 4, get: func(a domain.AuditEntry) cell { return intCell(a.EntityID) }},
		{name: "changes", header: "CHANGES", drop: 1, get: func(a domain.AuditEntry) cell {
			ch := a.Changes
			if ch == nil {
				ch = []domain.Change{}
			}
			raw, _ := json.Marshal(ch)
			return cell{k: kJSON, s: changesText(a.Changes), raw: raw}
		}},
	}
}

func paymentSchema() schema[domain.Payment] {
	return schema[domain.Payment]{
		{name: "id", header: "ID", get: func(p domain.Payment) cell { return intCell(p.ID) }},
		{name: "contract_id", header: "CONTRACT", get: func(p domain.Payment) cell { return intCell(p.ContractID) }},
		{name: "amount", header: "AMOUNT", get: func(p domain.Payment) cell { return moneyCell(p.AmountCents) }},
		{name: "currency", header: "CURRENCY", hide: true, get: func(domain.Payment) cell { return textCell(currency) }},
		{name: "paid_at", header: "PAID AT", get: func(p domain.Payment) cell { return timeCell(p.PaidAt) }},
		{name: "note", header: "NOTE", drop: 1, get: func(p domain.Payment) cell { return textCell(p.Note) }},
		{name: "recorded_by", header: "RECORDED BY", drop: 2, get: func(p domain.Payment) cell { return textCell(p.RecordedByName) }},
	}
}

// permissionRow is one line of the role matrix.
type permissionRow struct {
	domain.Permission
	granted map[domain.Role]bool
}

func permissionSchema(roles []domain.Role) schema[permissionRow] {
	s := schema[permissionRow]{
		{name: "code", header: "PERMISSION", get: func(p permissionRow) cell { return textCell(p.Code) }},
		{name: "description", header: "DESCRIPTION", drop: 1, get: func(p permissionRow) cell { return textCell(p.Description) }},
	}
	for _, r := range roles {
		s = append(s, field[permissionRow]{name: string(r), header: strings.ToUpper(string(r)),
			get: func(p permissionRow) cell { return boolCell(p.granted[r]) }})
	}
	return s
}

// whoami is the logged-in user and the database.
func whoamiSchema(db string) schema[domain.Actor] {
	return schema[domain.Actor]{
		{name: "id", header: "ID", get: func(a domain.Actor) cell { return intCell(a.ID) }},
		{name: "full_name", header: "NAME", get: func(a domain.Actor) cell { return textCell(a.Name) }},
		{name: "email", header: "EMAIL", get: func(a domain.Actor) cell { return textCell(a.Email) }},
		{name: "role", header: "ROLE", get: func(a domain.Actor) cell { return textCell(string(a.Role)) }},
		{name: "database", header: "DATABASE", get: func(domain.Actor) cell { return textCell(db) }},
	}
}
