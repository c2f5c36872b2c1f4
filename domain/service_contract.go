package domain

import (
	"context"
	"errors"
	"time"
)

// ContractService manages contracts and payments.
type ContractService struct{ c *core }

// ContractInput is the editable part of a contract.
type ContractInput struct {
	ClientID       int64 // create; on update 0 or the same client (a contract never moves)
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

func contractChanges(old, k Contract) []Change {
	var ch changes
	if old.ClientID != k.ClientID {
		ch.add("client", old.ClientName, k.ClientName)
	}
	if old.ID == 0 || k.ID == 0 || old.TotalCents != k.TotalCents {
		ch.add("total", moneyText(old, old.TotalCents), moneyText(k, k.TotalCents))
	}
	if old.ID == 0 || k.ID == 0 || old.RemainingCents != k.RemainingCents {
		ch.add("remaining", moneyText(old, old.RemainingCents), moneyText(k, k.RemainingCents))
	}
	ch.add("status", string(old.Status), string(k.Status))
	return ch
}

// moneyText shows an amount of a record, "" when there is no record.
func moneyText(k Contract, cents int64) string {
	if k.ID == 0 && k.Status == "" {
		return ""
	}
	return FormatMoney(cents)
}

// List returns one page of contracts.
func (s *ContractService) List(ctx context.Context, sess *Session, q ListQuery) (Page[Contract], error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Page[Contract]{}, err
	}
	if err := CanRead(a, "contract"); err != nil {
		return Page[Contract]{}, s.c.deny(ctx, a, "contract", 0, err)
	}
	if q, err = s.c.query("contract", a, q); err != nil {
		return Page[Contract]{}, err
	}
	p, err := s.c.store.Contracts().List(ctx, q)
	return p, wrap("list contracts", err)
}

// loadContract reads a contract for a permission check; one the actor may
// not read is not found.
func (c *core) loadContract(ctx context.Context, a Actor, id int64) (Contract, error) {
	if err := CanRead(a, "contract"); err != nil {
		return Contract{}, c.hidden(ctx, a, "contract", id, err)
	}
	k, err := c.store.Contracts().Get(ctx, id)
	return k, wrap("contract", err)
}

// Get returns one contract.
func (s *ContractService) Get(ctx context.Context, sess *Session, id int64) (Contract, error) {
	a, err := s.c.actor(ctx, sess)
	if err != nil {
		return Contract{}, err
	}
	return s.c.loadContract(ctx, a, id)
}

// Detail returns a contract with its payments, event and history.
func (s *ContractService) Detail(ctx context.Context, sess *Session, id int64) (ContractDetail, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return ContractDetail{}, err
	}
	var d ContractDetail
	if d.Contract, err = c.loadContract(ctx, a, id); err != nil {
		return ContractDetail{}, err
	}
	if d.Payments, err = c.store.Contracts().Payments(ctx, id); err != nil {
		return ContractDetail{}, wrap("contract payments", err)
	}
	if a.Allowed("event", "read", Scope{}) {
		e, err := c.store.Events().GetByContract(ctx, id)
		switch {
		case err == nil:
			d.Event = &e
		case !errors.Is(err, ErrNotFound):
			return ContractDetail{}, wrap("contract event", err)
		}
	}
	if d.History, err = c.history(ctx, "contract", id); err != nil {
		return ContractDetail{}, err
	}
	return d, nil
}

