package cli

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

func newEventCmd(e env, g *globals) *cobra.Command {
	return group("event", "Events: list, show, create, update, delete, assign-support",
		"Events of signed contracts. Sales create the event of their clients' signed\n"+
			"contracts; management assigns a support collaborator; support keeps the\n"+
			"events assigned to them up to date.",
		newEventListCmd(e, g),
		newEventShowCmd(e, g),
		newEventCreateCmd(e, g),
		newEventUpdateCmd(e, g),
		deleteCmd(e, g, "event", "Delete an event (management)",
			func(ctx context.Context, a *app, sess *domain.Session, id int64) error {
				return a.svc.Events.Delete(ctx, sess, id)
			}),
		newEventAssignCmd(e, g),
	)
}

func newEventListCmd(e env, g *globals) *cobra.Command {
	var o listOptions
	var client, company, from, to string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List events",
		Long: "List events, page by page through the database (constant memory with --all).\n" +
			"--filter mine is the events you support (support) or your clients' (sales).",
		Example: "epic-events event list --filter unassigned\n" +
			"epic-events event list --filter upcoming --sort start\n" +
			"epic-events event list --from 2025-12-01 --to 2026-01-01 -o csv",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := o.query(cmd, "event")
			if err != nil {
				return err
			}
			for _, r := range []struct {
				flag, v string
				t       **time.Time
			}{{"from", from, &q.From}, {"to", to, &q.To}} {
				if r.v == "" {
					continue
				}
				t, err := domain.ParseDateTime(r.v, time.Local)
				if err != nil {
					return usagef(cmd, "--%s %q: %s", r.flag, r.v, err.Error())
				}
				*r.t = &t
			}
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := scopeQuery(ctx, a, sess, &q, client, company); err != nil {
					return err
				}
				load := func(ctx context.Context, q domain.ListQuery) (domain.Page[domain.Event], error) {
					return a.svc.Events.List(ctx, sess, q)
				}
				return printRows(out, eventSchema(), rows(ctx, q, o.max(), load))
			})
		},
	}
	o.bind(cmd, "event")
	f := cmd.Flags()
	f.StringVar(&client, "client", "", "only this client's (number or email)")
	f.StringVar(&company, "company", "", "only this company's clients' (name or number)")
	f.StringVar(&from, "from", "", "starting at or after this date")
	f.StringVar(&to, "to", "", "starting before this date")
	g.outputFlag(cmd)
	return cmd
}

func newEventShowCmd(e env, g *globals) *cobra.Command {
	return newShowCmd(e, g, "event", "7", func(ctx context.Context, a *app, sess *domain.Session, id int64) (domain.Event, schema[domain.Event], error) {
		ev, err := a.svc.Events.Get(ctx, sess, id)
		return ev, eventSchema(), err
	})
}

// eventOptions are an event's fields as flags.
type eventOptions struct {
	contract, name, start, end, location, attendees, notes, status string
}

func (o *eventOptions) bind(cmd *cobra.Command, create bool) {
	f := cmd.Flags()
	req := ""
	if create {
		req = " (required)"
		f.StringVar(&o.contract, "contract", "", "the signed contract's number (required)")
	} else {
		f.StringVar(&o.status, "status", "", "planned, confirmed, done or cancelled")
		_ = cmd.RegisterFlagCompletionFunc("status", cobra.FixedCompletions(
			[]string{"planned", "confirmed", "done", "cancelled"}, cobra.ShellCompDirectiveNoFileComp))
	}
	f.StringVar(&o.name, "name", "", "the event's name"+req)
	f.StringVar(&o.start, "start", "", "start: 31/12/2025 14:30, 2025-12-31 14:30, RFC 3339"+req)
	f.StringVar(&o.end, "end", "", "end, after the start"+req)
	f.StringVar(&o.location, "location", "", "where it takes place")
	f.StringVar(&o.attendees, "attendees", "", "expected attendees (0 or more)")
	f.StringVar(&o.notes, "notes", "", "notes (several lines allowed)")
}

// apply copies the given flags over in, with the domain's messages.
func (o *eventOptions) apply(cmd *cobra.Command, in *domain.EventInput) error {
	v := &domain.ValidationError{}
	if changed(cmd, "name") {
		in.Name = o.name
	}
	if changed(cmd, "location") {
		in.Location = o.location
	}
	if changed(cmd, "notes") {
		in.Notes = o.notes
	}
	if changed(cmd, "status") {
		in.Status = domain.EventStatus(o.status)
	}
	for _, d := range []struct {
		flag, s string
		t       *time.Time
	}{{"start", o.start, &in.Start}, {"end", o.end, &in.End}} {
		if changed(cmd, d.flag) || d.s != "" {
			t, err := domain.ParseDateTime(d.s, time.Local)
			if err != nil {
				v.Add(d.flag, err.Error())
				continue
			}
			*d.t = t
		}
	}
	if changed(cmd, "attendees") {
		n, err := strconv.Atoi(o.attendees)
		if err != nil {
			v.Add("attendees", "enter a whole number of attendees")
		}
		in.Attendees = n
	}
	return v.Err()
}

