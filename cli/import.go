package cli

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/epic-events/crm/domain"
)

// importSpec is what import knows of a resource's CSV: the columns it reads
// (by header name, in any order), the export's columns it skips, and how
// one row is created through the services.
type importSpec struct {
	resource string
	plural   string
	columns  []string          // read
	aliases  map[string]string // other header names of a read column
	required []string
	skipped  []string // written by list -o csv, not read back (ids, dates)
	// create makes one row's record through svc, returning its number.
	create func(ctx context.Context, r *importRun, row map[string]string) (int64, error)
}

// errRollback undoes a dry run, or an import with refused rows.
var errRollback = errors.New("rolled back")

// importRun is one import: the services it goes through, the session, and
// what it has seen so far.
type importRun struct {
	svc   *domain.Services
	sess  *domain.Session
	seen  map[string]int // unique values (emails) of the file -> line
	users map[string]int64
	line  int // of the row being created
}

func newImportCmd(e env, g *globals, spec importSpec) *cobra.Command {
	var dryRun, partial bool
	cmd := &cobra.Command{
		Use:   "import FILE.csv",
		Short: "Create " + spec.plural + " from a CSV file (all or nothing)",
		Long: "Create " + spec.plural + " from a CSV file (RFC 4180, UTF-8) whose header row names\n" +
			"the columns, in any order: " + strings.Join(spec.columns, ", ") + "\n" +
			"(required: " + strings.Join(spec.required, ", ") + "). The columns `" + spec.resource + " list -o csv`\n" +
			"writes besides these (" + strings.Join(spec.skipped, ", ") + ") are skipped, so an export\n" +
			"imports as it is. \"-\" reads stdin.\n\n" +
			"Each row is created through the same service as the UI, with its checks and\n" +
			"its audit entry. All or nothing: if any row is refused, every refusal is\n" +
			"printed (line N: field: reason) and nothing is imported (exit 6). --dry-run\n" +
			"checks everything the same way and imports nothing; --partial imports the\n" +
			"rows that pass, each on its own.",
		Example: "epic-events " + spec.resource + " import " + spec.plural + ".csv --dry-run\n" +
			"epic-events " + spec.resource + " import " + spec.plural + ".csv",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(cmd, "say which file to import (- for stdin)")
			}
			if dryRun && partial {
				return usagef(cmd, "--dry-run and --partial exclude each other")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var in io.Reader = e.stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return &usageError{fmt.Sprintf("%s import: %v", spec.resource, err)}
				}
				defer f.Close()
				in = f
			}
			return g.withSession(cmd, e, func(ctx context.Context, a *app, sess *domain.Session) error {
				return a.importCSV(ctx, e, spec, in, sess, dryRun, partial)
			})
		},
	}
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check every row, print the refusals, import nothing")
	cmd.Flags().BoolVar(&partial, "partial", false, "import the rows that pass, each on its own; report the others")
	return cmd
}

// header maps each column index to its name (or "" for a skipped one).
func (spec importSpec) header(rec []string) ([]string, error) {
	names := make([]string, len(rec))
	found := map[string]bool{}
	for i, h := range rec {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if a, ok := spec.aliases[h]; ok {
			h = a
		}
		switch {
		case slices.Contains(spec.columns, h):
			if found[h] {
				return nil, fmt.Errorf("line 1: column %q appears twice", h)
			}
			found[h] = true
			names[i] = h
		case slices.Contains(spec.skipped, h):
		default:
			return nil, fmt.Errorf("line 1: unknown column %q: the columns are %s", h, strings.Join(spec.columns, ", "))
		}
	}
	for _, r := range spec.required {
		if !found[r] {
			return nil, fmt.Errorf("line 1: no %q column (required)", r)
		}
	}
	return names, nil
}

