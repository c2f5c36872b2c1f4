package tui

import (
	"context"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// newContractForm creates a contract (c == nil), for client when given, or
// edits a contract's total. On create, a deposit lowers the starting
// remaining amount (the service records it as a first payment).
func newContractForm(e *env, c *domain.Contract, client *domain.Client) Screen {
	if c != nil {
		k := *c
		spec := formSpec{
			title: "Edit contract #" + strconv.FormatInt(k.ID, 10),
			note: k.ClientName + " · " + string(k.Status) + " · remaining " + domain.FormatMoney(k.RemainingCents) +
				" (it moves with the total)",
			kind: "contract",
			save: saveContract(&k),
			reload: reloadRecord(func(ctx context.Context, svc *domain.Services, sess *domain.Session) (domain.Contract, error) {
				return svc.Contracts.Get(ctx, sess, k.ID)
			}, func(got domain.Contract, _ *time.Location) (int64, map[string]string) {
				return got.Version, map[string]string{"total": moneyInput(got.TotalCents)}
			}),
		}
		return newFormScreen(e, spec, k.Version, newField("total", "Total", fieldText, moneyInput(k.TotalCents)))
	}
	var picked pickItem
	if client != nil {
		picked = pickItem{id: client.ID, label: client.FullName}
	}
	cl := newLookup("client", "Client", searchClients, true, picked)
	cl.hint = "type a name, email or company · ↓ choose"
	total := newField("total", "Total", fieldText, "")
	total.hint = "e.g. 1234.50 or 1 234,50"
	deposit := newField("remaining", "Deposit paid", fieldText, "")
	deposit.hint = "optional: already paid now (recorded as a first payment)"
	spec := formSpec{title: "New contract", kind: "contract", save: saveContract(nil)}
	f := newFormScreen(e, spec, 0, cl, total, deposit)
	if client != nil {
		f.focus = 1
	}
	return f
}

// moneyInput shows cents the way the money fields accept them back.
func moneyInput(cents int64) string {
	return strings.TrimSuffix(domain.FormatMoney(cents), " €")
}

func saveContract(orig *domain.Contract) func(f *formScreen) (tea.Cmd, map[string]string) {
	return func(f *formScreen) (tea.Cmd, map[string]string) {
		errs := map[string]string{}
		total, err := domain.ParseMoney(f.get("total"))
		if err != nil {
			errs["total"] = err.Error()
		}
		in := domain.ContractInput{TotalCents: total}
		if orig == nil {
			cl := f.field("client")
			if cl.picked.id == 0 {
				errs["client"] = "choose the client from the list (type, ↓, enter)"
			}
			in.ClientID = cl.picked.id
			if d := strings.TrimSpace(f.get("remaining")); d != "" {
				dep, err := domain.ParseMoney(d)
				switch {
				case err != nil:
					errs["remaining"] = err.Error()
				case dep > total && errs["total"] == "":
					errs["remaining"] = "the deposit cannot be more than the total"
				default:
					rem := total - dep
					in.RemainingCents = &rem
				}
			}
		} else {
			in.ClientID = orig.ClientID
		}
		if len(errs) > 0 {
			return nil, errs
		}
		return saveRecord(f, func(ctx context.Context, svc *domain.Services, sess *domain.Session, version int64) (domain.Contract, error) {
			if orig == nil {
				return svc.Contracts.Create(ctx, sess, in)
			}
			return svc.Contracts.Update(ctx, sess, orig.ID, version, in)
		}, func(got domain.Contract) (int64, string) {
			return got.ID, "contract #" + strconv.FormatInt(got.ID, 10) + " saved"
		}), nil
	}
}

// searchClients suggests clients matching text (names, emails, company).
func searchClients(svc *domain.Services, sess *domain.Session, text string) ([]pickItem, error) {
	ctx, cancel := callCtx()
	defer cancel()
	p, err := svc.Clients.List(ctx, sess, domain.ListQuery{Search: text, Limit: 8})
	if err != nil {
		return nil, err
	}
	items := make([]pickItem, 0, len(p.Items))
	for _, c := range p.Items {
		detail := c.Email
		if c.CompanyName != "" {
			detail = c.CompanyName + " · " + c.Email
		}
		items = append(items, pickItem{id: c.ID, label: c.FullName, detail: detail})
	}
	return items, nil
}
