package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/epic-events/crm/domain"
)

// demoOptions are the flags of demo.
type demoOptions struct {
	scale int
	seed  uint64
}

func newDemoCmd(e env, g *globals) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Fill a fresh database with demo data and print logins",
		Long: "Fill a fresh database (no collaborators, no clients) with demo data and\n" +
			"print one login per role. All demo collaborators share one random\n" +
			"password, printed at the end.\n\n" +
			"Without --scale: a realistic French data set made through the domain\n" +
			"services (every rule and audit entry applies): companies, about 40\n" +
			"clients, contracts in every state with payments, past and future events,\n" +
			"some without support.\n" +
			"With --scale N: N clients, 3N contracts and 3N events inserted in bulk,\n" +
			"the data set of the benchmarks.",
		Example: "epic-events demo --db /tmp/demo.db\n" +
			"epic-events demo --scale 100000 --db postgres://postgres@127.0.0.1/bench",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.config(e)
			if err != nil {
				return err
			}
			return runDemo(cmd.Context(), e, cfg, o)
		},
	}
	cmd.Flags().IntVar(&o.scale, "scale", 0, "bulk mode: number of clients (0 = the realistic small data set)")
	cmd.Flags().Uint64Var(&o.seed, "seed", 1, "random seed of the generated data")
	return cmd
}

// runDemo fills a fresh database and prints the logins.
func runDemo(ctx context.Context, e env, cfg config, o demoOptions) error {
	scale, seed := &o.scale, &o.seed
	if *scale < 0 {
		return errors.New("--scale must be a positive number of clients")
	}
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		return err
	}
	defer a.Close()

	if err := a.refuseNonEmpty(ctx); err != nil {
		return err
	}
	password, err := demoPassword()
	if err != nil {
		return err
	}
	start := time.Now()
	var logins []demoLogin
	if *scale > 0 {
		logins, err = a.bulkDemo(ctx, e.stdout, *scale, *seed, password)
	} else {
		var sum demoSummary
		sum, logins, err = a.smallDemo(ctx, *seed, password)
		if err == nil {
			fmt.Fprintf(e.stdout, "Demo data created in %s on %s: %s.\n", time.Since(start).Round(time.Millisecond), a.desc, sum)
		}
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nLog in with one of these (every demo collaborator has this password):")
	for _, l := range logins {
		fmt.Fprintf(e.stdout, "  %-11s %-36s %s\n", l.role, l.email, password)
	}
	return nil
}

// refuseNonEmpty stops demo on a database that already holds people or
// clients: demo data mixed into real data would be hard to remove.
func (a *app) refuseNonEmpty(ctx context.Context) error {
	page, err := a.db.Clients().List(ctx, domain.ListQuery{Limit: 1})
	if err != nil {
		return a.fail("demo", err)
	}
	if len(page.Items) > 0 {
		return fmt.Errorf("%s already holds clients: demo only fills a fresh database (point %s or --db at a new one)", a.desc, envDatabaseURL)
	}
	n, err := a.db.Users().Count(ctx)
	if err != nil {
		return a.fail("demo", err)
	}
	if n > 0 {
		return fmt.Errorf("%s already has collaborators: demo only fills a fresh database (point %s or --db at a new one)", a.desc, envDatabaseURL)
	}
	return nil
}

// demoPassword makes a random passphrase that passes the password policy
// (so no password is written in the code).
func demoPassword() (string, error) {
	words := []string{"tulipe", "orage", "velours", "cerise", "brume", "falaise", "lavande", "galet",
		"agrume", "sommet", "colline", "mistral", "ardoise", "citron", "phare", "grenier", "verger", "canal"}
	parts := make([]string, 0, 5)
	for range 4 {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if err != nil {
			return "", fmt.Errorf("random password: %w", err)
		}
		parts = append(parts, words[n.Int64()])
	}
	n, err := rand.Int(rand.Reader, big.NewInt(90))
	if err != nil {
		return "", fmt.Errorf("random password: %w", err)
	}
	parts = append(parts, fmt.Sprint(10+n.Int64()))
	return strings.Join(parts, "-"), nil
}

