package cli

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

// withApp opens the database and the services for one command.
func (g *globals) withApp(cmd *cobra.Command, e env, fn func(ctx context.Context, a *app) error) error {
	cfg, err := g.config(e)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()
	return a.fail(commandName(cmd), fn(ctx, a))
}

// withSession is withApp with the saved session (exit 7 without one).
func (g *globals) withSession(cmd *cobra.Command, e env, fn func(ctx context.Context, a *app, sess *domain.Session) error) error {
	return g.withApp(cmd, e, func(ctx context.Context, a *app) error {
		sess, err := sessionStore{a: a, path: sessionPath(a.cfg)}.load(ctx)
		if err != nil {
			return err
		}
		return fn(ctx, a, sess)
	})
}

// withOutput is withSession for a command that prints: the -o format is
// checked before the database is opened.
func (g *globals) withOutput(cmd *cobra.Command, e env, fn func(ctx context.Context, a *app, sess *domain.Session, out output) error) error {
	out, err := g.outputFor(e)
	if err != nil {
		return err
	}
	return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
		return fn(ctx, a, sess, out)
	})
}

// newShowCmd is `<resource> show ID`: the record get reads, printed with
// the schema it gives (exit 3 when it does not exist or may not be read).
func newShowCmd[T any](e env, g *globals, resource, exampleID string,
	get func(ctx context.Context, a *app, sess *domain.Session, id int64) (T, schema[T], error)) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Show one " + resource,
		Example: "epic-events " + resource + " show " + exampleID + "\n" +
			"epic-events " + resource + " show " + exampleID + " -o json",
		Args: oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				rec, s, err := get(ctx, a, sess, id)
				if err != nil {
					return missing(resource, id, err)
				}
				return printRecord(out, s, rec)
			})
		},
	}
	g.outputFlag(cmd)
	return cmd
}

// fail passes the domain's typed errors (their sentences are written for
// users) and the command's own through; anything else is logged, reported
// and summarised, so that no SQL or stack trace reaches the terminal.
func (a *app) fail(op string, err error) error {
	var u *usageError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &u), isKindError(err):
		return err
	case errors.Is(err, domain.ErrUnavailable):
		a.log.Warn(op, "err", scrub(err.Error()))
		return errorf(domain.ErrUnavailable, "the database (%s) is unavailable: check that it is running and try again", a.desc)
	case errors.Is(err, domain.ErrUnauthenticated):
		if errors.Is(err, domain.ErrWrongCredentials) {
			return err
		}
		return errorf(domain.ErrUnauthenticated, "your session has ended: run `epic-events login`")
	case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrForbidden),
		errors.Is(err, domain.ErrThrottled), errors.Is(err, domain.ErrNotFound):
		return err
	case errors.Is(err, context.DeadlineExceeded):
		return errorf(domain.ErrUnavailable, "the database (%s) did not answer in time: try again", a.desc)
	case errors.Is(err, context.Canceled):
		return errors.New("interrupted")
	}
	a.log.Error(op, "err", scrub(err.Error()))
	a.rep.Error(op, err)
	return fmt.Errorf("%s failed unexpectedly; details are in the log (%s)", op, logPath(a.cfg.StateDir))
}

// parseID reads a record id argument.
func parseID(cmd *cobra.Command, what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef(cmd, "%s %q: want a record number like 42", what, s)
	}
	return id, nil
}

// oneID is the Args of a command taking exactly one record id.
func oneID(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == 0:
			return usagef(cmd, "missing %s", what)
		case len(args) > 1:
			return usagef(cmd, "unexpected argument %q", args[1])
		}
		_, err := parseID(cmd, what, args[0])
		return err
	}
}

// listOptions are the flags every list takes: the UI's filters, search and
// sorts, and how many rows.
type listOptions struct {
	filter string
	search string
	sort   string
	desc   bool
	limit  int
	all    bool
}

// defaultLimit is the rows a list prints without --limit or --all.
const defaultLimit = 50

