package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newClientCmd(e env, g *globals) *cobra.Command {
	return group("client", "Clients: list, show, create, update, delete, import",
		"Clients of Epic Events. Everyone logged in reads them; sales create them\n"+
			"(and become their sales contact) and edit their own; management edits,\n"+
			"reassigns and deletes any.",
		newClientListCmd(e, g),
		newClientShowCmd(e, g),
		newClientCreateCmd(e, g),
		newClientUpdateCmd(e, g),
		newClientDeleteCmd(e, g),
		newClientImportCmd(e, g),
	)
}

func newClientListCmd(e env, g *globals) *cobra.Command {
	var o listOptions
	var company string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List clients",
		Long: "List clients, page by page through the database (constant memory with --all).\n" +
			"`client list --all -o csv` is the export that `client import` reads back.",
		Example: "epic-events client list --filter mine --sort updated --desc\n" +
			"epic-events client list --search dupont -o json\n" +
			"epic-events client list --all -o csv > clients.csv",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query(cmd, "client")
			if err != nil {
				return err
			}
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if company != "" {
					co, err := findCompany(ctx, a.svc, sess, company)
					if err != nil {
						return err
					}
					q.CompanyID = &co.ID
				}
				load := func(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Client], error) {
					return a.svc.Clients.List(ctx, sess, q)
				}
				return printRows(out, clientSchema(newEmails(ctx, a.svc, sess)), rows(ctx, q, o.max(), load))
			})
		},
	}
	o.bind(cmd, "client")
	cmd.Flags().StringVar(&company, "company", "", "only the clients of this company (name or number)")
	g.outputFlag(cmd)
	return cmd
}

func newClientShowCmd(e env, g *globals) *cobra.Command {
	return newShowCmd(e, g, "client", "42", func(ctx context.Context, a *app, sess *domain.Session, id int64) (domain.Client, schema[domain.Client], error) {
		c, err := a.svc.Clients.Get(ctx, sess, id)
		return c, clientSchema(newEmails(ctx, a.svc, sess)), err
	})
}

// clientOptions are a client's fields as flags.
type clientOptions struct {
	name, email, phone, company, sales string
}

func (o *clientOptions) bind(cmd *cobra.Command, create bool) {
	req := ""
	if create {
		req = " (required)"
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "full name"+req)
	f.StringVar(&o.email, "email", "", "email address"+req)
	f.StringVar(&o.phone, "phone", "", "phone: digits, spaces, + - . ( ), 6 to 20 digits")
	f.StringVar(&o.company, "company", "", "company name (found or created in passing) or number; \"\" for none")
	f.StringVar(&o.sales, "sales-contact", "", "sales contact: collaborator number or email (management only; a sales creator is the contact)")
}

func newClientCreateCmd(e env, g *globals) *cobra.Command {
	var o clientOptions
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create a client",
		Long: "Create a client. A sales creator becomes its sales contact. On a terminal,\n" +
			"missing required fields are asked for; in a script they are an error (exit 2).",
		Example: "epic-events client create --name 'Kevin Casey' --email kevin@startup.io --phone '+33 6 12 34 56 78' --company 'Cool Startup LLC'\n" +
			"epic-events client create --name 'Kevin Casey' --email kevin@startup.io -o json | jq .id",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := newPrompter(e).fill(cmd,
					need{"name", "Full name", &o.name, checkRequired("the client's full name")},
					need{"email", "Email", &o.email, checkEmail},
				); err != nil {
					return err
				}
				in := domain.ClientInput{FullName: o.name, Email: o.email, Phone: o.phone}
				if err := o.references(ctx, a, sess, &in, cmd); err != nil {
					return err
				}
				c, err := a.svc.Clients.Create(ctx, sess, in)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "created client #%d %s\n", c.ID, c.FullName)
				return printRecord(out, clientSchema(newEmails(ctx, a.svc, sess)), c)
			})
		},
	}
	o.bind(cmd, true)
	g.outputFlag(cmd)
	return cmd
}