type demoLogin struct {
	role  domain.Role
	email string
}

type demoSummary struct {
	users, clients, draft, signed, payments, events, unassigned int
}

func (s demoSummary) String() string {
	return fmt.Sprintf("%d collaborators, %d clients, %d contracts (%d draft, %d signed), %d payments, %d events (%d without support)",
		s.users, s.clients, s.draft+s.signed, s.draft, s.signed, s.payments, s.events, s.unassigned)
}

// demoStaff are the demo collaborators; the first of each role is printed.
var demoStaff = []struct {
	name string
	role domain.Role
}{
	{"Camille Laurent", domain.RoleManagement},
	{"Hugo Bernard", domain.RoleManagement},
	{"Léa Martin", domain.RoleSales},
	{"Thomas Petit", domain.RoleSales},
	{"Chloé Durand", domain.RoleSales},
	{"Julien Moreau", domain.RoleSupport},
	{"Manon Simon", domain.RoleSupport},
	{"Lucas Michel", domain.RoleSupport},
}

var (
	demoCompanies = []string{
		"Boulangeries Moreau", "Cabinet Lefèvre Avocats", "Transports Girard", "Vignobles Rousseau",
		"Atelier Fontaine", "Groupe Dubois Immobilier", "Librairie Mercier", "Hôtel Bonnet Lyon",
		"Pharmacies Lambert", "Agence Faure Communication", "Garnier Industrie", "Château Chevalier",
		"Laboratoires Robin", "Studio Marchand", "Clinique Perrin",
	}
	demoFirst = []string{"Élodie", "Antoine", "Sophie", "Nicolas", "Inès", "Mathieu", "Claire", "Romain",
		"Aurélie", "Sébastien", "Juliette", "Maxime", "Pauline", "Guillaume", "Margaux", "François",
		"Anaïs", "Benoît", "Émilie", "Olivier"}
	demoLast = []string{"Roux", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrot",
		"Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fournier", "Lemoine",
		"Renaud", "Barbier", "Arnaud", "Giraud"}
	demoPlaces = []string{
		"Palais des Congrès, 2 place de la Porte Maillot, Paris", "Domaine de la Butte, Mandelieu",
		"Cité Internationale, 50 quai Charles de Gaulle, Lyon", "Les Docks, 10 quai de la Joliette, Marseille",
		"Château de Vaux, Maincy", "Hangar 14, quai des Chartrons, Bordeaux", "La Sucrière, Lyon",
		"Parc des Expositions, Nantes", "Villa Méditerranée, Marseille", "Le Grand Palais Éphémère, Paris",
	}
	demoKinds = []string{"Soirée de lancement", "Séminaire annuel", "Gala de fin d'année", "Journée clients",
		"Anniversaire des 20 ans", "Convention commerciale", "Inauguration", "Team building"}
)

// demoEmail makes an address from a name: "Léa Martin" -> lea.martin@domain.
func demoEmail(name, domainName string) string {
	r := strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "ç", "c",
		"î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u", "É", "e", "'", "", " ", ".")
	return strings.ToLower(r.Replace(name)) + "@" + domainName
}

// demoDomain makes a company's mail domain: "Hôtel Bonnet Lyon" -> hotel-bonnet-lyon.fr.
func demoDomain(company string) string {
	return strings.ReplaceAll(strings.TrimSuffix(demoEmail(company, ""), "@"), ".", "-") + ".fr"
}

