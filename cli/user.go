package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/epic-events/crm/domain"
)

func newUserCmd(e env, g *globals) *cobra.Command {
	return group("user", "Collaborators: list, show, create, update, delete, deactivate, reactivate, reset-password",
		"Collaborators of Epic Events (the Team view). Everyone logged in reads them;\n"+
			"management creates, edits, deactivates and deletes them.",
		newUserListCmd(e, g),
		newUserShowCmd(e, g),
		newUserCreateCmd(e, g),
		newUserUpdateCmd(e, g),
		deleteCmd(e, g, "user", "Delete a collaborator (management; not the sales contact of clients or the support of future events)",
			func(ctx context.Context, a *app, sess *domain.Session, id int64) error {
				return a.svc.Users.Delete(ctx, sess, id)
			}),
		newUserActiveCmd(e, g, false),
		newUserActiveCmd(e, g, true),
		newUserResetPasswordCmd(e, g),
	)
}

func newUserListCmd(e env, g *globals) *cobra.Command {
	var o listOptions
	var role string
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List collaborators",
		Example: "epic-events user list --role support --filter active\nepic-events user list --all -o csv",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query(cmd, "user")
			if err != nil {
				return err
			}
			q.Role = domain.Role(role)
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				load := func(ctx context.Context, q domain.ListQuery) (domain.Page[domain.User], error) {
					return a.svc.Users.List(ctx, sess, q)
				}
				return printRows(out, userSchema(), rows(ctx, q, o.max(), load))
			})
		},
	}
	o.bind(cmd, "user")
	cmd.Flags().StringVar(&role, "role", "", "only this department: management, sales or support")
	_ = cmd.RegisterFlagCompletionFunc("role", roleCompletion)
	g.outputFlag(cmd)
	return cmd
}

// roleCompletion completes a department.
func roleCompletion(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	names := make([]string, len(domain.Roles))
	for i, r := range domain.Roles {
		names[i] = string(r)
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}

func newUserShowCmd(e env, g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show ID|EMAIL",
		Short:   "Show one collaborator",
		Example: "epic-events user show 3\nepic-events user show leo.blanc@epic-events.fr -o json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				u, err := userArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				return printRecord(out, userSchema(), u)
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}

// userArg resolves a collaborator given as an argument: an unknown one is
// not found (exit 3).
func userArg(ctx context.Context, a *app, sess *domain.Session, ref string) (domain.User, error) {
	u, err := findUser(ctx, a.svc, sess, "user", ref)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		return u, errorf(domain.ErrNotFound, "%s", ve.Fields["user"])
	}
	return u, err
}

// userCreateOptions are the flags of user create.
type userCreateOptions struct {
	in   domain.UserInput
	role string
	as   string
}

