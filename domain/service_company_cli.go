package domain

import "context"

// Get returns one company (the commands' `company show` and references by
// number).
func (s *CompanyService) Get(ctx context.Context, sess *Session, id int64) (Company, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Company{}, err
	}
	if err := CanRead(a, "company"); err != nil {
		return Company{}, s.c.hidden(ctx, a, "company", id, err)
	}
	co, err := s.c.store.Companies().Get(ctx, id)
	return co, wrap("get company", err)
}
