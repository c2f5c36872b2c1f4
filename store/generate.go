package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm"

	"github.com/epic-events/crm/domain"
)

// GenerateResult says what Generate created.
type GenerateResult struct {
	Users, Companies, Clients, Contracts, Payments, Events int
	// Logins is one generated collaborator's email per role.
	Logins  map[domain.Role]string
	Elapsed time.Duration
}

func (r GenerateResult) String() string {
	return fmt.Sprintf("%d collaborators, %d companies, %d clients, %d contracts, %d payments, %d events in %s",
		r.Users, r.Companies, r.Clients, r.Contracts, r.Payments, r.Events, r.Elapsed.Round(time.Millisecond))
}

// ProgressFunc is told how far each stage of Generate is.
type ProgressFunc func(stage string, done, total int)

var (
	genFirst = []string{"Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Jade", "Louise", "Alice", "Zoé",
		"Juliette", "Clémence", "Margaux", "Élodie", "Sophie", "Nathalie", "Isabelle", "Céline", "Aurélie", "Hélène",
		"Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Jules", "Raphaël", "Théo", "Nathan", "Mathis",
		"Thomas", "Nicolas", "Julien", "Antoine", "Maxime", "Pierre", "François", "Benoît", "Jérôme", "Stéphane"}
	genLast = []string{"Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
		"Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
		"Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez",
		"Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas",
		"Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin"}
	genTrade = []string{"Conseil", "Industries", "Traiteur", "Logistique", "Immobilier", "Informatique", "Énergie",
		"Bâtiment", "Transports", "Assurances", "Distribution", "Communication", "Santé", "Hôtellerie", "Viticulture",
		"Ingénierie", "Textile", "Électronique", "Patrimoine", "Architecture"}
	genForm  = []string{"SA", "SARL", "SAS", "& Fils", "Groupe", "et Associés"}
	genKinds = []string{"Séminaire", "Soirée de gala", "Lancement produit", "Convention", "Mariage", "Anniversaire",
		"Assemblée générale", "Team building", "Salon", "Cocktail"}
	genPlaces = []string{"Paris", "Lyon", "Marseille", "Bordeaux", "Lille", "Nantes", "Strasbourg", "Toulouse",
		"Nice", "Rennes", "Montpellier", "Annecy", "Reims", "Dijon", "Biarritz"}
)

// asciiFold turns a French name into an email-safe lower-case word.
var asciiFold = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a", "î", "i", "ï", "i",
	"ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "É", "e", " ", "-", "'", "")

func emailWord(s string) string { return asciiFold.Replace(strings.ToLower(s)) }

