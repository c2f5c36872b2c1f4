package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newAuditCmd(e env, g *globals) *cobra.Command {
	return group("audit", "The audit log: list",
		"Who did what, newest first (management). Entries are written with the\n"+
			"change they record and are never changed or deleted.",
		newAuditListCmd(e, g),
	)
}

func newAuditListCmd(e env, g *globals) *cobra.Command {
	var o listOptions
	var entity string
	var id int64
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List audit entries, newest first",
		Example: "epic-events audit list --limit 20\n" +
			"epic-events audit list --entity client --id 42 -o json\n" +
			"epic-events audit list --all -o jsonl | grep denied",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query(cmd, "audit")
			if err != nil {
				return err
			}
			if id != 0 && entity == "" {
				return usagef(cmd, "--id needs --entity")
			}
			q.Entity, q.EntityID = entity, id
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				load := func(ctx context.Context, q domain.ListQuery) (domain.Page[domain.AuditEntry], error) {
					return a.svc.Audit.List(ctx, sess, q)
				}
				return printRows(out, auditSchema(), rows(ctx, q, o.max(), load))
			})
		},
	}
	o.bind(cmd, "audit")
	cmd.Flags().StringVar(&entity, "entity", "", "only this kind of record: client, contract, event, user, role, payment, company")
	_ = cmd.RegisterFlagCompletionFunc("entity", cobra.FixedCompletions(
		[]string{"client", "contract", "event", "user", "role", "payment", "company", "session"}, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().Int64Var(&id, "id", 0, "only this record (with --entity)")
	g.outputFlag(cmd)
	return cmd
}