func newUserCreateCmd(e env, g *globals) *cobra.Command {
	var o userCreateOptions
	cmd := &cobra.Command{
		Use:   "create --role ROLE --email EMAIL --name NAME",
		Short: "Create a collaborator",
		Long: "Create a collaborator, as the logged-in manager. On an empty database this\n" +
			"bootstraps the first manager (--role management) without a login. --as\n" +
			"acts as another manager: you are asked for that manager's password first.\n\n" +
			"Passwords are read from the terminal without echo (the new one twice), or,\n" +
			"when stdin is not a terminal, one per line: the --as manager's first, then\n" +
			"the new collaborator's. A new password has 15 to 128 characters, is not a\n" +
			"common password and is not the email. It is never accepted as a flag.",
		Example: "# the first manager of an empty database\n" +
			"epic-events user create --role management --email ana.roux@epic-events.fr --name 'Ana Roux'\n" +
			"# a salesman, by the logged-in manager\n" +
			"epic-events user create --role sales --email leo.blanc@epic-events.fr --name 'Léo Blanc'\n" +
			"# the same, vouched for by a manager without a saved session\n" +
			"epic-events user create --role sales --email leo.blanc@epic-events.fr --name 'Léo Blanc' --as ana.roux@epic-events.fr",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := newPrompter(e).fill(cmd,
				need{"role", "Department (management, sales or support)", &o.role, checkRole},
				need{"email", "Email", &o.in.Email, checkEmail},
				need{"name", "Full name", &o.in.FullName, checkRequired("the collaborator's full name")},
			); err != nil {
				return err
			}
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if err := checkRole(o.role); err != nil {
				return errorf(domain.ErrInvalid, "unknown role %q: use management, sales or support", o.role)
			}
			o.in.Role = domain.Role(strings.ToLower(strings.TrimSpace(o.role)))
			return g.withApp(cmd, e, func(ctx context.Context, a *app) error {
				u, err := a.userCreate(ctx, e, o)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "created %s collaborator %s %s <%s>\n", u.Role, u.EmployeeNo, u.FullName, u.Email)
				return printRecord(out, userSchema(), u)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.role, "role", "", "department: management, sales or support (required)")
	_ = cmd.RegisterFlagCompletionFunc("role", roleCompletion)
	f.StringVar(&o.in.Email, "email", "", "email address, also the login (required)")
	f.StringVar(&o.in.FullName, "name", "", "full name (required)")
	f.StringVar(&o.in.Phone, "phone", "", "phone number")
	f.StringVar(&o.in.EmployeeNo, "employee-no", "", "employee number (generated when empty)")
	f.StringVar(&o.as, "as", "", "email of the manager creating this collaborator, instead of the saved session")
	g.outputFlag(cmd)
	return cmd
}

func checkRole(s string) error {
	if !domain.Role(strings.ToLower(strings.TrimSpace(s))).Valid() {
		return errors.New("choose a role: management, sales or support")
	}
	return nil
}

// userCreate bootstraps the first manager, or creates a collaborator as
// the --as manager or the logged-in user.
func (a *app) userCreate(ctx context.Context, e env, o userCreateOptions) (domain.User, error) {
	pw := newPasswordReader(e)
	needs, err := a.svc.Sessions.NeedsSetup(ctx)
	if err != nil {
		return domain.User{}, err
	}
	if needs {
		if o.in.Role != domain.RoleManagement {
			return domain.User{}, errorf(domain.ErrForbidden, "the database has no collaborator yet: the first one must be a manager (--role management)")
		}
		password, err := pw.newPassword("Password for " + o.in.Email)
		if err != nil {
			return domain.User{}, err
		}
		return a.svc.Sessions.Setup(ctx, o.in, password)
	}
	var sess *domain.Session
	if o.as != "" {
		actorPassword, err := pw.password("Password for " + o.as + ": ")
		if err != nil {
			return domain.User{}, err
		}
		sess, err = a.svc.Sessions.Login(ctx, o.as, actorPassword)
		if err != nil {
			return domain.User{}, err
		}
		defer func() { _ = a.svc.Sessions.Logout(context.WithoutCancel(ctx), sess) }()
	} else {
		sess, err = sessionStore{a: a, path: sessionPath(a.cfg)}.load(ctx)
		if errors.Is(err, errNotLoggedIn) {
			return domain.User{}, errorf(domain.ErrUnauthenticated, "collaborators already exist: log in as a manager (`epic-events login`) or pass --as MANAGER_EMAIL")
		}
		if err != nil {
			return domain.User{}, err
		}
	}
	password, err := pw.newPassword("Password for " + o.in.Email)
	if err != nil {
		return domain.User{}, err
	}
	return a.svc.Users.Create(ctx, sess, o.in, password)
}

func newUserUpdateCmd(e env, g *globals) *cobra.Command {
	var in domain.UserInput
	var role string
	var ifVersion int64
	cmd := &cobra.Command{
		Use:   "update ID|EMAIL",
		Short: "Change a collaborator's fields (management)",
		Long: "Change the fields given as flags; the others keep their value. A new role\n" +
			"ends the collaborator's sessions. Nobody can demote themselves, and the last\n" +
			"active manager stays a manager.",
		Example: "epic-events user update 7 --role support\nepic-events user update leo.blanc@epic-events.fr --phone '06 12 34 56 78'",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if onlyOutputFlags(cmd) {
				return usagef(cmd, "say what to change, e.g. --role")
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				cur, err := userArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				next := domain.UserInput{EmployeeNo: cur.EmployeeNo, FullName: cur.FullName, Email: cur.Email, Phone: cur.Phone, Role: cur.Role}
				if changed(cmd, "name") {
					next.FullName = in.FullName
				}
				if changed(cmd, "email") {
					next.Email = in.Email
				}
				if changed(cmd, "phone") {
					next.Phone = in.Phone
				}
				if changed(cmd, "employee-no") {
					next.EmployeeNo = in.EmployeeNo
				}
				if changed(cmd, "role") {
					next.Role = domain.Role(strings.ToLower(strings.TrimSpace(role)))
				}
				u, err := a.svc.Users.Update(ctx, sess, cur.ID, writeVersion(ifVersion, cur.Version), next)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "updated collaborator #%d %s\n", u.ID, u.FullName)
				return printRecord(out, userSchema(), u)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "department: management, sales or support")
	_ = cmd.RegisterFlagCompletionFunc("role", roleCompletion)
	f.StringVar(&in.Email, "email", "", "email address")
	f.StringVar(&in.FullName, "name", "", "full name")
	f.StringVar(&in.Phone, "phone", "", "phone number")
	f.StringVar(&in.EmployeeNo, "employee-no", "", "employee number")
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

// newUserActiveCmd is deactivate (active=false) or reactivate.
func newUserActiveCmd(e env, g *globals, active bool) *cobra.Command {
	use, short, done := "deactivate", "Deactivate a collaborator: their sessions end, they cannot log in", "deactivated"
	if active {
		use, short, done = "reactivate", "Reactivate a collaborator", "reactivated"
	}
	var ifVersion int64
	cmd := &cobra.Command{
		Use:     use + " ID|EMAIL",
		Short:   short,
		Long:    short + " (management). Nobody can deactivate themselves or the last active manager.",
		Example: "epic-events user " + use + " leo.blanc@epic-events.fr",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				cur, err := userArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				u, err := a.svc.Users.SetActive(ctx, sess, cur.ID, writeVersion(ifVersion, cur.Version), active)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "%s collaborator #%d %s\n", done, u.ID, u.FullName)
				return printRecord(out, userSchema(), u)
			})
		},
	}
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

