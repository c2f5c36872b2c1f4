package domain

import (
	"context"
	"errors"
)

// CompanyService finds, creates and renames companies.
type CompanyService struct{ c *core }

// Search finds companies whose name contains text (case-insensitive).
func (s *CompanyService) Search(ctx context.Context, sess *Session, text string, limit int) ([]Company, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return nil, err
	}
	if err := CanRead(a, "company"); err != nil {
		return nil, s.c.deny(ctx, a, "company", 0, err)
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
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Company{}, err
	}
	if err := CanCreateCompany(a); err != nil {
		return Company{}, c.deny(ctx, a, "company", 0, err)
	}
	f := &form{}
	co := Company{Name: f.text("name", name, true, "the company's name", 200)}
	if err := f.err(); err != nil {
		return Company{}, err
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		if err := tx.Companies().Create(ctx, &co); err != nil {
			if errors.Is(err, ErrDuplicate) {
				return errCompanyDup
			}
			return err
		}
		return c.audit(ctx, tx, &a, "company.create", "company", co.ID, []Change{{Field: "name", New: co.Name}})
	})
	if err != nil {
		return Company{}, wrap("create company", err)
	}
	return co, nil
}

// Rename renames a company.
func (s *CompanyService) Rename(ctx context.Context, sess *Session, id int64, name string) (Company, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Company{}, err
	}
	if err := CanUpdateCompany(a); err != nil {
		return Company{}, c.deny(ctx, a, "company", id, &DeniedError{Action: "company.rename"})
	}
	f := &form{}
	n := f.text("name", name, true, "the company's name", 200)
	if err := f.err(); err != nil {
		return Company{}, err
	}
	var out Company
	err = c.store.Tx(ctx, func(tx Store) error {
		co, err := tx.Companies().Get(ctx, id)
		if err != nil {
			return err
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
		return c.audit(ctx, tx, &a, "company.rename", "company", id, []Change{{Field: "name", Old: old, New: n}})
	})
	if err != nil {
		return Company{}, wrap("rename company", err)
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
	if err := CanCreateCompany(a); err != nil {
		return nil, "", err
	}
	co = Company{Name: name}
	if err := tx.Companies().Create(ctx, &co); err != nil {
		return nil, "", err
	}
	if err := c.audit(ctx, tx, &a, "company.create", "company", co.ID, []Change{{Field: "name", New: co.Name}}); err != nil {
		return nil, "", err
	}
	return &co.ID, co.Name, nil
}
