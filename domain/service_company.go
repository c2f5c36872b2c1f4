package domain

import "context"

// CompanyService finds, creates and renames companies.
type CompanyService struct{ c *core }

// Search finds companies by name.
func (s *CompanyService) Search(ctx context.Context, sess *Session, text string, limit int) ([]Company, error) {
	return nil, errPending
}

// Create adds a company.
func (s *CompanyService) Create(ctx context.Context, sess *Session, name string) (Company, error) {
	return Company{}, errPending
}

// Rename renames a company.
func (s *CompanyService) Rename(ctx context.Context, sess *Session, id int64, name string) (Company, error) {
	return Company{}, errPending
}