func newUserResetPasswordCmd(e env, g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "reset-password ID|EMAIL",
		Short: "Set a collaborator's password (management); their sessions end",
		Long: "Set another collaborator's password (management); their sessions end.\n" +
			"The new password is read from the terminal without echo (twice), or as one\n" +
			"line on stdin. It is never accepted as a flag.",
		Example: "epic-events user reset-password leo.blanc@epic-events.fr\n" +
			"pwgen -s 24 1 | tee /dev/stderr | epic-events user reset-password 7",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				u, err := userArg(ctx, a, sess, args[0])
				if err != nil {
					return err
				}
				password, err := newPasswordReader(e).newPassword("New password for " + u.Email)
				if err != nil {
					return err
				}
				if err := a.svc.Users.ResetPassword(ctx, sess, u.ID, password); err != nil {
					return err
				}
				fmt.Fprintf(e.stderr, "password of %s reset; their sessions have ended\n", u.Email)
				return nil
			})
		},
	}
}

// passwordReader reads passwords from the terminal without echo, or one per
// line from a non-terminal stdin.
type passwordReader struct {
	e     env
	fd    int
	tty   bool
	lines *bufio.Reader
}

func newPasswordReader(e env) *passwordReader {
	p := &passwordReader{e: e}
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.fd, p.tty = int(f.Fd()), true
	} else {
		p.lines = bufio.NewReader(e.stdin)
	}
	return p
}

// password reads one password.
func (p *passwordReader) password(prompt string) (string, error) {
	if p.tty {
		fmt.Fprint(p.e.stderr, prompt)
		b, err := term.ReadPassword(p.fd)
		fmt.Fprintln(p.e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := p.lines.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", &usageError{"no password on stdin: give one per line, or run from a terminal"}
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// newPassword reads a new password, twice on a terminal.
func (p *passwordReader) newPassword(what string) (string, error) {
	first, err := p.password(what + ": ")
	if err != nil {
		return "", err
	}
	if !p.tty {
		return first, nil
	}
	again, err := p.password("Repeat it: ")
	if err != nil {
		return "", err
	}
	if again != first {
		return "", errorf(domain.ErrInvalid, "the two passwords differ: nothing was changed")
	}
	return first, nil
}