// Generate fills the database with a realistic data set for demos and
// benchmarks: scale clients (French names), about scale/20 companies,
// 3×scale signed contracts each with its event (past and future, about
// 10% without support) plus 0.3×scale drafts, contracts unpaid, partly
// and fully paid with their payments, and a few collaborators of each
// role whose password hash is passwordHash. On PostgreSQL rows go in with
// COPY, on SQLite and MySQL with batched multi-row INSERTs, in one
// transaction. It
// expects a database without generated data (emails must be free).
func (db *DB) Generate(ctx context.Context, scale int, seed int64, passwordHash string, progress ProgressFunc) (GenerateResult, error) {
	start := time.Now()
	res := GenerateResult{Logins: map[domain.Role]string{}}
	if scale < 1 {
		return res, fmt.Errorf("generate: %w", domain.Invalid("scale", "the scale must be at least 1"))
	}
	if progress == nil {
		progress = func(string, int, int) {}
	}
	rng := rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))
	now := time.Now().UTC().Truncate(time.Second)

	// Collaborators, through the repository (few rows, employee numbers).
	nSales, nSupport := max(3, scale/2000), max(3, scale/2000)
	roles := []struct {
		role domain.Role
		word string
		n    int
	}{{domain.RoleManagement, "gestion", 2}, {domain.RoleSales, "commercial", nSales}, {domain.RoleSupport, "support", nSupport}}
	var salesIDs, supportIDs []int64
	for _, r := range roles {
		for i := 1; i <= r.n; i++ {
			first, last := genFirst[rng.IntN(len(genFirst))], genLast[rng.IntN(len(genLast))]
			u := domain.User{
				FullName: first + " " + last, Role: r.role, Active: true, PasswordHash: passwordHash,
				Email: fmt.Sprintf("%s%d@epic-events.fr", r.word, i), Phone: fmt.Sprintf("01 %02d %02d %02d %02d", rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100)),
			}
			if err := db.Users().Create(ctx, &u, nil); err != nil {
				return res, fmt.Errorf("generate collaborators: %w", err)
			}
			res.Users++
			if i == 1 {
				res.Logins[r.role] = u.Email
			}
			switch r.role {
			case domain.RoleSales:
				salesIDs = append(salesIDs, u.ID)
			case domain.RoleSupport:
				supportIDs = append(supportIDs, u.ID)
			}
		}
		progress("users", res.Users, 2+nSales+nSupport)
	}
	mgrEmail := res.Logins[domain.RoleManagement]
	mgr, err := db.Users().GetByEmail(ctx, mgrEmail)
	if err != nil {
		return res, fmt.Errorf("generate: %w", err)
	}

	w, err := db.newBulkWriter(ctx)
	if err != nil {
		return res, err
	}
	defer w.close(ctx)

	// Companies.
	nCompanies := max(1, scale/20)
	companyIDs := make([]int64, nCompanies)
	base, err := w.nextID(ctx, "companies")
	if err != nil {
		return res, err
	}
	combos := len(genLast) * len(genTrade) * len(genForm)
	companies := make([]companyModel, nCompanies)
	for i := range companies {
		j := rng.IntN(combos)
		name := genLast[j%len(genLast)] + " " + genTrade[(j/len(genLast))%len(genTrade)] + " " + genForm[j/(len(genLast)*len(genTrade))]
		// The number keeps names unique (case-insensitively).
		name = fmt.Sprintf("%s %d", name, i+1)
		companyIDs[i] = base + int64(i)
		companies[i] = companyModel{ID: companyIDs[i], Name: name, CreatedAt: now.Add(-time.Duration(rng.IntN(5*365*24)) * time.Hour)}
	}
	if err := w.companies(ctx, companies, progress); err != nil {
		return res, err
	}
	res.Companies = nCompanies

	// Clients.
	base, err = w.nextID(ctx, "clients")
	if err != nil {
		return res, err
	}
	clients := make([]clientModel, scale)
	for i := range clients {
		first, last := genFirst[rng.IntN(len(genFirst))], genLast[rng.IntN(len(genLast))]
		created := now.Add(-time.Duration(rng.IntN(3*365*24*60)) * time.Minute)
		updated := created.Add(time.Duration(rng.IntN(int(now.Sub(created)/time.Minute)+1)) * time.Minute)
		var co *int64
		if rng.IntN(10) != 0 {
			co = &companyIDs[rng.IntN(nCompanies)]
		}
		sales := salesIDs[rng.IntN(len(salesIDs))]
		clients[i] = clientModel{
			ID: base + int64(i), FullName: first + " " + last,
			Email:     fmt.Sprintf("%s.%s.%d@%s.fr", emailWord(first), emailWord(last), i+1, []string{"orange", "free", "gmail", "laposte", "sfr", "wanadoo"}[rng.IntN(6)]),
			Phone:     fmt.Sprintf("0%d %02d %02d %02d %02d", 1+rng.IntN(7), rng.IntN(100), rng.IntN(100), rng.IntN(100), rng.IntN(100)),
			CompanyID: co, SalesContactID: &sales, Version: 1, CreatedAt: created, UpdatedAt: updated, UpdatedByID: &sales,
		}
	}
	if err := w.clients(ctx, clients, progress); err != nil {
		return res, err
	}
	res.Clients = scale

	// Contracts (3 signed per client, then drafts), payments and events.
	kBase, err := w.nextID(ctx, "contracts")
	if err != nil {
		return res, err
	}
	pBase, err := w.nextID(ctx, "payments")
	if err != nil {
		return res, err
	}
	eBase, err := w.nextID(ctx, "events")
	if err != nil {
		return res, err
	}
	nSigned, nDraft := 3*scale, max(1, 3*scale/10)
	contracts := make([]contractModel, 0, nSigned+nDraft)
	payments := make([]paymentModel, 0, nSigned)
	events := make([]eventModel, 0, nSigned)
	pay := func(k *contractModel, amount int64, at time.Time, note string) {
		k.RemainingCents -= amount
		payments = append(payments, paymentModel{
			ID: pBase + int64(len(payments)), ContractID: k.ID, AmountCents: amount, PaidAt: at, Note: note,
			RecordedByID: k.UpdatedByID, CreatedAt: at,
		})
	}
	for i := 0; i < nSigned+nDraft; i++ {
		cl := &clients[i%scale]
		total := int64(500+rng.IntN(49500)) * 100
		created := cl.CreatedAt.Add(time.Duration(rng.IntN(int(now.Sub(cl.CreatedAt)/time.Minute)+1)) * time.Minute)
		k := contractModel{
			ID: kBase + int64(i), ClientID: cl.ID, TotalCents: total, RemainingCents: total, Status: string(domain.ContractDraft),
			Version: 1, CreatedAt: created, UpdatedAt: created, UpdatedByID: cl.SalesContactID,
		}
		if i >= nSigned {
			if rng.IntN(5) == 0 { // a deposit on a draft
				pay(&k, total/10, created, "Acompte")
			}
			contracts = append(contracts, k)
			continue
		}
		signed := created.Add(time.Duration(rng.IntN(14*24)) * time.Hour)
		if signed.After(now) {
			signed = now
		}
		k.Status, k.SignedAt, k.SignedByID, k.UpdatedAt, k.Version = string(domain.ContractSigned), &signed, cl.SalesContactID, signed, 2
		switch rng.IntN(3) {
		case 1: // partly paid
			pay(&k, total*int64(1+rng.IntN(8))/10, signed, "Acompte à la signature")
			k.Version++
		case 2: // fully paid
			first := total * 3 / 10
			pay(&k, first, signed, "Acompte à la signature")
			pay(&k, total-first, signed.Add(time.Duration(1+rng.IntN(60))*24*time.Hour), "Solde")
			k.Version += 2
		}
		contracts = append(contracts, k)

		// Its event: from two years ago to a year ahead.
		st := now.Add(time.Duration(rng.IntN(3*365*24)-2*365*24) * time.Hour).Truncate(time.Hour)
		status := domain.EventPlanned
		if st.Before(now) {
			status = domain.EventDone
			if rng.IntN(12) == 0 {
				status = domain.EventCancelled
			}
		} else if rng.IntN(2) == 0 {
			status = domain.EventConfirmed
		}
		var sup *int64
		if rng.IntN(10) != 0 {
			sup = &supportIDs[rng.IntN(len(supportIDs))]
		}
		kind := genKinds[rng.IntN(len(genKinds))]
		events = append(events, eventModel{
			ID: eBase + int64(len(events)), Name: kind + " " + genLast[rng.IntN(len(genLast))], ContractID: k.ID, ClientID: k.ClientID,
			StartAt: st, EndAt: st.Add(time.Duration(2+rng.IntN(10)) * time.Hour), Location: genPlaces[rng.IntN(len(genPlaces))],
			Attendees: 10 + rng.IntN(490), Notes: "Accueil des invités à l'entrée.\nPrévoir vestiaire et sonorisation.",
			Status: string(status), SupportContactID: sup, Version: 1, CreatedAt: signed, UpdatedAt: signed, UpdatedByID: &mgr.ID,
		})
	}
	if err := w.contracts(ctx, contracts, progress); err != nil {
		return res, err
	}
	if err := w.payments(ctx, payments, progress); err != nil {
		return res, err
	}
	if err := w.events(ctx, events, progress); err != nil {
		return res, err
	}
	if err := w.commit(ctx); err != nil {
		return res, err
	}
	res.Contracts, res.Payments, res.Events = len(contracts), len(payments), len(events)
	res.Elapsed = time.Since(start)
	return res, nil
}

