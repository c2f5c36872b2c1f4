// Package cli holds the commands of epic-events, their configuration and the
// wiring: it is the one place that picks concrete types (the store, the
// hasher, the token key ring) and hands them to the domain services and the
// terminal UI.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// env is what a command reads from the outside world, injectable in tests.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

// commands in the order `--help` lists them.
var commands = []command{
	{"serve", "serve the UI over SSH (each connection logs in)", cmdServe},
	{"migrate", "apply (up) or show (status) database migrations", cmdMigrate},
	{"user", "create a collaborator from the shell (user create …)", cmdUser},
	{"demo", "fill a fresh database with demo data and print logins", cmdDemo},
	{"version", "print the version", cmdVersion},
}

// errUsage means the usage was already printed: exit 2, nothing more to say.
var errUsage = errors.New("usage")

// Execute runs the command line of the process and returns its exit code.
func Execute() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, e env, args []string) int {
	err := dispatch(ctx, e, args)
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(e.stderr, "epic-events:", err)
		return 1
	}
}

func dispatch(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return cmdUI(ctx, e, nil)
	}
	name := args[0]
	switch name {
	case "-h", "--help", "-help", "help":
		usage(e.stdout)
		return nil
	}
	if len(name) > 0 && name[0] == '-' {
		// Flags of the UI itself (e.g. --db).
		return cmdUI(ctx, e, args)
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(e.stderr, "epic-events: unknown command %q\n\n", name)
	usage(e.stderr)
	return errUsage
}

func usage(w io.Writer) {
	fmt.Fprint(w, `Epic Events CRM — clients, contracts and events in your terminal.

Usage:
  epic-events [--db URL]        open the full-screen UI
  epic-events <command> [flags]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "epic-events <command> --help" for a command's flags.

Environment:
  `+envDatabaseURL+`    postgres://… for PostgreSQL, or a SQLite file path
                       (default: $XDG_DATA_HOME/epic-events/`+DBFileName+`)
  `+envSecretKey+`      token signing key (default: generated in the data directory)
  `+envSecretPrev+` previous signing key, during a rotation
  `+envSentryDSN+`           send unexpected errors to Sentry (scrubbed)
  `+envSSHAddr+`        address of "serve" (default `+defaultSSHAddr+`)
`)
}

// flagSet is a subcommand's flags with its help text.
type flagSet struct {
	*flag.FlagSet
	help func()
}

// newFlagSet returns a flag set whose --help prints a usage line, the
// description and the flags to stdout, and whose errors print one line to
// stderr (parseFlags does both: the flag package's own usage output is
// silenced, as it would print the whole help on every typo).
func newFlagSet(e env, name, synopsis, description string) *flagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	help := func() {
		w := e.stdout
		fmt.Fprintf(w, "Usage: epic-events %s\n\n%s\n", synopsis, description)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if hasFlags {
			fmt.Fprintln(w, "\nFlags:")
			fs.SetOutput(w)
			fs.PrintDefaults()
			fs.SetOutput(io.Discard)
		}
	}
	return &flagSet{FlagSet: fs, help: help}
}

// parseFlags parses args, printing help or the error as needed.
func parseFlags(e env, fs *flagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.help()
		return flag.ErrHelp
	default:
		fmt.Fprintf(e.stderr, "epic-events %s: %v (see --help)\n", fs.Name(), err)
		return errUsage
	}
}

// noArgs refuses stray positional arguments.
func noArgs(e env, fs *flagSet) error {
	if fs.NArg() > 0 {
		fmt.Fprintf(e.stderr, "epic-events %s: unexpected argument %q (see --help)\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}
