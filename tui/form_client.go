package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// newClientForm creates (c == nil) or edits a client. The company is typed:
// matching companies are suggested (↓ to choose one); a new name creates
// the company in passing. The sales contact is offered only to those who
// may reassign clients (management); a sales creator becomes the contact.
func newClientForm(e *env, c *domain.Client) Screen {
	var cl domain.Client
	title := "New client"
	if c != nil {
		cl = *c
		title = "Edit client " + domain.StripControl(c.FullName)
	}
	company := newLookup("company", "Company", searchCompanies, false, pickItem{label: cl.CompanyName})
	company.hint = "type to search · ↓ choose a match · a new name creates it"
	fields := []*formField{
		newField("full_name", "Full name", fieldText, cl.FullName),
		newField("email", "Email", fieldText, cl.Email),
		newField("phone", "Phone", fieldText, cl.Phone),
		company,
	}
	if domain.CanReassignClient(e.actor, cl) == nil {
		var picked pickItem
		if cl.SalesContactID != nil {
			picked = pickItem{id: *cl.SalesContactID, label: cl.SalesContactName}
		}
		sales := newLookup("sales_contact", "Sales contact", searchSales, true, picked)
		sales.hint = "type to search the sales team · ↓ choose"
		fields = append(fields, sales)
	}
	spec := formSpec{title: title, kind: "client", save: saveClient(c)}
	if c != nil {
		id := c.ID
		spec.reload = reloadRecord(func(ctx context.Context, svc *domain.Services, sess *domain.Session) (domain.Client, error) {
			return svc.Clients.Get(ctx, sess, id)
		}, func(got domain.Client, _ *time.Location) (int64, map[string]string) {
			return got.Version, map[string]string{
				"full_name": got.FullName, "email": got.Email, "phone": got.Phone,
				"company": got.CompanyName, "sales_contact": got.SalesContactName,
			}
		})
	}
	return newFormScreen(e, spec, cl.Version, fields...)
}

// saveClient builds the save function of the client form.
func saveClient(orig *domain.Client) func(f *formScreen) (tea.Cmd, map[string]string) {
	return func(f *formScreen) (tea.Cmd, map[string]string) {
		in := domain.ClientInput{
			FullName:    f.get("full_name"),
			Email:       f.get("email"),
			Phone:       f.get("phone"),
			CompanyName: strings.TrimSpace(f.get("company")),
		}
		if sc := f.field("sales_contact"); sc != nil {
			switch {
			case sc.picked.id != 0:
				id := sc.picked.id
				in.SalesContactID = &id
			case strings.TrimSpace(sc.value()) != "":
				return nil, map[string]string{"sales_contact": "choose a collaborator from the list (↓ then enter)"}
			}
		}
		return saveRecord(f, func(ctx context.Context, svc *domain.Services, sess *domain.Session, version int64) (domain.Client, error) {
			if orig == nil {
				return svc.Clients.Create(ctx, sess, in)
			}
			return svc.Clients.Update(ctx, sess, orig.ID, version, in)
		}, func(got domain.Client) (int64, string) {
			return got.ID, "client " + domain.StripControl(got.FullName) + " saved"
		}), nil
	}
}

// searchCompanies suggests companies whose name contains text.
func searchCompanies(svc *domain.Services, sess *domain.Session, text string) ([]pickItem, error) {
	if text == "" {
		return nil, nil
	}
	ctx, cancel := callCtx()
	defer cancel()
	cs, err := svc.Companies.Search(ctx, sess, text, 8)
	if err != nil {
		return nil, err
	}
	items := make([]pickItem, 0, len(cs))
	for _, c := range cs {
		items = append(items, pickItem{id: c.ID, label: c.Name})
	}
	return items, nil
}

// searchSales suggests active sales collaborators with their client count.
func searchSales(svc *domain.Services, sess *domain.Session, text string) ([]pickItem, error) {
	ctx, cancel := callCtx()
	defer cancel()
	us, err := svc.Users.Candidates(ctx, sess, domain.RoleSales)
	if err != nil {
		return nil, err
	}
	q := strings.ToLower(text)
	var items []pickItem
	for _, u := range us {
		if q == "" || strings.Contains(strings.ToLower(u.FullName), q) || strings.Contains(strings.ToLower(u.Email), q) {
			items = append(items, pickItem{id: u.ID, label: u.FullName, detail: fmt.Sprintf("%d clients", u.ClientCount)})
		}
	}
	return items, nil
}
