package domain

import (
	"context"
	"time"
)

// ContractService manages contracts and payments.
type ContractService struct{ c *core }

// ContractInput is the editable part of a contract.
type ContractInput struct {
	ClientID       int64
	TotalCents     int64
	RemainingCents *int64 // create only: lower than total = first payment (deposit); nil = total
}

// PaymentInput is a payment to record.
type PaymentInput struct {
	AmountCents int64
	PaidAt      time.Time // zero = now
	Note        string
}

// ContractDetail is a contract with its payments, event and history.
type ContractDetail struct {
	Contract Contract
	Payments []Payment
	Event    *Event
	History  []AuditEntry
}

// List returns one page of contracts.
func (s *ContractService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Contract], error) {
	return Page[Contract]{}, errPending
}

// Get returns one contract.
func (s *ContractService) Get(ctx context.Context, sess *Session, id int64) (Contract, error) {
	return Contract{}, errPending
}

// Detail returns a contract with its payments, event and history.
func (s *ContractService) Detail(ctx context.Context, sess *Session, id int64) (ContractDetail, error) {
	return ContractDetail{}, errPending
}

// Create adds a draft contract.
func (s *ContractService) Create(ctx context.Context, sess *Session, in ContractInput) (Contract, error) {
	return Contract{}, errPending
}

// Update changes a contract's total; remaining moves by the same difference.
func (s *ContractService) Update(ctx context.Context, sess *Session, id, version int64, in ContractInput) (Contract, error) {
	return Contract{}, errPending
}

// Sign signs a draft contract.
func (s *ContractService) Sign(ctx context.Context, sess *Session, id, version int64) (Contract, error) {
	return Contract{}, errPending
}

// Pay records a payment.
func (s *ContractService) Pay(ctx context.Context, sess *Session, id int64, in PaymentInput) (Contract, error) {
	return Contract{}, errPending
}

// Delete removes a draft contract without event.
func (s *ContractService) Delete(ctx context.Context, sess *Session, id int64) error {
	return errPending
}
