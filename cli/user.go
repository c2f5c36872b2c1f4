package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/epic-events/crm/domain"
)

func newUserCmd(e env, g *globals) *cobra.Command {
	return group("user", "Manage collaborators", "Manage collaborators from the shell.",
		newUserCreateCmd(e, g),
	)
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
		Long: "Create a collaborator. On an empty database this bootstraps the first\n" +
			"manager (--role management). Once collaborators exist, act as a manager\n" +
			"with --as: you are asked for that manager's password first.\n\n" +
			"Passwords are read from the terminal without echo (the new one twice), or,\n" +
			"when stdin is not a terminal, one per line: the --as manager's first, then\n" +
			"the new collaborator's. A new password has 15 to 128 characters, is not a\n" +
			"common password and is not the email.",
		Example: "# the first manager of an empty database\n" +
			"epic-events user create --role management --email ana.roux@epic-events.fr --name 'Ana Roux'\n" +
			"# a salesman, vouched for by a manager\n" +
			"epic-events user create --role sales --email leo.blanc@epic-events.fr --name 'Léo Blanc' --as ana.roux@epic-events.fr",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config(e)
			if err != nil {
				return err
			}
			return runUserCreate(cmd, e, cfg, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.role, "role", "", "department: management, sales or support (required)")
	f.StringVar(&o.in.Email, "email", "", "email address, also the login (required)")
	f.StringVar(&o.in.FullName, "name", "", "full name (required)")
	f.StringVar(&o.in.Phone, "phone", "", "phone number")
	f.StringVar(&o.in.EmployeeNo, "employee-no", "", "employee number (generated when empty)")
	f.StringVar(&o.as, "as", "", "email of the manager creating this collaborator (when collaborators exist)")
	return cmd
}

// runUserCreate bootstraps the first manager, or creates a collaborator as
// the --as manager.
func runUserCreate(cmd *cobra.Command, e env, cfg config, o userCreateOptions) error {
	ctx := cmd.Context()
	in, role, as := o.in, o.role, o.as
	in.Role = domain.Role(strings.ToLower(strings.TrimSpace(role)))
	var missing []string
	if role == "" {
		missing = append(missing, "--role")
	}
	if strings.TrimSpace(in.Email) == "" {
		missing = append(missing, "--email")
	}
	if strings.TrimSpace(in.FullName) == "" {
		missing = append(missing, "--name")
	}
	if len(missing) > 0 {
		return usagef(cmd, "missing %s", strings.Join(missing, ", "))
	}
	if !in.Role.Valid() {
		return fmt.Errorf("unknown role %q: use management, sales or support", role)
	}

	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()
	pw := newPasswordReader(e)

	needs, err := a.svc.Sessions.NeedsSetup(ctx)
	if err != nil {
		return a.userError("user create", err)
	}
	var u domain.User
	if needs {
		if in.Role != domain.RoleManagement {
			return errors.New("the database has no collaborator yet: the first one must be a manager (--role management)")
		}
		password, err := pw.newPassword("Password for " + in.Email)
		if err != nil {
			return err
		}
		u, err = a.svc.Sessions.Setup(ctx, in, password)
		if err != nil {
			return a.userError("user create", err)
		}
	} else {
		if as == "" {
			return errors.New("collaborators already exist: pass --as MANAGER_EMAIL to act as a manager, or add collaborators in the Team view of the app")
		}
		actorPassword, err := pw.password("Password for " + as + ": ")
		if err != nil {
			return err
		}
		sess, err := a.svc.Sessions.Login(ctx, as, actorPassword)
		if err != nil {
			return a.userError("login", err)
		}
		defer func() { _ = a.svc.Sessions.Logout(context.WithoutCancel(ctx), sess) }()
		password, err := pw.newPassword("Password for " + in.Email)
		if err != nil {
			return err
		}
		u, err = a.svc.Users.Create(ctx, sess, in, password)
		if err != nil {
			return a.userError("user create", err)
		}
	}
	fmt.Fprintf(e.stdout, "created %s collaborator %s %s <%s>\n", u.Role, u.EmployeeNo, u.FullName, u.Email)
	return nil
}

// userError turns a domain error into what the person at the shell can act
// on. Unexpected errors are logged and reported, and summarised.
func (a *app) userError(op string, err error) error {
	var ve *domain.ValidationError
	var te *domain.ThrottledError
	var ce *domain.ConflictError
	switch {
	case errors.As(err, &ve):
		keys := make([]string, 0, len(ve.Fields))
		for k := range ve.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		lines := make([]string, 0, len(keys))
		for _, k := range keys {
			if k == "" {
				lines = append(lines, ve.Fields[k])
			} else {
				lines = append(lines, k+": "+ve.Fields[k])
			}
		}
		return errors.New(strings.Join(lines, "\n  "))
	case errors.As(err, &te):
		return errors.New(te.Error())
	case errors.As(err, &ce):
		return errors.New(ce.Error())
	case errors.Is(err, domain.ErrUnauthenticated):
		return errors.New("wrong email or password")
	case errors.Is(err, domain.ErrForbidden):
		return errors.New("that account is not allowed to do this (a manager is needed)")
	case errors.Is(err, domain.ErrConflict):
		return errors.New("already exists")
	case errors.Is(err, domain.ErrNotFound):
		return errors.New("not found")
	case errors.Is(err, domain.ErrUnavailable):
		return fmt.Errorf("the database (%s) is unavailable: check that it is running and try again", a.desc)
	}
	a.rep.Error(op, err)
	return fmt.Errorf("%s failed unexpectedly; details are in the log (%s)", op, logPath(a.cfg.StateDir))
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
		return "", errors.New("no password on stdin: give one per line, or run from a terminal")
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
		return "", errors.New("the two passwords differ: nothing was created")
	}
	return first, nil
}
