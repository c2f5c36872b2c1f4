package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newContractCmd(e env, g *globals) *cobra.Command {
	return group("contract", "Contracts: list, show, create, update, delete, sign, pay, import",
		"Contracts of clients. Management creates, edits and signs any; sales edit\n"+
			"and sign those of their own clients and record their payments.",
		newContractListCmd(e, g),
		newContractShowCmd(e, g),
		newContractCreateCmd(e, g),
		newContractUpdateCmd(e, g),
		deleteCmd(e, g, "contract", "Delete a draft contract without event",
			func(ctx context.Context, a *app, sess *domain.Session, id int64) error {
				return a.svc.Contracts.Delete(ctx, sess, id)
			}),
		newContractSignCmd(e, g),
		newContractPayCmd(e, g),
		newContractImportCmd(e, g),
	)
}

func newContractListCmd(e env, g *globals) *cobra.Command {
	var o listOptions
	var client, company string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List contracts",
		Long: "List contracts, page by page through the database (constant memory with --all).\n" +
			"Amounts are decimal strings with two digits in JSON and CSV, in the currency\n" +
			"of the currency column.",
		Example: "epic-events contract list --filter unsigned\n" +
			"epic-events contract list --filter unpaid --sort remaining --desc -o json\n" +
			"epic-events contract list --client kevin@startup.io",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query(cmd, "contract")
			if err != nil {
				return err
			}
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := scopeQuery(ctx, a, sess, &q, client, company); err != nil {
					return err
				}
				load := func(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Contract], error) {
					return a.svc.Contracts.List(ctx, sess, q)
				}
				return printRows(out, contractSchema(newEmails(ctx, a.svc, sess)), rows(ctx, q, o.max(), load))
			})
		},
	}
	o.bind(cmd, "contract")
	cmd.Flags().StringVar(&client, "client", "", "only this client's (number or email)")
	cmd.Flags().StringVar(&company, "company", "", "only this company's clients' (name or number)")
	g.outputFlag(cmd)
	return cmd
}

// scopeQuery applies --client and --company to a list query.
func scopeQuery(ctx context.Context, a *app, sess *domain.Session, q *domain.ListQuery, client, company string) error {
	if client != "" {
		c, err := findClient(ctx, a.svc, sess, "client", client)
		if err != nil {
			return err
		}
		q.ClientID = &c.ID
	}
	if company != "" {
		co, err := findCompany(ctx, a.svc, sess, company)
		if err != nil {
			return err
		}
		q.CompanyID = &co.ID
	}
	return nil
}

func newContractShowCmd(e env, g *globals) *cobra.Command {
	var payments bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one contract (or its payments)",
		Example: "epic-events contract show 12\n" +
			"epic-events contract show 12 --payments -o csv",
		Args: oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if payments {
					d, err := a.svc.Contracts.Detail(ctx, sess, id)
					if err != nil {
						return missing("contract", id, err)
					}
					return printRows(out, paymentSchema(), func(yield func(domain.Payment, error) bool) {
						for _, p := range d.Payments {
							if !yield(p, nil) {
								return
							}
						}
					})
				}
				k, err := a.svc.Contracts.Get(ctx, sess, id)
				if err != nil {
					return missing("contract", id, err)
				}
				return printRecord(out, contractSchema(newEmails(ctx, a.svc, sess)), k)
			})
		},
	}
	cmd.Flags().BoolVar(&payments, "payments", false, "list the contract's payments instead")
	g.outputFlag(cmd)
	return cmd
}

func newContractCreateCmd(e env, g *globals) *cobra.Command {
	var client, total, remaining string
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a draft contract",
		Long: "Create a draft contract for a client. A --remaining lower than the total is\n" +
			"recorded as a first payment (a deposit). Amounts: 1500, 1 500.50, 1500,50 €.",
		Example: "epic-events contract create --client kevin@startup.io --total 12000\n" +
			"epic-events contract create --client 42 --total 12000 --remaining 9000 -o json",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := newPrompter(e).fill(cmd,
					need{"client", "Client (number or email)", &client, checkClientRef},
					need{"total", "Total amount (€)", &total, checkMoney},
				); err != nil {
					return err
				}
				c, err := findClient(ctx, a.svc, sess, "client", client)
				if err != nil {
					return err
				}
				in := domain.ContractInput{ClientID: c.ID}
				if in.TotalCents, err = parseMoneyFlag("total", total); err != nil {
					return err
				}
				if changed(cmd, "remaining") {
					rem, err := parseMoneyFlag("remaining", remaining)
					if err != nil {
						return err
					}
					in.RemainingCents = &rem
				}
				k, err := a.svc.Contracts.Create(ctx, sess, in)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "created contract #%d for %s\n", k.ID, k.ClientName)
				return printRecord(out, contractSchema(newEmails(ctx, a.svc, sess)), k)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&client, "client", "", "client: number or email (required)")
	f.StringVar(&total, "total", "", "total amount in euros (required)")
	f.StringVar(&remaining, "remaining", "", "amount still due (default: the total)")
	g.outputFlag(cmd)
	return cmd
}

