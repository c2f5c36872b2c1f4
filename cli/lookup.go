package cli

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/epic-events/crm/domain"
)

// pflagFlag is a command-line flag, as Visit passes it.
type pflagFlag = pflag.Flag

// Records are referred to by number or by their unique name (an email, a
// company name), as a person would type them. Lookups go through the
// services like everything else.

func refNumber(ref string) (int64, bool) {
	s := strings.TrimPrefix(strings.TrimSpace(ref), "#")
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// findUser resolves a collaborator by number or email; field names the
// input in the error.
func findUser(ctx context.Context, svc *domain.Services, sess *domain.Session, field, ref string) (domain.User, error) {
	if id, ok := refNumber(ref); ok {
		u, err := svc.Users.Get(ctx, sess, id)
		if errors.Is(err, domain.ErrNotFound) {
			return u, domain.Invalid(field, "there is no collaborator #"+strconv.FormatInt(id, 10))
		}
		return u, err
	}
	email, err := domain.NormalizeEmail(ref)
	if err != nil {
		return domain.User{}, domain.Invalid(field, "give a collaborator's number or email: "+err.Error())
	}
	p, err := svc.Users.List(ctx, sess, domain.ListQuery{Search: email, Limit: 500})
	if err != nil {
		return domain.User{}, err
	}
	for _, u := range p.Items {
		if strings.EqualFold(u.Email, email) {
			return u, nil
		}
	}
	return domain.User{}, domain.Invalid(field, "no collaborator has the email "+email)
}

// findClient resolves a client by number or email.
func findClient(ctx context.Context, svc *domain.Services, sess *domain.Session, field, ref string) (domain.Client, error) {
	if id, ok := refNumber(ref); ok {
		c, err := svc.Clients.Get(ctx, sess, id)
		if errors.Is(err, domain.ErrNotFound) {
			return c, domain.Invalid(field, "there is no client #"+strconv.FormatInt(id, 10))
		}
		return c, err
	}
	email, err := domain.NormalizeEmail(ref)
	if err != nil {
		return domain.Client{}, domain.Invalid(field, "give a client's number or email: "+err.Error())
	}
	return clientByEmail(ctx, svc, sess, field, email)
}

// clientByEmail finds the client with exactly this (normalized) email.
func clientByEmail(ctx context.Context, svc *domain.Services, sess *domain.Session, field, email string) (domain.Client, error) {
	q := domain.ListQuery{Search: email, Limit: 500}
	for {
		p, err := svc.Clients.List(ctx, sess, q)
		if err != nil {
			return domain.Client{}, err
		}
		for _, c := range p.Items {
			if strings.EqualFold(c.Email, email) {
				return c, nil
			}
		}
		if p.Next == "" {
			return domain.Client{}, domain.Invalid(field, "no client has the email "+email)
		}
		q.After = p.Next
	}
}

// findCompany resolves a company by number or exact name.
func findCompany(ctx context.Context, svc *domain.Services, sess *domain.Session, ref string) (domain.Company, error) {
	if id, ok := refNumber(ref); ok {
		co, err := svc.Companies.Get(ctx, sess, id)
		if errors.Is(err, domain.ErrNotFound) {
			return co, domain.Invalid("company", "there is no company #"+strconv.FormatInt(id, 10))
		}
		return co, err
	}
	name := strings.TrimSpace(ref)
	cs, err := svc.Companies.Search(ctx, sess, name, 500)
	if err != nil {
		return domain.Company{}, err
	}
	for _, co := range cs {
		if strings.EqualFold(co.Name, name) {
			return co, nil
		}
	}
	return domain.Company{}, domain.Invalid("company", "no company is named "+strconv.Quote(name))
}