// bulkWriter writes generated rows in one transaction: COPY on
// PostgreSQL, multi-row INSERTs on SQLite and MySQL.
type bulkWriter struct {
	db   *DB
	pg   *pgx.Conn
	pgTx pgx.Tx
	tx   *gorm.DB
	done bool
	held bool
}

func (db *DB) newBulkWriter(ctx context.Context) (*bulkWriter, error) {
	w := &bulkWriter{db: db}
	if db.dialect == DialectPostgres {
		c, err := pgx.Connect(ctx, db.dsn)
		if err != nil {
			return nil, wrap("generate", err)
		}
		w.pg = c
		if w.pgTx, err = c.Begin(ctx); err != nil {
			_ = c.Close(ctx)
			return nil, wrap("generate", err)
		}
		return w, nil
	}
	if db.wsem != nil {
		select {
		case db.wsem <- struct{}{}:
			w.held = true
		case <-ctx.Done():
			return nil, wrap("generate", ctx.Err())
		}
	}
	w.tx = db.conn(ctx).Begin()
	if w.tx.Error != nil {
		w.close(ctx)
		return nil, wrap("generate", w.tx.Error)
	}
	return w, nil
}

func (w *bulkWriter) close(ctx context.Context) {
	if !w.done {
		if w.pgTx != nil {
			_ = w.pgTx.Rollback(ctx)
		}
		if w.tx != nil {
			w.tx.Rollback()
		}
	}
	if w.pg != nil {
		_ = w.pg.Close(ctx)
	}
	if w.held {
		<-w.db.wsem
		w.held = false
	}
}