// smallDemo creates the realistic data set through the domain services, as
// the people of the demo company would: the first manager by setup, the
// team by that manager, clients by the sales team, contracts and support
// assignments by management, events by the sales contact, event follow-up
// by support.
func (a *app) smallDemo(ctx context.Context, seed uint64, password string) (demoSummary, []demoLogin, error) {
	var sum demoSummary
	rng := mrand.New(mrand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	svc := a.svc
	fail := func(what string, err error) (demoSummary, []demoLogin, error) {
		return sum, nil, fmt.Errorf("demo: %s: %w", what, a.fail("demo", err))
	}

	// The team.
	sessions := map[int64]*domain.Session{}
	byRole := map[domain.Role][]domain.User{}
	var logins []demoLogin
	var manager *domain.Session
	for i, s := range demoStaff {
		in := domain.UserInput{
			FullName: s.name,
			Email:    demoEmail(s.name, "epic-events.fr"),
			Phone:    fmt.Sprintf("+33 1 42 68 %02d %02d", 10+i, 20+i),
			Role:     s.role,
		}
		var u domain.User
		var err error
		if manager == nil {
			u, err = svc.Sessions.Setup(ctx, in, password)
		} else {
			u, err = svc.Users.Create(ctx, manager, in, password)
		}
		if err != nil {
			return fail("create "+s.name, err)
		}
		sess, err := svc.Sessions.Login(ctx, u.Email, password)
		if err != nil {
			return fail("log in as "+s.name, err)
		}
		if manager == nil {
			manager = sess
		}
		sessions[u.ID] = sess
		if len(byRole[s.role]) == 0 {
			logins = append(logins, demoLogin{s.role, u.Email})
		}
		byRole[s.role] = append(byRole[s.role], u)
		sum.users++
	}
	defer func() {
		for _, s := range sessions {
			_ = svc.Sessions.Logout(context.WithoutCancel(ctx), s)
		}
	}()
	sales, support := byRole[domain.RoleSales], byRole[domain.RoleSupport]

	// Clients, created by the sales team (each becomes the sales contact).
	type owned struct {
		client domain.Client
		sales  *domain.Session
	}
	var clients []owned
	used := map[string]bool{}
	for i := 0; i < 40; i++ {
		company := demoCompanies[i%len(demoCompanies)]
		var name string
		for {
			name = demoFirst[rng.IntN(len(demoFirst))] + " " + demoLast[rng.IntN(len(demoLast))]
			if !used[name] {
				used[name] = true
				break
			}
		}
		seller := sales[i%len(sales)]
		c, err := svc.Clients.Create(ctx, sessions[seller.ID], domain.ClientInput{
			FullName:    name,
			Email:       demoEmail(name, demoDomain(company)),
			Phone:       fmt.Sprintf("+33 6 %02d %02d %02d %02d", rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100)),
			CompanyName: company,
		})
		if err != nil {
			return fail("create client "+name, err)
		}
		clients = append(clients, owned{c, sessions[seller.ID]})
		sum.clients++
	}

	// Contracts in every state, and the events of signed ones.
	now := time.Now()
	for i, oc := range clients {
		for k := 0; k < 1+i%3; k++ {
			total := int64(1500+rng.IntN(58)*1000) * 100
			in := domain.ContractInput{ClientID: oc.client.ID, TotalCents: total}
			if rng.IntN(4) == 0 {
				deposit := total * 3 / 10
				rem := total - deposit
				in.RemainingCents = &rem // a 30 % deposit on signature of the quote
			}
			ct, err := svc.Contracts.Create(ctx, manager, in)
			if err != nil {
				return fail("create contract", err)
			}
			if in.RemainingCents != nil {
				sum.payments++ // the deposit is recorded as the first payment
			}
			state := (i + k) % 5 // 0: draft, 1: signed unpaid, 2: part paid, 3-4: paid
			if state == 0 {
				sum.draft++
				continue
			}
			signer := manager
			if k%2 == 1 {
				signer = oc.sales // a sales contact signs their own client's contract
			}
			ct, err = svc.Contracts.Sign(ctx, signer, ct.ID, ct.Version)
			if err != nil {
				return fail("sign contract", err)
			}
			sum.signed++
			switch {
			case state == 2 && ct.RemainingCents > 0:
				ct, err = svc.Contracts.Pay(ctx, manager, ct.ID, domain.PaymentInput{
					AmountCents: ct.RemainingCents / 2, Note: "Acompte reçu par virement",
				})
				sum.payments++
			case state >= 3 && ct.RemainingCents > 0:
				ct, err = svc.Contracts.Pay(ctx, oc.sales, ct.ID, domain.PaymentInput{
					AmountCents: ct.RemainingCents, Note: "Solde réglé",
				})
				sum.payments++
			}
			if err != nil {
				return fail("record payment", err)
			}
			if state == 1 && k > 0 {
				continue // signed, event not planned yet
			}
			if err := a.demoEvent(ctx, rng, now, ct, oc.sales, manager, sessions, support, &sum); err != nil {
				return fail("create event", err)
			}
		}
	}
	return sum, logins, nil
}