func (o *listOptions) bind(cmd *cobra.Command, resource string) {
	f := cmd.Flags()
	var filters []string
	for _, v := range domain.ListFilters[resource] {
		if v != "" {
			filters = append(filters, v)
		}
	}
	if len(filters) > 0 {
		f.StringVar(&o.filter, "filter", "", "only these: "+strings.Join(filters, ", "))
		_ = cmd.RegisterFlagCompletionFunc("filter", cobra.FixedCompletions(filters, cobra.ShellCompDirectiveNoFileComp))
	}
	if resource != "audit" {
		f.StringVarP(&o.search, "search", "s", "", "text to find in names, emails and company (any case)")
	}
	sorts := domain.ListSorts[resource]
	if len(sorts) > 1 {
		f.StringVar(&o.sort, "sort", "", "order by "+strings.Join(sorts, ", ")+" (default "+sorts[0]+")")
		_ = cmd.RegisterFlagCompletionFunc("sort", cobra.FixedCompletions(sorts, cobra.ShellCompDirectiveNoFileComp))
		f.BoolVar(&o.desc, "desc", false, "reverse the order")
	}
	f.IntVar(&o.limit, "limit", defaultLimit, "print at most this many rows")
	f.BoolVar(&o.all, "all", false, "print every row (streamed page by page)")
}

// query checks the flags and builds the first page's query.
func (o *listOptions) query(cmd *cobra.Command, resource string) (domain.ListQuery, error) {
	if o.all && cmd.Flags().Changed("limit") {
		return domain.ListQuery{}, usagef(cmd, "--all and --limit exclude each other")
	}
	if !o.all && o.limit < 1 {
		return domain.ListQuery{}, usagef(cmd, "--limit %d: want 1 or more (or --all)", o.limit)
	}
	if !slices.Contains(domain.ListFilters[resource], o.filter) {
		return domain.ListQuery{}, usagef(cmd, "--filter %q: choose one of %s", o.filter, strings.Join(domain.ListFilters[resource][1:], ", "))
	}
	if o.sort != "" && !slices.Contains(domain.ListSorts[resource], o.sort) {
		return domain.ListQuery{}, usagef(cmd, "--sort %q: choose one of %s", o.sort, strings.Join(domain.ListSorts[resource], ", "))
	}
	return domain.ListQuery{Search: o.search, Filter: o.filter, Sort: o.sort, Desc: o.desc}, nil
}

// pageSize is the rows asked for per page: the most a service gives.
const pageSize = 500

// rows streams a list through its keyset cursor, one page in memory at a
// time, stopping after limit rows (0 = all).
func rows[T any](ctx context.Context, q domain.ListQuery, limit int, load func(context.Context, domain.ListQuery) (domain.Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		n := 0
		for {
			q.Limit = pageSize
			if limit > 0 {
				q.Limit = min(pageSize, limit-n)
			}
			p, err := load(ctx, q)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, item := range p.Items {
				if !yield(item, nil) {
					return
				}
				n++
				if limit > 0 && n >= limit {
					return
				}
			}
			if p.Next == "" || len(p.Items) == 0 {
				return
			}
			q.After = p.Next
		}
	}
}

// max is the row limit of the options (0 = all).
func (o *listOptions) max() int {
	if o.all {
		return 0
	}
	return o.limit
}

// changed reports whether the flag was given.
func changed(cmd *cobra.Command, name string) bool { return cmd.Flags().Changed(name) }

// ifVersion is --if-version: the version the script last read; a record
// changed since is refused (exit 5) instead of overwritten.
func ifVersionFlag(cmd *cobra.Command, v *int64) {
	cmd.Flags().Int64Var(v, "if-version", 0, "refuse (exit 5) if the record's version is no longer this one (see -o json's version)")
}

// writeVersion is the version to write against: --if-version, else the
// current one.
func writeVersion(ifVersion, current int64) int64 {
	if ifVersion > 0 {
		return ifVersion
	}
	return current
}

// missing words a service's "not found" for the record the user named.
func missing(resource string, id int64, err error) error {
	if errors.Is(err, domain.ErrNotFound) && !isKindError(err) {
		return errorf(domain.ErrNotFound, "%s #%d not found (or you may not see it)", resource, id)
	}
	return err
}