func (w *bulkWriter) commit(ctx context.Context) error {
	w.done = true
	if w.pgTx != nil {
		// Identity columns continue after the ids given explicitly.
		for _, q := range []string{
			"SELECT setval(pg_get_serial_sequence('companies', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM companies), false)",
			"SELECT setval(pg_get_serial_sequence('clients', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM clients), false)",
			"SELECT setval(pg_get_serial_sequence('contracts', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM contracts), false)",
			"SELECT setval(pg_get_serial_sequence('payments', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM payments), false)",
			"SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM events), false)",
		} {
			if _, err := w.pgTx.Exec(ctx, q); err != nil {
				_ = w.pgTx.Rollback(ctx)
				return wrap("generate", err)
			}
		}
		if err := w.pgTx.Commit(ctx); err != nil {
			return wrap("generate", err)
		}
		// Fresh statistics so the first queries get good plans.
		if _, err := w.pg.Exec(ctx, "ANALYZE"); err != nil {
			return wrap("generate", err)
		}
		return nil
	}
	if err := w.tx.Commit().Error; err != nil {
		return wrap("generate", err)
	}
	if w.db.dialect == DialectMySQL {
		// Fresh statistics, as on PostgreSQL: InnoDB samples them again
		// only later, and plans the first queries on empty tables'.
		return wrap("generate", w.db.conn(ctx).Exec("ANALYZE TABLE users, companies, clients, contracts, payments, events").Error)
	}
	return nil
}

// nextID is the first free id of table (ids are given explicitly so that
// rows can refer to each other before they are written).
func (w *bulkWriter) nextID(ctx context.Context, table string) (int64, error) {
	var n int64
	var err error
	if w.pgTx != nil {
		err = w.pgTx.QueryRow(ctx, maxIDQuery[table]).Scan(&n)
	} else {
		err = w.tx.WithContext(ctx).Raw(maxIDQuery[table]).Scan(&n).Error
	}
	return n + 1, wrap("generate", err)
}

// maxIDQuery is a fixed query per table.
var maxIDQuery = map[string]string{
	"companies": "SELECT COALESCE(MAX(id), 0) FROM companies",
	"clients":   "SELECT COALESCE(MAX(id), 0) FROM clients",
	"contracts": "SELECT COALESCE(MAX(id), 0) FROM contracts",
	"payments":  "SELECT COALESCE(MAX(id), 0) FROM payments",
	"events":    "SELECT COALESCE(MAX(id), 0) FROM events",
}