// demoEvent plans the event of a signed contract: past ones are done (or
// cancelled) and were supported; upcoming ones are assigned two times out
// of three, the rest wait for a manager in the "without support" filter.
func (a *app) demoEvent(ctx context.Context, rng *mrand.Rand, now time.Time, ct domain.Contract,
	sales, manager *domain.Session, sessions map[int64]*domain.Session, support []domain.User, sum *demoSummary) error {
	svc := a.svc
	past := rng.IntN(3) == 0
	day := now.AddDate(0, 0, 3+rng.IntN(150))
	if past {
		day = now.AddDate(0, 0, -(5 + rng.IntN(150)))
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), 14+rng.IntN(6), 0, 0, 0, time.Local)
	in := domain.EventInput{
		ContractID: ct.ID,
		Name:       demoKinds[rng.IntN(len(demoKinds))] + " " + ct.CompanyName,
		Location:   demoPlaces[rng.IntN(len(demoPlaces))],
		Start:      start,
		End:        start.Add(time.Duration(3+rng.IntN(8)) * time.Hour),
		Attendees:  20 + rng.IntN(480),
		Notes:      "Accueil café à l'arrivée.\nPrévoir un vestiaire et la sonorisation.",
	}
	ev, err := svc.Events.Create(ctx, sales, in)
	if err != nil {
		return err
	}
	sum.events++
	if !past && rng.IntN(3) == 0 {
		sum.unassigned++
		return nil
	}
	sup := support[rng.IntN(len(support))]
	ev, err = svc.Events.AssignSupport(ctx, manager, ev.ID, ev.Version, &sup.ID)
	if err != nil {
		return err
	}
	status := domain.EventConfirmed
	if past {
		status = domain.EventDone
		if rng.IntN(8) == 0 {
			status = domain.EventCancelled
		}
	} else if rng.IntN(2) == 0 {
		return nil // still planned
	}
	in.Status = status
	_, err = svc.Events.Update(ctx, sessions[sup.ID], ev.ID, ev.Version, in)
	return err
}

// bulkDemo inserts the benchmark data set with the store's bulk generator
// (batched inserts, not the services: 100 000 clients through the services
// would take far too long) and prints its timing.
func (a *app) bulkDemo(ctx context.Context, w io.Writer, scale int, seed uint64, password string) ([]demoLogin, error) {
	hash, err := a.hasher.Hash(password)
	if err != nil {
		return nil, fmt.Errorf("demo: hash password: %w", err)
	}
	tty := false
	if f, ok := w.(*os.File); ok {
		tty = term.IsTerminal(int(f.Fd()))
	}
	finished := ""
	res, err := a.db.Generate(ctx, scale, int64(seed), hash, func(stage string, done, total int) {
		// A live counter on a terminal; one line per finished stage otherwise.
		if done == total {
			if stage == finished {
				return
			}
			finished = stage
		}
		switch {
		case tty:
			fmt.Fprintf(w, "\r  %-10s %9d / %d", stage, done, total)
			if done == total {
				fmt.Fprintln(w)
			}
		case done == total:
			fmt.Fprintf(w, "  %-10s %9d\n", stage, total)
		}
	})
	if err != nil {
		a.log.Error("demo generate", "db", a.desc, "err", scrub(err.Error()))
		return nil, fmt.Errorf("demo: bulk insert into %s failed: %s", a.desc, scrub(err.Error()))
	}
	fmt.Fprintf(w, "Generated on %s: %s\n", a.desc, res)
	var logins []demoLogin
	for _, r := range domain.Roles {
		if email, ok := res.Logins[r]; ok {
			logins = append(logins, demoLogin{r, email})
		}
	}
	return logins, nil
}