func newEventCreateCmd(e env, g *globals) *cobra.Command {
	var o eventOptions
	cmd := &cobra.Command{
		Use:   "create",
		Short: "Create the event of a signed contract",
		Long: "Create the event of a signed contract (one per contract). On a terminal,\n" +
			"missing required fields are asked for; in a script they are an error (exit 2).",
		Example: "epic-events event create --contract 12 --name 'Casey wedding' --start '2026-06-20 15:00' --end '2026-06-21 02:00' --location 'Château de Lyon' --attendees 120",
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				if err := newPrompter(e).fill(cmd,
					need{"contract", "Contract number", &o.contract, checkID},
					need{"name", "Event name", &o.name, checkRequired("the event's name")},
					need{"start", "Start (31/12/2025 14:30)", &o.start, checkDate},
					need{"end", "End", &o.end, checkDate},
				); err != nil {
					return err
				}
				contract, ok := refNumber(o.contract)
				if !ok {
					return domain.Invalid("contract", "enter a record number like 42")
				}
				in := domain.EventInput{ContractID: contract}
				if err := o.apply(cmd, &in); err != nil {
					return err
				}
				ev, err := a.svc.Events.Create(ctx, sess, in)
				if err != nil {
					return missing("contract", contract, err)
				}
				fmt.Fprintf(e.stderr, "created event #%d %s\n", ev.ID, ev.Name)
				return printRecord(out, eventSchema(), ev)
			})
		},
	}
	o.bind(cmd, true)
	g.outputFlag(cmd)
	return cmd
}

func newEventUpdateCmd(e env, g *globals) *cobra.Command {
	var o eventOptions
	var ifVersion int64
	cmd := &cobra.Command{
		Use:   "update ID",
		Short: "Change an event's fields or status",
		Long: "Change the fields given as flags; the others keep their value. Support\n" +
			"updates the events assigned to them; management any.",
		Example: "epic-events event update 7 --status confirmed\n" +
			"epic-events event update 7 --attendees 140 --notes $'Vegetarian menu.\\nParking for 40 cars.'",
		Args: oneID("ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "ID", args[0])
			out, err := g.outputFor(e)
			if err != nil {
				return err
			}
			if onlyOutputFlags(cmd) {
				return usagef(cmd, "say what to change, e.g. --status")
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				cur, err := a.svc.Events.Get(ctx, sess, id)
				if err != nil {
					return missing("event", id, err)
				}
				in := domain.EventInput{Name: cur.Name, Location: cur.Location, Notes: cur.Notes,
					Start: cur.Start, End: cur.End, Attendees: cur.Attendees}
				if err := o.apply(cmd, &in); err != nil {
					return err
				}
				ev, err := a.svc.Events.Update(ctx, sess, id, writeVersion(ifVersion, cur.Version), in)
				if err != nil {
					return missing("event", id, err)
				}
				fmt.Fprintf(e.stderr, "updated event #%d %s\n", ev.ID, ev.Name)
				return printRecord(out, eventSchema(), ev)
			})
		},
	}
	o.bind(cmd, false)
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}

func newEventAssignCmd(e env, g *globals) *cobra.Command {
	var none bool
	var ifVersion int64
	cmd := &cobra.Command{
		Use:   "assign-support EVENT_ID [USER_ID|EMAIL]",
		Short: "Assign (or with --none, remove) an event's support contact (management)",
		Long: "Assign an active support collaborator to an event, or remove the support\n" +
			"contact with --none (management).",
		Example: "epic-events event assign-support 7 julien.moreau@epic-events.fr\n" +
			"epic-events event assign-support 7 --none",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case len(args) == 0:
				return usagef(cmd, "missing EVENT_ID")
			case none && len(args) > 1:
				return usagef(cmd, "--none takes no collaborator")
			case !none && len(args) < 2:
				return usagef(cmd, "missing USER_ID|EMAIL (or --none)")
			case len(args) > 2:
				return usagef(cmd, "unexpected argument %q", args[2])
			}
			_, err := parseID(cmd, "EVENT_ID", args[0])
			return err
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id, _ := parseID(cmd, "EVENT_ID", args[0])
			return g.withOutput(cmd, e, func(ctx context.Context, a *app, sess *domain.Session, out output) error {
				cur, err := a.svc.Events.Get(ctx, sess, id)
				if err != nil {
					return missing("event", id, err)
				}
				var support *int64
				if !none {
					u, err := findUser(ctx, a.svc, sess, "support", args[1])
					if err != nil {
						return err
					}
					support = &u.ID
				}
				ev, err := a.svc.Events.AssignSupport(ctx, sess, id, writeVersion(ifVersion, cur.Version), support)
				if err != nil {
					return missing("event", id, err)
				}
				if ev.SupportContactID == nil {
					fmt.Fprintf(e.stderr, "event #%d has no support contact now\n", ev.ID)
				} else {
					fmt.Fprintf(e.stderr, "event #%d is supported by %s\n", ev.ID, ev.SupportContactName)
				}
				return printRecord(out, eventSchema(), ev)
			})
		},
	}
	cmd.Flags().BoolVar(&none, "none", false, "remove the support contact")
	ifVersionFlag(cmd, &ifVersion)
	g.outputFlag(cmd)
	return cmd
}
