// Package cli holds the commands of epic-events, their configuration and the
// wiring: it is the one place that picks concrete types (the store, the
// hasher, the token key ring) and hands them to the domain services and the
// terminal UI.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"charm.land/fang/v2"
	mango "github.com/muesli/mango-cobra"
	"github.com/muesli/roff"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// env is what a command reads from the outside world, injectable in tests.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// Execute runs the command line of the process and returns its exit code.
func Execute() int {
	return run(context.Background(), env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, e env, args []string) int {
	g := &globals{}
	root := newRootCmd(e, g)
	root.SetArgs(args)
	err := fang.Execute(ctx, root,
		fang.WithVersion(versionString()),
		fang.WithNotifySignal(os.Interrupt, syscall.SIGTERM),
		fang.WithErrorHandler(func(io.Writer, fang.Styles, error) {}),
		// Our own man command writes to the command's stdout (fang's writes
		// to the process's), and is listed.
		fang.WithoutManpage(),
	)
	if err == nil {
		return exitOK
	}
	printError(e.stderr, err, g.output == formatJSON || g.output == formatJSONL)
	return exitCode(err)
}

// globals are the flags every command shares.
type globals struct {
	db     string // --db: database URL or SQLite path, wins over the environment
	dbSet  bool
	output string // -o of the command that ran, also the format of its error
}

// config reads the environment, then applies --db when it was given.
func (g *globals) config(e env) (config, error) {
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		return config{}, err
	}
	if g.dbSet {
		cfg.DatabaseURL = strings.TrimSpace(g.db)
	}
	return cfg, nil
}

func init() {
	// Subcommands are listed in the order they are added: the common ones
	// first, as a reader scanning --help expects.
	cobra.EnableCommandSorting = false
}

// newRootCmd builds the command tree. Without a subcommand it opens the UI.
func newRootCmd(e env, g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "epic-events",
		Short: "Epic Events CRM — clients, contracts and events in your terminal",
		Long: "Epic Events CRM — clients, contracts and events in your terminal.\n\n" +
			"Without a command, opens the full-screen UI. The session is kept in\n" +
			"$XDG_STATE_HOME/epic-events/session.json (mode 0600) so that reopening the\n" +
			"app within 7 days skips the login; L logs out and removes it.\n\n" +
			"Environment:\n" +
			"  " + envDatabaseURL + "    postgres://… for PostgreSQL, mysql://user:pass@host:3306/db for\n" +
			"                       MySQL/MariaDB, or a SQLite file path\n" +
			"                       (default: $XDG_DATA_HOME/epic-events/" + DBFileName + ")\n" +
			"  " + envSecretKey + "      token signing key (default: generated in the data directory)\n" +
			"  " + envSecretPrev + " previous signing key, during a rotation\n" +
			"  " + envSentryDSN + "           send unexpected errors to Sentry (scrubbed)\n" +
			"  " + envSSHAddr + "        address of \"serve\" (default " + defaultSSHAddr + ")\n\n" +
			exitCodesHelp,
		Example: "# open the UI on the embedded database\n" +
			"epic-events\n" +
			"# open the UI on PostgreSQL\n" +
			"epic-events --db postgres://crm@db.example/crm",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return unknownCommand(cmd, args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config(e)
			if err != nil {
				return err
			}
			return runUI(cmd.Context(), e, cfg)
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err.Error() + " (see --help)"} })
	root.PersistentFlags().Var(dbValue{g}, "db", "database: postgres://… or mysql://… URL, or SQLite file path (env "+envDatabaseURL+"; default <data dir>/"+DBFileName+")")
	root.AddCommand(
		newLoginCmd(e, g),
		newLogoutCmd(e, g),
		newWhoamiCmd(e, g),
		newClientCmd(e, g),
		newContractCmd(e, g),
		newEventCmd(e, g),
		newCompanyCmd(e, g),
		newUserCmd(e, g),
		newRoleCmd(e, g),
		newAuditCmd(e, g),
		newServeCmd(e, g),
		newMigrateCmd(e, g),
		newDemoCmd(e, g),
		newVersionCmd(e),
		newManCmd(),
	)
	return root
}

// newManCmd prints the man page of every command (roff, section 1).
func newManCmd() *cobra.Command {
	return &cobra.Command{
		Use:     "man",
		Short:   "Print the man page",
		Long:    "Print the man page of epic-events and all its commands (roff, section 1).",
		Example: "epic-events man > /usr/local/share/man/man1/epic-events.1\nepic-events man | man -l -",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			page, err := mango.NewManPage(1, cmd.Root())
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), page.Build(roff.NewDocument()))
			return err
		},
	}
}

// dbValue binds --db and remembers that it was given (even empty).
type dbValue struct{ g *globals }

func (v dbValue) String() string { return v.g.db }
func (v dbValue) Set(s string) error {
	v.g.db, v.g.dbSet = s, true
	return nil
}
func (v dbValue) Type() string { return "URL" }

var _ pflag.Value = dbValue{}

// usageError is a command line that does not parse: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usagef returns a usage error for cmd, pointing at its --help.
func usagef(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{commandName(cmd) + ": " + fmt.Sprintf(format, args...) + " (see --help)"}
}

// commandName is the command's path without the program name, e.g.
// "client list": errors are printed after "epic-events: ".
func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// unknownCommand says which word is not a command, with a suggestion.
func unknownCommand(cmd *cobra.Command, word string) error {
	msg := fmt.Sprintf("unknown command %q", word)
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		msg += ", did you mean " + strings.Join(s, " or ") + "?"
	}
	return &usageError{msg + " (see " + cmd.CommandPath() + " --help)"}
}

// noArgs refuses stray positional arguments.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef(cmd, "unexpected argument %q", args[0])
	}
	return nil
}

// group returns a command that only holds subcommands: run bare or with an
// unknown word it says which subcommands exist (exit 2).
func group(use, short, long string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Long:  long,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			names := make([]string, 0, len(cmd.Commands()))
			for _, s := range cmd.Commands() {
				if s.IsAvailableCommand() {
					names = append(names, s.Name())
				}
			}
			if len(args) == 0 {
				return usagef(cmd, "say %s", strings.Join(names, " or "))
			}
			return usagef(cmd, "unknown subcommand %q: say %s", args[0], strings.Join(names, " or "))
		},
	}
	c.AddCommand(subs...)
	// The group's examples: the first of each subcommand.
	var ex []string
	for _, s := range subs {
		if first, _, _ := strings.Cut(s.Example, "\n"); first != "" && !strings.HasPrefix(first, "#") {
			ex = append(ex, first)
		}
	}
	c.Example = strings.Join(ex, "\n")
	return c
}