// Create adds a draft contract. A starting remaining amount below the
// total is recorded as a first payment (a deposit).
func (s *ContractService) Create(ctx context.Context, sess *Session, in ContractInput) (Contract, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Contract{}, err
	}
	if in.ClientID == 0 {
		if err := CanCreateContract(a, Client{}); err != nil {
			return Contract{}, c.deny(ctx, a, "contract", 0, err)
		}
		return Contract{}, Invalid("client", "choose the client of the contract")
	}
	cl, err := c.loadClient(ctx, a, in.ClientID)
	if err != nil {
		return Contract{}, err
	}
	if err := CanCreateContract(a, cl); err != nil {
		return Contract{}, c.deny(ctx, a, "contract", 0, err)
	}
	f := &form{}
	f.money("total", in.TotalCents)
	remaining := in.TotalCents
	if in.RemainingCents != nil {
		remaining = *in.RemainingCents
		f.money("remaining", remaining)
		if remaining > in.TotalCents {
			f.add("remaining", "the remaining amount cannot be more than the total")
		}
	}
	if err := f.err(); err != nil {
		return Contract{}, err
	}
	var out Contract
	err = c.store.Tx(ctx, func(tx Store) error {
		cl, err := tx.Clients().Get(ctx, in.ClientID)
		if err != nil {
			return err
		}
		if err := CanCreateContract(a, cl); err != nil {
			return err
		}
		k := Contract{ClientID: cl.ID, TotalCents: in.TotalCents, RemainingCents: in.TotalCents, Status: ContractDraft}
		if err := tx.Contracts().Create(ctx, &k, a.ID); err != nil {
			return err
		}
		if k, err = tx.Contracts().Get(ctx, k.ID); err != nil {
			return err
		}
		if err := c.audit(ctx, tx, &a, "contract.create", "contract", k.ID, contractChanges(Contract{}, k)); err != nil {
			return err
		}
		if remaining < in.TotalCents {
			p := Payment{ContractID: k.ID, AmountCents: in.TotalCents - remaining, PaidAt: c.now(), Note: "deposit recorded with the contract", RecordedByID: a.ID}
			if err := c.pay(ctx, tx, a, k, p); err != nil {
				return err
			}
		}
		out, err = tx.Contracts().Get(ctx, k.ID)
		return err
	})
	if err != nil {
		return Contract{}, c.deny(ctx, a, "contract", 0, wrap("create contract", err))
	}
	return out, nil
}

// pay records p on k and audits it on the contract.
func (c *core) pay(ctx context.Context, tx Store, a Actor, k Contract, p Payment) error {
	if err := tx.Contracts().Pay(ctx, &p, a.ID); err != nil {
		if errors.Is(err, ErrConflict) {
			cur, gerr := tx.Contracts().Get(ctx, k.ID)
			if gerr != nil {
				return err
			}
			return Invalid("amount", "the amount is more than the remaining "+FormatMoney(cur.RemainingCents))
		}
		return err
	}
	ch := []Change{
		{Field: "amount", New: FormatMoney(p.AmountCents)},
		{Field: "paid_at", New: timeText(p.PaidAt)},
	}
	if p.Note != "" {
		ch = append(ch, Change{Field: "note", New: p.Note})
	}
	if cur, err := tx.Contracts().Get(ctx, k.ID); err == nil {
		ch = append(ch, Change{Field: "remaining", Old: FormatMoney(cur.RemainingCents + p.AmountCents), New: FormatMoney(cur.RemainingCents)})
	}
	return c.audit(ctx, tx, &a, "payment.create", "contract", k.ID, ch)
}

// contractTx loads the contract in tx, checks the version, applies change,
// saves and audits.
func (c *core) contractTx(ctx context.Context, a Actor, id, version int64, action string,
	change func(tx Store, k *Contract) error) (Contract, error) {
	var out Contract
	err := c.store.Tx(ctx, func(tx Store) error {
		k, err := tx.Contracts().Get(ctx, id)
		if err != nil {
			return err
		}
		if k.Version != version {
			return conflict(k.UpdatedBy, k.UpdatedAt)
		}
		old := k
		if err := change(tx, &k); err != nil {
			return err
		}
		if err := tx.Contracts().Update(ctx, &k, a.ID); err != nil {
			if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
				if cur, gerr := tx.Contracts().Get(ctx, id); gerr == nil {
					return conflict(cur.UpdatedBy, cur.UpdatedAt)
				}
			}
			return err
		}
		if k, err = tx.Contracts().Get(ctx, id); err != nil {
			return err
		}
		out = k
		return c.audit(ctx, tx, &a, action, "contract", id, contractChanges(old, k))
	})
	return out, err
}

// Update changes a contract's total; the remaining amount moves by the same
// difference. Once signed, only management may change the total.
func (s *ContractService) Update(ctx context.Context, sess *Session, id, version int64, in ContractInput) (Contract, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Contract{}, err
	}
	cur, err := c.loadContract(ctx, a, id)
	if err != nil {
		return Contract{}, err
	}
	if err := CanChangeTotal(a, cur, in.TotalCents); err != nil {
		return Contract{}, c.deny(ctx, a, "contract", id, err)
	}
	f := &form{}
	f.money("total", in.TotalCents)
	if in.ClientID != 0 && in.ClientID != cur.ClientID {
		f.add("client", "a contract cannot move to another client: create a new contract instead")
	}
	if err := f.err(); err != nil {
		return Contract{}, err
	}
	out, err := c.contractTx(ctx, a, id, version, "contract.update", func(tx Store, k *Contract) error {
		if err := CanChangeTotal(a, *k, in.TotalCents); err != nil {
			return err
		}
		rem := k.RemainingCents + in.TotalCents - k.TotalCents
		if rem < 0 {
			return Invalid("total", "the total cannot be lower than what has already been paid ("+FormatMoney(k.TotalCents-k.RemainingCents)+")")
		}
		k.TotalCents, k.RemainingCents = in.TotalCents, rem
		return nil
	})
	if err != nil {
		return Contract{}, c.deny(ctx, a, "contract", id, wrap("update contract", err))
	}
	return out, nil
}

