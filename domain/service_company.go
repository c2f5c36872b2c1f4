package domain

import (
	"context"
	"errors"
)

// CompanyService finds, creates and renames companies.
type CompanyService struct{ c *core }

// Search finds companies whose name contains text (case-insensitive).
func (s *CompanyService) Search(ctx context.Context, sess *Session, text string, limit int) ([]Company, error) {
	if _, err := s.c.see(ctx, sess, "company", 0); err != nil {
		return nil, err
	}
	t, err := CleanText(text, false)
	if err != nil {
		return nil, Invalid("search", err.Error())
	}
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	cs, err := s.c.store.Companies().Search(ctx, t, limit)
	return cs, wrap("search companies", err)
}

var errCompanyDup = Invalid("name", "a company with this name already exists")

// Create adds a company.
func (s *CompanyService) Create(ctx context.Context, sess *Session, name string) (Company, error) {
	c := s.c
	var co Company
	_, err := c.run(ctx, sess, op{action: ActCompanyCreate,
		prepare: func(Actor, subject) error {
			f := &form{}
			co = Company{Name: f.text("name", name, true, "the company's name", 200)}
			return f.err()
		},
		change: func(tx Store, a Actor, _ subject) error {
			if err := tx.Companies().Create(ctx, &co); err != nil {
				if errors.Is(err, ErrDuplicate) {
					return errCompanyDup
				}
				return err
			}
			return c.audit(ctx, tx, &a, ActCompanyCreate, "company", co.ID, co.Name, []Change{{Field: "name", New: co.Name}})
		}})
	if err != nil {
		return Company{}, wrap("create company", err)
	}
	return co, nil
}

// Rename renames a company (company:update). The same name answers
// ErrNoChange.
func (s *CompanyService) Rename(ctx context.Context, sess *Session, id int64, name string) (Company, error) {
	c := s.c
	var (
		n   string
		out Company
	)
	_, err := c.run(ctx, sess, op{action: ActCompanyUpdate, id: id,
		prepare: func(Actor, subject) error {
			f := &form{}
			n = f.text("name", name, true, "the company's name", 200)
			return f.err()
		},
		change: func(tx Store, a Actor, s subject) error {
			co := s.rec.(Company)
			if co.Name == n {
				out = co
				return ErrNoChange
			}
			if err := tx.Companies().Rename(ctx, id, n); err != nil {
				if errors.Is(err, ErrDuplicate) {
					return errCompanyDup
				}
				return err
			}
			old := co.Name
			co.Name = n
			out = co
			return c.audit(ctx, tx, &a, ActCompanyUpdate, "company", id, joinLabel(n, old), []Change{{Field: "name", Old: old, New: n}})
		}})
	if err != nil {
		return out, wrap("rename company", err)
	}
	return out, nil
}

// resolveCompany finds the company a client form names, creating it in
// passing (company:create, audited) when the name is new.
func (c *core) resolveCompany(ctx context.Context, tx Store, a Actor, id *int64, name string) (*int64, string, error) {
	if id != nil {
		co, err := tx.Companies().Get(ctx, *id)
		if errors.Is(err, ErrNotFound) {
			return nil, "", Invalid("company", "this company no longer exists: choose another")
		}
		if err != nil {
			return nil, "", err
		}
		return &co.ID, co.Name, nil
	}
	if name == "" {
		return nil, "", nil
	}
	co, err := tx.Companies().GetByName(ctx, name)
	if err == nil {
		return &co.ID, co.Name, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, "", err
	}
	if r := permit(a, ActCompanyCreate, nil); r != nil {
		return nil, "", r
	}
	co = Company{Name: name}
	if err := tx.Companies().Create(ctx, &co); err != nil {
		return nil, "", err
	}
	if err := c.audit(ctx, tx, &a, ActCompanyCreate, "company", co.ID, co.Name, []Change{{Field: "name", New: co.Name}}); err != nil {
		return nil, "", err
	}
	return &co.ID, co.Name, nil
}
