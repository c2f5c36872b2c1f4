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
	a, err := s.c.see(ctx, sess, "contract", 0)
	if err != nil {
		return Page[Contract]{}, err
	}
	if q, err = s.c.query("contract", a, q); err != nil {
		return Page[Contract]{}, err
	}
	p, err := s.c.store.Contracts().List(ctx, q)
	return p, wrap("list contracts", err)
}

// Get returns one contract.
func (s *ContractService) Get(ctx context.Context, sess *Session, id int64) (Contract, error) {
	if _, err := s.c.see(ctx, sess, "contract", id); err != nil {
		return Contract{}, err
	}
	k, err := s.c.store.Contracts().Get(ctx, id)
	return k, wrap("contract", err)
}

// Detail returns a contract with its payments, event and history.
func (s *ContractService) Detail(ctx context.Context, sess *Session, id int64) (ContractDetail, error) {
	c := s.c
	a, err := c.see(ctx, sess, "contract", id)
	if err != nil {
		return ContractDetail{}, err
	}
	var d ContractDetail
	if d.Contract, err = c.store.Contracts().Get(ctx, id); err != nil {
		return ContractDetail{}, wrap("contract", err)
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

// Create adds a draft contract for in.ClientID. A starting remaining
// amount below the total is recorded as a first payment (a deposit).
func (s *ContractService) Create(ctx context.Context, sess *Session, in ContractInput) (Contract, error) {
	c := s.c
	if in.ClientID == 0 {
		// No client chosen: nothing to decide on yet.
		if _, err := c.actor(ctx, sess); err != nil {
			return Contract{}, err
		}
		return Contract{}, Invalid("client", "choose the client of the contract")
	}
	remaining := in.TotalCents
	var out Contract
	_, err := c.run(ctx, sess, op{action: ActContractCreate, id: in.ClientID,
		prepare: func(Actor, subject) error {
			f := &form{}
			f.money("total", in.TotalCents)
			if in.RemainingCents != nil {
				remaining = *in.RemainingCents
				f.money("remaining", remaining)
				if remaining > in.TotalCents {
					f.add("remaining", "the remaining amount cannot be more than the total")
				}
			}
			return f.err()
		},
		change: func(tx Store, a Actor, s subject) error {
			cl := s.rec.(Client)
			k := Contract{ClientID: cl.ID, TotalCents: in.TotalCents, RemainingCents: in.TotalCents, Status: ContractDraft}
			if err := tx.Contracts().Create(ctx, &k, a.ID); err != nil {
				return err
			}
			var err error
			if k, err = tx.Contracts().Get(ctx, k.ID); err != nil {
				return err
			}
			if err := c.audit(ctx, tx, &a, ActContractCreate, "contract", k.ID, contractSearchLabel(k), contractChanges(Contract{}, k)); err != nil {
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
		}})
	if err != nil {
		return Contract{}, wrap("create contract", err)
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
	return c.audit(ctx, tx, &a, ActPaymentCreate, "contract", k.ID, contractSearchLabel(k), ch)
}

// saveContract saves k over old (as read in tx, at the version the caller
// read) and audits action. Nothing changed: ErrNoChange, nothing written.
func (c *core) saveContract(ctx context.Context, tx Store, a Actor, old, k Contract, version int64, action string) (Contract, error) {
	if old.Version != version {
		return Contract{}, conflict(old.UpdatedBy, old.UpdatedAt)
	}
	if len(contractChanges(old, k)) == 0 && sameID(old.SignedByID, k.SignedByID) {
		return old, ErrNoChange
	}
	if err := tx.Contracts().Update(ctx, &k, a.ID); err != nil {
		if errors.Is(err, ErrConflict) && !errors.Is(err, ErrDuplicate) {
			if cur, gerr := tx.Contracts().Get(ctx, old.ID); gerr == nil {
				return Contract{}, conflict(cur.UpdatedBy, cur.UpdatedAt)
			}
		}
		return Contract{}, err
	}
	k, err := tx.Contracts().Get(ctx, old.ID)
	if err != nil {
		return Contract{}, err
	}
	return k, c.audit(ctx, tx, &a, action, "contract", old.ID, contractSearchLabel(k), contractChanges(old, k))
}

// Update changes a contract's total; the remaining amount moves by the same
// difference. Once signed, only management may change the total. A save
// that changes nothing answers ErrNoChange with the contract as stored.
func (s *ContractService) Update(ctx context.Context, sess *Session, id, version int64, in ContractInput) (Contract, error) {
	c := s.c
	var out Contract
	_, err := c.run(ctx, sess, op{action: ActContractUpdate, id: id,
		prepare: func(_ Actor, s subject) error {
			f := &form{}
			f.money("total", in.TotalCents)
			if in.ClientID != 0 && in.ClientID != s.rec.(Contract).ClientID {
				f.add("client", "a contract cannot move to another client: create a new contract instead")
			}
			return f.err()
		},
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Contract)
			k := old
			rem := k.RemainingCents + in.TotalCents - k.TotalCents
			if rem < 0 {
				return Invalid("total", "the total cannot be lower than what has already been paid ("+FormatMoney(k.TotalCents-k.RemainingCents)+")")
			}
			k.TotalCents, k.RemainingCents = in.TotalCents, rem
			var err error
			out, err = c.saveContract(ctx, tx, a, old, k, version, ActContractUpdate)
			return err
		}})
	if err != nil {
		return out, wrap("update contract", err)
	}
	return out, nil
}

// Sign signs a draft contract. A signed contract is never turned back.
func (s *ContractService) Sign(ctx context.Context, sess *Session, id, version int64) (Contract, error) {
	c := s.c
	var out Contract
	_, err := c.run(ctx, sess, op{action: ActContractSign, id: id,
		change: func(tx Store, a Actor, s subject) error {
			old := s.rec.(Contract)
			k := old
			now := c.now()
			k.Status, k.SignedAt, k.SignedByID, k.SignedByName = ContractSigned, &now, &a.ID, a.Name
			var err error
			out, err = c.saveContract(ctx, tx, a, old, k, version, ActContractSign)
			return err
		}})
	if err != nil {
		return Contract{}, wrap("sign contract", err)
	}
	c.emit(ActContractSign, id)
	return out, nil
}

// Pay records a payment; it can never take the remaining amount below zero,
// even when two are recorded at once.
func (s *ContractService) Pay(ctx context.Context, sess *Session, id int64, in PaymentInput) (Contract, error) {
	c := s.c
	var (
		note   string
		paidAt time.Time
		out    Contract
	)
	_, err := c.run(ctx, sess, op{action: ActPaymentCreate, id: id,
		prepare: func(_ Actor, s subject) error {
			cur := s.rec.(Contract)
			f := &form{}
			note = f.text("note", in.Note, false, "", 500)
			now := c.now()
			switch {
			case in.AmountCents <= 0:
				f.add("amount", "enter an amount of more than zero")
			case in.AmountCents > cur.RemainingCents:
				f.add("amount", "the amount is more than the remaining "+FormatMoney(cur.RemainingCents))
			}
			paidAt = in.PaidAt.UTC()
			if in.PaidAt.IsZero() {
				paidAt = now
			} else if paidAt.After(now.Add(time.Minute)) {
				f.add("paid_at", "a payment cannot be in the future")
			}
			return f.err()
		},
		change: func(tx Store, a Actor, s subject) error {
			k := s.rec.(Contract)
			p := Payment{ContractID: id, AmountCents: in.AmountCents, PaidAt: paidAt, Note: note, RecordedByID: a.ID}
			if err := c.pay(ctx, tx, a, k, p); err != nil {
				return err
			}
			var err error
			out, err = tx.Contracts().Get(ctx, id)
			return err
		}})
	if err != nil {
		return Contract{}, wrap("record payment", err)
	}
	return out, nil
}

// Delete removes a draft contract without event.
func (s *ContractService) Delete(ctx context.Context, sess *Session, id int64) error {
	c := s.c
	_, err := c.run(ctx, sess, op{action: ActContractDelete, id: id,
		change: func(tx Store, a Actor, s subject) error {
			k := s.rec.(Contract)
			if err := tx.Contracts().Delete(ctx, id); err != nil {
				return err
			}
			return c.audit(ctx, tx, &a, ActContractDelete, "contract", id, s.label, contractChanges(k, Contract{}))
		}})
	return wrap("delete contract", err)
}
