package domain

import "context"

// Get returns one company (the commands' `company show` and references by
// number).
func (s *CompanyService) Get(ctx context.Context, sess *Session, id int64) (Company, error) {
	if _, err := s.c.see(ctx, sess, "company", id); err != nil {
		return Company{}, err
	}
	co, err := s.c.store.Companies().Get(ctx, id)
	return co, wrap("get company", err)
}