// Sign signs a draft contract. A signed contract is never turned back.
func (s *ContractService) Sign(ctx context.Context, sess *Session, id, version int64) (Contract, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Contract{}, err
	}
	cur, err := c.loadContract(ctx, a, id)
	if err != nil {
		return Contract{}, err
	}
	if err := CanSignContract(a, cur); err != nil {
		return Contract{}, c.deny(ctx, a, "contract", id, err)
	}
	out, err := c.contractTx(ctx, a, id, version, "contract.sign", func(tx Store, k *Contract) error {
		if err := CanSignContract(a, *k); err != nil {
			return err
		}
		if k.Status == ContractSigned {
			return Invalid("status", "this contract is already signed")
		}
		now := c.now()
		k.Status, k.SignedAt, k.SignedByID, k.SignedByName = ContractSigned, &now, &a.ID, a.Name
		return nil
	})
	if err != nil {
		return Contract{}, c.deny(ctx, a, "contract", id, wrap("sign contract", err))
	}
	c.emit("contract.sign", id)
	return out, nil
}

// Pay records a payment; it can never take the remaining amount below zero,
// even when two are recorded at once.
func (s *ContractService) Pay(ctx context.Context, sess *Session, id int64, in PaymentInput) (Contract, error) {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return Contract{}, err
	}
	cur, err := c.loadContract(ctx, a, id)
	if err != nil {
		return Contract{}, err
	}
	if err := CanPay(a, cur); err != nil {
		return Contract{}, c.deny(ctx, a, "payment", id, err)
	}
	f := &form{}
	note := f.text("note", in.Note, false, "", 500)
	now := c.now()
	switch {
	case in.AmountCents <= 0:
		f.add("amount", "enter an amount of more than zero")
	case in.AmountCents > cur.RemainingCents:
		f.add("amount", "the amount is more than the remaining "+FormatMoney(cur.RemainingCents))
	}
	paidAt := in.PaidAt.UTC()
	if in.PaidAt.IsZero() {
		paidAt = now
	} else if paidAt.After(now.Add(time.Minute)) {
		f.add("paid_at", "a payment cannot be in the future")
	}
	if err := f.err(); err != nil {
		return Contract{}, err
	}
	var out Contract
	err = c.store.Tx(ctx, func(tx Store) error {
		k, err := tx.Contracts().Get(ctx, id)
		if err != nil {
			return err
		}
		if err := CanPay(a, k); err != nil {
			return err
		}
		p := Payment{ContractID: id, AmountCents: in.AmountCents, PaidAt: paidAt, Note: note, RecordedByID: a.ID}
		if err := c.pay(ctx, tx, a, k, p); err != nil {
			return err
		}
		out, err = tx.Contracts().Get(ctx, id)
		return err
	})
	if err != nil {
		return Contract{}, c.deny(ctx, a, "payment", id, wrap("record payment", err))
	}
	return out, nil
}

// Delete removes a draft contract without event.
func (s *ContractService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	a, err := c.actor(ctx, sess)
	if err != nil {
		return err
	}
	cur, err := c.loadContract(ctx, a, id)
	if err != nil {
		return err
	}
	if err := CanDeleteContract(a, cur); err != nil {
		return c.deny(ctx, a, "contract", id, err)
	}
	err = c.store.Tx(ctx, func(tx Store) error {
		k, err := tx.Contracts().Get(ctx, id)
		if err != nil {
			return err
		}
		if k.Status != ContractDraft {
			return Invalid("", "a signed contract cannot be deleted")
		}
		if _, err := tx.Events().GetByContract(ctx, id); err == nil {
			return Invalid("", "this contract has an event: delete the event first")
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if err := tx.Contracts().Delete(ctx, id); err != nil {
			return err
		}
		return c.audit(ctx, tx, &a, "contract.delete", "contract", id, contractChanges(k, Contract{}))
	})
	return wrap("delete contract", err)
}
