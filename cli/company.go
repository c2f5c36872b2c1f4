package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newCompanyCmd(e env, g *globals) *cobra.Command {
	return group("company", "Companies: list, show, create, update",
		"Companies clients work for. Everyone logged in reads them; sales and\n"+
			"management create them (also in passing, with client create --company);\n"+
			"management renames them. Companies are never deleted.",
		newCompanyListCmd(e, g),
		newCompanyShowCmd(e, g),
		newCompanyCreateCmd(e, g),
		newCompanyUpdateCmd(e, g),
	)
}

// maxCompanies is the most companies one search returns (the service's
// limit): companies are few, and --search narrows them.
const maxCompanies = 500

func newCompanyListCmd(e env, g *globals) *cobra.Command {
	var search string
	var limit int
	var all bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List companies by name",
		Long: "List companies by name, at most 500 at a time: narrow with --search. With\n" +
			"--all, more than 500 matches is an error rather than a silently cut list.",
		Example: "epic-events company list --search hotel\nepic-events company list --all -o csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all && changed(cmd, "limit") {
				return usagef(cmd, "--all and --limit exclude each other")
			}
			if limit < 1 || limit > maxCompanies {
				return usagef(cmd, "--limit %d: want 1 to %d", limit, maxCompanies)
			}
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				n := limit
				if all {
					n = maxCompanies
				}
				cs, err := a.svc.Companies.Search(ctx, sess, search, n)
				if err != nil {
					return err
				}
				if all && len(cs) >= maxCompanies {
					return errorf(domain.ErrInvalid, "more than %d companies match: narrow the list with --search", maxCompanies)
				}
				return printRows(out, companySchema(), func(yield func(domain.Company, error) bool) {
					for _, co := range cs {
						if !yield(co, nil) {
							return
						}
					}
				})
			})
		},
	}
	cmd.Flags().StringVarP(&search, "search", "s", "", "text to find in the name (any case)")
	cmd.Flags().IntVar(&limit, "limit", defaultLimit, "print at most this many rows")
	cmd.Flags().BoolVar(&all, "all", false, "print every matching company (at most 500)")
	g.outputFlag(cmd)
	return cmd
}

func newCompanyShowCmd(e env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show ID|NAME",
		Short:   "Show one company",
		Example: "epic-events company show 4\nepic-events company show 'Cool Startup LLC'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				co, err := companyArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				return printRecord(out, companySchema(), co)
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}

// companyArg resolves a company given as an argument (exit 3 if unknown).
func companyArg(ctx context.Context, a *app, sess *domain.Session, ref string) (domain.Company, error) {
	co, err := findCompany(ctx, a.svc, sess, ref)
	if ve, ok := err.(*domain.ValidationError); ok {
		return co, errorf(domain.ErrNotFound, "%s", ve.Fields["company"])
	}
	return co, err
}

func newCompanyCreateCmd(e env, g *globals) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "create --name NAME",
		Short:   "Create a company",
		Example: "epic-events company create --name 'Cool Startup LLC'",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := newPrompter(e).fill(cmd, need{"name", "Company name", &name, checkRequired("the company's name")}); err != nil {
					return err
				}
				co, err := a.svc.Companies.Create(ctx, sess, name)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "created company #%d %s\n", co.ID, co.Name)
				return printRecord(out, companySchema(), co)
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the company's name, unique (required)")
	g.outputFlag(cmd)
	return cmd
}

func newCompanyUpdateCmd(e env, g *globals) *cobra.Command {
	var name string
	cmd := &cobra.Command{
		Use:     "update ID|NAME --name NEW_NAME",
		Short:   "Rename a company (management)",
		Example: "epic-events company update 4 --name 'Cool Startup SAS'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if !changed(cmd, "name") {
				return usagef(cmd, "missing --name")
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				cur, err := companyArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				co, err := a.svc.Companies.Rename(ctx, sess, cur.ID, name)
				if err != nil {
					return missing("company", cur.ID, err)
				}
				fmt.Fprintf(e.stderr, "renamed company #%d to %s\n", co.ID, co.Name)
				return printRecord(out, companySchema(), co)
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "the new name")
	g.outputFlag(cmd)
	return cmd
}