// importCSV reads the file row by row and creates each record. Unless
// partial, it runs in one transaction through services built on it, so
// that a refused row (or a dry run) leaves the database as it was.
func (a *app) importCSV(ctx context.Context, e env, spec importSpec, in io.Reader, sess *domain.Session, dryRun, partial bool) error {
	r := csv.NewReader(in)
	r.ReuseRecord = true
	rec, err := r.Read()
	if errors.Is(err, io.EOF) {
		return errorf(domain.ErrInvalid, "the file is empty: the first line names the columns")
	}
	if err != nil {
		return errorf(domain.ErrInvalid, "line 1: %s", csvError(err))
	}
	names, err := spec.header(rec)
	if err != nil {
		return errorf(domain.ErrInvalid, "%s", err.Error())
	}
	// Refresh the session now rather than inside the transaction, where a
	// rotated token would be rolled back with a dry run.
	if _, err := a.svc.Sessions.Actor(ctx, sess); err != nil {
		return err
	}

	var done, refused int
	var denied map[string]string // the refused row, replayed outside to audit it
	type notice struct {
		action string
		id     int64
	}
	var notified []notice
	each := func(svc *domain.Services) error {
		run := &importRun{svc: svc, sess: sess, seen: map[string]int{}, users: map[string]int64{}}
		for {
			rec, err := r.Read()
			if errors.Is(err, io.EOF) {
				return nil
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(err, csv.ErrFieldCount) {
				refused++
				fmt.Fprintf(e.stderr, "line %d: %s\n", pe.StartLine, csvError(err))
				continue
			}
			line, _ := r.FieldPos(0)
			if errors.Is(err, csv.ErrFieldCount) {
				refused++
				fmt.Fprintf(e.stderr, "line %d: %d fields where the header has %d\n", line, len(rec), len(names))
				continue
			}
			if err != nil {
				return err
			}
			row := make(map[string]string, len(names))
			for i, n := range names {
				if n != "" {
					row[n] = rec[i]
				}
			}
			run.line = line
			_, err = spec.create(ctx, run, row)
			switch {
			case err == nil:
				done++
			case errors.Is(err, domain.ErrForbidden):
				// Nothing after a refusal is worth checking: the same
				// account is refused the same way.
				denied = row
				return fmt.Errorf("line %d: %w", line, err)
			case errors.Is(err, domain.ErrInvalid), errors.Is(err, domain.ErrConflict), errors.Is(err, domain.ErrNotFound):
				refused++
				fmt.Fprintf(e.stderr, "line %d: %s\n", line, oneLine(run.explain(ctx, spec, row, err)))
			default:
				return fmt.Errorf("line %d: %w", line, err)
			}
		}
	}

	if partial {
		err = each(a.svc)
	} else {
		cfg := a.wiring
		// Notifications (Sentry breadcrumbs) wait for the commit.
		cfg.Notify = func(action string, id int64) { notified = append(notified, notice{action, id}) }
		err = a.db.Tx(ctx, func(tx domain.Store) error {
			cfg.Store = tx
			if err := each(domain.New(cfg)); err != nil {
				return err
			}
			if dryRun || refused > 0 {
				return errRollback
			}
			return nil
		})
		if errors.Is(err, errRollback) {
			err = nil
		}
	}
	if denied != nil && !partial {
		// The refusal's audit entry was rolled back with the rest: record
		// it through the service outside the transaction, as the UI would.
		_, _ = spec.create(ctx, &importRun{svc: a.svc, sess: sess, seen: map[string]int{}, users: map[string]int64{}}, denied)
	}
	if err != nil {
		return err
	}
	if committed := !partial && !dryRun && refused == 0; committed && a.wiring.Notify != nil {
		for _, n := range notified {
			a.wiring.Notify(n.action, n.id)
		}
	}
	switch {
	case partial && refused > 0:
		return errorf(domain.ErrInvalid, "imported %s; %s refused (listed above)", count(done, spec.resource), count(refused, "row"))
	case refused > 0:
		return errorf(domain.ErrInvalid, "%s refused (listed above): nothing was imported", count(refused, "row"))
	case dryRun:
		fmt.Fprintf(e.stderr, "dry run: %s would be imported; nothing was changed\n", count(done, spec.resource))
	default:
		fmt.Fprintf(e.stderr, "imported %s\n", count(done, spec.resource))
	}
	return nil
}

// count says "1 client", "3 clients".
func count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// csvError is a CSV syntax error without its position (the line is said
// before it).
func csvError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "not valid CSV: " + pe.Err.Error()
	}
	return err.Error()
}

