package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newRoleCmd(e env, g *globals) *cobra.Command {
	return group("role", "Roles and permissions: list, show, grant, revoke",
		"Permissions are data: codes resource:action:scope granted to each role\n"+
			"(management). A grant or revoke applies at the next action of every open\n"+
			"session. management always keeps role:grant:any.",
		newRoleListCmd(e, g),
		newRoleShowCmd(e, g),
		newRoleChangeCmd(e, g, true),
		newRoleChangeCmd(e, g, false),
	)
}

// matrixRows are the permissions with, for each role, whether it has them.
func matrixRows(m domain.RoleMatrix, only func(permissionRow) bool) func(yield func(permissionRow, error) bool) {
	return func(yield func(permissionRow, error) bool) {
		for _, p := range m.Permissions {
			r := permissionRow{Permission: p, granted: map[domain.Role]bool{}}
			for _, role := range domain.Roles {
				r.granted[role] = m.Granted[role][p.Code]
			}
			if only != nil && !only(r) {
				continue
			}
			if !yield(r, nil) {
				return
			}
		}
	}
}

func newRoleListCmd(e env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "Show every permission and which roles hold it",
		Example: "epic-events role list\nepic-events role list -o csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				m, err := a.svc.Roles.Matrix(ctx, sess)
				if err != nil {
					return err
				}
				return printRows(out, permissionSchema(domain.Roles), matrixRows(m, nil))
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}

// roleArg checks a ROLE argument.
func roleArg(cmd *cobra.Command, s string) (domain.Role, error) {
	r := domain.Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return r, usagef(cmd, "unknown role %q: use management, sales or support", s)
	}
	return r, nil
}

func newRoleShowCmd(e env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:               "show ROLE",
		Short:             "List the permissions of one role",
		Example:           "epic-events role show sales",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: roleCompletion,
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := roleArg(cmd, args[0])
			if err != nil {
				return err
			}
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				m, err := a.svc.Roles.Matrix(ctx, sess)
				if err != nil {
					return err
				}
				return printRows(out, permissionSchema([]domain.Role{role}), matrixRows(m, func(p permissionRow) bool { return p.granted[role] }))
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}

func newRoleChangeCmd(e env, g *globals, grant bool) *cobra.Command {
	use, short, done := "revoke", "Take a permission from a role", "revoked %s from %s"
	if grant {
		use, short, done = "grant", "Give a permission to a role", "granted %s to %s"
	}
	return &cobra.Command{
		Use:     use + " ROLE CODE",
		Short:   short + " (management)",
		Example: "epic-events role " + use + " sales contract:create:own_client",
		Args:    cobra.ExactArgs(2),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, s string) ([]string, cobra.ShellCompDirective) {
			if len(args) == 0 {
				return roleCompletion(cmd, args, s)
			}
			codes := make([]string, 0, len(domain.PermissionCatalog))
			for _, p := range domain.PermissionCatalog {
				codes = append(codes, p.Code+"\t"+p.Description)
			}
			return codes, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := roleArg(cmd, args[0])
			if err != nil {
				return err
			}
			code := strings.TrimSpace(args[1])
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				change := a.svc.Roles.Revoke
				if grant {
					change = a.svc.Roles.Grant
				}
				if err := change(ctx, sess, role, code); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, done+"\n", code, role)
				return nil
			})
		},
	}
}