// Rows per multi-row INSERT: SQLite binds at most 32 766 parameters; a
// MySQL statement is sent as text (well under max_allowed_packet), and
// fewer, larger statements mean fewer round trips.
const (
	sqliteBatch = 500
	mysqlBatch  = 2000
)

// insert writes rows: COPY (PostgreSQL) or batches of multi-row INSERTs.
func insert[T any](ctx context.Context, w *bulkWriter, stage, table string, cols []string, rows []T, values func(T) []any, progress ProgressFunc) error {
	if w.pgTx != nil {
		i := 0
		src := pgx.CopyFromFunc(func() ([]any, error) {
			if i >= len(rows) {
				return nil, nil
			}
			v := values(rows[i])
			i++
			if i%20000 == 0 {
				progress(stage, i, len(rows))
			}
			return v, nil
		})
		if _, err := w.pgTx.CopyFrom(ctx, pgx.Identifier{table}, cols, src); err != nil {
			return wrap("generate "+stage, err)
		}
		progress(stage, len(rows), len(rows))
		return nil
	}
	batch := sqliteBatch
	if w.db.dialect == DialectMySQL {
		batch = mysqlBatch
	}
	for lo := 0; lo < len(rows); lo += batch {
		hi := min(lo+batch, len(rows))
		if err := w.tx.WithContext(ctx).Create(rows[lo:hi]).Error; err != nil {
			return wrap("generate "+stage, err)
		}
		progress(stage, hi, len(rows))
	}
	return nil
}

func (w *bulkWriter) companies(ctx context.Context, rows []companyModel, p ProgressFunc) error {
	return insert(ctx, w, "companies", "companies", []string{"id", "name", "created_at"}, rows,
		func(m companyModel) []any { return []any{m.ID, m.Name, m.CreatedAt} }, p)
}

func (w *bulkWriter) clients(ctx context.Context, rows []clientModel, p ProgressFunc) error {
	return insert(ctx, w, "clients", "clients",
		[]string{"id", "full_name", "email", "phone", "company_id", "sales_contact_id", "version", "created_at", "updated_at", "updated_by_id"}, rows,
		func(m clientModel) []any {
			return []any{m.ID, m.FullName, m.Email, m.Phone, m.CompanyID, m.SalesContactID, m.Version, m.CreatedAt, m.UpdatedAt, m.UpdatedByID}
		}, p)
}

func (w *bulkWriter) contracts(ctx context.Context, rows []contractModel, p ProgressFunc) error {
	return insert(ctx, w, "contracts", "contracts",
		[]string{"id", "client_id", "total_cents", "remaining_cents", "status", "signed_at", "signed_by_id", "version", "created_at", "updated_at", "updated_by_id"}, rows,
		func(m contractModel) []any {
			return []any{m.ID, m.ClientID, m.TotalCents, m.RemainingCents, m.Status, m.SignedAt, m.SignedByID, m.Version, m.CreatedAt, m.UpdatedAt, m.UpdatedByID}
		}, p)
}

func (w *bulkWriter) payments(ctx context.Context, rows []paymentModel, p ProgressFunc) error {
	return insert(ctx, w, "payments", "payments",
		[]string{"id", "contract_id", "amount_cents", "paid_at", "note", "recorded_by_id", "created_at"}, rows,
		func(m paymentModel) []any {
			return []any{m.ID, m.ContractID, m.AmountCents, m.PaidAt, m.Note, m.RecordedByID, m.CreatedAt}
		}, p)
}

func (w *bulkWriter) events(ctx context.Context, rows []eventModel, p ProgressFunc) error {
	return insert(ctx, w, "events", "events",
		[]string{"id", "name", "contract_id", "client_id", "start_at", "end_at", "location", "attendees", "notes", "status", "support_contact_id", "version", "created_at", "updated_at", "updated_by_id"}, rows,
		func(m eventModel) []any {
			return []any{m.ID, m.Name, m.ContractID, m.ClientID, m.StartAt, m.EndAt, m.Location, m.Attendees, m.Notes, m.Status, m.SupportContactID, m.Version, m.CreatedAt, m.UpdatedAt, m.UpdatedByID}
		}, p)
}