// explain adds to a refusal what a person needs to fix the file: which
// record or line already has the unique value.
func (r *importRun) explain(ctx context.Context, spec importSpec, row map[string]string, err error) error {
	var ve *domain.ValidationError
	if spec.resource != "client" || !errors.As(err, &ve) {
		return err
	}
	msg, ok := ve.Fields["email"]
	if !ok || !strings.Contains(msg, "already exists") {
		return err
	}
	email, _ := domain.NormalizeEmail(row["email"])
	fields := map[string]string{}
	for k, v := range ve.Fields {
		fields[k] = v
	}
	if line, ok := r.seen[email]; ok {
		fields["email"] = "already used on line " + strconv.Itoa(line)
	} else if c, cerr := clientByEmail(ctx, r.svc, r.sess, "email", email); cerr == nil {
		fields["email"] = "already used by client #" + strconv.FormatInt(c.ID, 10)
	}
	return &domain.ValidationError{Fields: fields}
}

// userID resolves a collaborator's email once per import.
func (r *importRun) userID(ctx context.Context, field, email string) (int64, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if id, ok := r.users[key]; ok {
		return id, nil
	}
	u, err := findUser(ctx, r.svc, r.sess, field, email)
	if err != nil {
		return 0, err
	}
	r.users[key] = u.ID
	return u.ID, nil
}

var clientImport = importSpec{
	resource: "client",
	plural:   "clients",
	columns:  []string{"full_name", "email", "phone", "company", "sales_contact_email"},
	aliases:  map[string]string{"name": "full_name"},
	required: []string{"full_name", "email"},
	skipped:  []string{"id", "sales_contact_id", "sales_contact", "created_at", "updated_at", "version"},
	create: func(ctx context.Context, r *importRun, row map[string]string) (int64, error) {
		in := domain.ClientInput{FullName: row["full_name"], Email: row["email"], Phone: row["phone"], CompanyName: row["company"]}
		if s := strings.TrimSpace(row["sales_contact_email"]); s != "" {
			id, err := r.userID(ctx, "sales_contact_email", s)
			if err != nil {
				return 0, err
			}
			in.SalesContactID = &id
		}
		c, err := r.svc.Clients.Create(ctx, r.sess, in)
		if err != nil {
			return 0, err
		}
		r.seen[c.Email] = r.line
		return c.ID, nil
	},
}

var contractImport = importSpec{
	resource: "contract",
	plural:   "contracts",
	columns:  []string{"client_email", "client_id", "total", "remaining", "currency", "status"},
	required: []string{"total"},
	skipped:  []string{"id", "client", "company", "sales_contact", "created_at", "signed_at", "signed_by", "event_id", "version"},
	create: func(ctx context.Context, r *importRun, row map[string]string) (int64, error) {
		ref := strings.TrimSpace(row["client_email"])
		if ref == "" {
			ref = strings.TrimSpace(row["client_id"])
		}
		if ref == "" {
			return 0, domain.Invalid("client_email", "give the client's email (or client_id)")
		}
		if c := strings.TrimSpace(row["currency"]); c != "" && !strings.EqualFold(c, currency) {
			return 0, domain.Invalid("currency", "amounts are in "+currency+", not "+c)
		}
		status := domain.ContractStatus(strings.ToLower(strings.TrimSpace(row["status"])))
		if status != "" && status != domain.ContractDraft && status != domain.ContractSigned {
			return 0, domain.Invalid("status", "write draft or signed")
		}
		cl, err := findClient(ctx, r.svc, r.sess, "client_email", ref)
		if err != nil {
			return 0, err
		}
		in := domain.ContractInput{ClientID: cl.ID}
		if in.TotalCents, err = parseMoneyFlag("total", row["total"]); err != nil {
			return 0, err
		}
		if s := strings.TrimSpace(row["remaining"]); s != "" {
			rem, err := parseMoneyFlag("remaining", s)
			if err != nil {
				return 0, err
			}
			in.RemainingCents = &rem
		}
		k, err := r.svc.Contracts.Create(ctx, r.sess, in)
		if err != nil {
			return 0, err
		}
		if status == domain.ContractSigned {
			if k, err = r.svc.Contracts.Sign(ctx, r.sess, k.ID, k.Version); err != nil {
				return 0, err
			}
		}
		return k.ID, nil
	},
}

func newClientImportCmd(e env, g *globals) *cobra.Command { return newImportCmd(e, g, clientImport) }
func newContractImportCmd(e env, g *globals) *cobra.Command {
	return newImportCmd(e, g, contractImport)
}