// references resolves --company and --sales-contact into the input.
func (o *clientOptions) references(ctx context.Context, a *app, sess *domain.Session, in *domain.ClientInput, cmd *cobra.Command) error {
	if changed(cmd, "company") {
		in.CompanyID, in.CompanyName = nil, strings.TrimSpace(o.company)
		if isNumber(in.CompanyName) {
			id, _ := parseID(cmd, "--company", in.CompanyName)
			in.CompanyID, in.CompanyName = &id, ""
		}
	}
	if changed(cmd, "sales-contact") {
		u, err := findUser(ctx, a.svc, sess, "sales_contact", o.sales)
		if err != nil {
			return err
		}
		in.SalesContactID = &u.ID
	}
	return nil
}

func newClientUpdateCmd(e env, g *globals) *cobra.Command {
	var o clientOptions
	var ifVersion int64
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change a client's fields",
		Long: "Change the fields given as flags; the others keep their value. --sales-contact\n" +
			"reassigns the client (management). With --if-version, a client changed\n" +
			"since that version is refused (exit 5) instead of overwritten.",
		Example: "epic-events client update 42 --phone '01 23 45 67 89'\n" +
			"epic-events client update 42 --company '' --if-version 3",
		Args: oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if cmd.Flags().NFlag() == 0 || onlyOutputFlags(cmd) {
				return usagef(cmd, "say what to change, e.g. --phone")
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				cur, err := a.svc.Clients.Get(ctx, sess, id)
				if err != nil {
					return missing("client", id, err)
				}
				in := domain.ClientInput{FullName: cur.FullName, Email: cur.Email, Phone: cur.Phone, CompanyID: cur.CompanyID}
				if changed(cmd, "name") {
					in.FullName = o.name
				}
				if changed(cmd, "email") {
					in.Email = o.email
				}
				if changed(cmd, "phone") {
					in.Phone = o.phone
				}
				if err := o.references(ctx, a, sess, &in, cmd); err != nil {
					return err
				}
				c, err := a.svc.Clients.Update(ctx, sess, id, writeVersion(ifVersion, cur.Version), in)
				if err != nil {
					return missing("client", id, err)
				}
				fmt.Fprintf(e.stderr, "updated client #%d %s\n", c.ID, c.FullName)
				return printRecord(out, clientSchema(newEmails(ctx, a.svc, sess)), c)
			})
		},
	}
	o.bind(cmd, false)
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

func newClientDeleteCmd(e env, g *globals) *cobra.Command {
	return deleteCmd(e, g, "client", "Delete a client and its draft contracts (management; not with a signed contract)",
		func(ctx context.Context, a *app, sess *domain.Session, id int64) error {
			return a.svc.Clients.Delete(ctx, sess, id)
		})
}

// deleteCmd is the delete command of a resource.
func deleteCmd(e env, g *globals, resource, short string, del func(ctx context.Context, a *app, sess *domain.Session, id int64) error) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:     "delete ID",
		Short:   short,
		Long:    short + ".\nOn a terminal you are asked to confirm unless --yes; a script is not asked.",
		Example: "epic-events " + resource + " delete 42 --yes",
		Args:    oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				if p := newPrompter(e); !yes && p.interactive() {
					// Ask the domain first, as the UI does: a refused delete
					// is said (and audited) before anyone is asked to confirm.
					if err := a.svc.May(ctx, sess, resource+".delete", id); err != nil {
						return missing(resource, id, err)
					}
					ok, err := p.confirm(fmt.Sprintf("Delete %s #%d?", resource, id))
					if err != nil {
						return err
					}
					if !ok {
						return errCancelled
					}
				}
				if err := del(ctx, a, sess, id); err != nil {
					return missing(resource, id, err)
				}
				fmt.Fprintf(e.stderr, "deleted %s #%d\n", resource, id)
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

// onlyOutputFlags: no flag but -o/--db was given (nothing to change).
func onlyOutputFlags(cmd *cobra.Command) bool {
	only := true
	cmd.Flags().Visit(func(f *pflagFlag) {
		if f.Name != "output" && f.Name != "db" && f.Name != "if-version" {
			only = false
		}
	})
	return only
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range strings.TrimPrefix(s, "#") {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