func checkClientRef(s string) error {
	if _, ok := refNumber(s); ok {
		return nil
	}
	return checkEmail(s)
}

// parseMoneyFlag reads an amount, with the domain's message on the field.
func parseMoneyFlag(field, s string) (int64, error) {
	c, err := domain.ParseMoney(s)
	if err != nil {
		return 0, domain.Invalid(field, err.Error())
	}
	return c, nil
}

func newContractUpdateCmd(e env, g *globals) *cobra.Command {
	var total string
	var ifVersion int64
	cmd := &cobra.Command{
		Use:   "update ID --total AMOUNT",
		Short: "Change a contract's total",
		Long: "Change a contract's total; the remaining amount changes by the same\n" +
			"difference. Once signed, only management may change it.",
		Example: "epic-events contract update 12 --total 15000",
		Args:    oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if !changed(cmd, "total") {
				return usagef(cmd, "missing --total")
			}
			cents, err := parseMoneyFlag("total", total)
			if err != nil {
				return err
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				cur, err := a.svc.Contracts.Get(ctx, sess, id)
				if err != nil {
					return missing("contract", id, err)
				}
				k, err := a.svc.Contracts.Update(ctx, sess, id, writeVersion(ifVersion, cur.Version), domain.ContractInput{TotalCents: cents})
				if err != nil {
					return missing("contract", id, err)
				}
				fmt.Fprintf(e.stderr, "updated contract #%d\n", k.ID)
				return printRecord(out, contractSchema(newEmails(ctx, a.svc, sess)), k)
			})
		},
	}
	cmd.Flags().StringVar(&total, "total", "", "new total amount in euros")
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

func newContractSignCmd(e env, g *globals) *cobra.Command {
	var ifVersion int64
	cmd := &cobra.Command{
		Use:     "sign ID",
		Short:   "Sign a draft contract (never undone)",
		Example: "epic-events contract sign 12",
		Args:    oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				cur, err := a.svc.Contracts.Get(ctx, sess, id)
				if err != nil {
					return missing("contract", id, err)
				}
				k, err := a.svc.Contracts.Sign(ctx, sess, id, writeVersion(ifVersion, cur.Version))
				if err != nil {
					return missing("contract", id, err)
				}
				fmt.Fprintf(e.stderr, "signed contract #%d\n", k.ID)
				return printRecord(out, contractSchema(newEmails(ctx, a.svc, sess)), k)
			})
		},
	}
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

func newContractPayCmd(e env, g *globals) *cobra.Command {
	var amount, note, paidAt string
	cmd := &cobra.Command{
		Use:   "pay ID --amount AMOUNT",
		Short: "Record a payment against a contract",
		Long: "Record a payment: it lowers the remaining amount, never below zero, even\n" +
			"when two are recorded at once.",
		Example: "epic-events contract pay 12 --amount 1500 --note 'deposit, bank transfer'\n" +
			"epic-events contract pay 12 --amount '2 000,00 €' --paid-at 2025-11-30",
		Args: oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := newPrompter(e).fill(cmd, need{"amount", "Amount (€)", &amount, checkMoney}); err != nil {
					return err
				}
				in := domain.PaymentInput{Note: note}
				var err error
				if in.AmountCents, err = parseMoneyFlag("amount", amount); err != nil {
					return err
				}
				if paidAt != "" {
					t, err := domain.ParseDateTime(paidAt, time.Local)
					if err != nil {
						return domain.Invalid("paid_at", err.Error())
					}
					in.PaidAt = t
				}
				k, err := a.svc.Contracts.Pay(ctx, sess, id, in)
				if err != nil {
					return missing("contract", id, err)
				}
				fmt.Fprintf(e.stderr, "recorded %s on contract #%d; %s remaining\n", domain.FormatMoney(in.AmountCents), k.ID, domain.FormatMoney(k.RemainingCents))
				return printRecord(out, contractSchema(newEmails(ctx, a.svc, sess)), k)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&amount, "amount", "", "amount in euros (required)")
	f.StringVar(&note, "note", "", "a note (how it was paid)")
	f.StringVar(&paidAt, "paid-at", "", "when it was paid (default now): 31/12/2025 14:30, 2025-12-31, RFC 3339")
	g.outputFlag(cmd)
	return cmd
}
