package cli

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
	"github.com/epic-events/crm/store"
	"github.com/epic-events/crm/store/storetest"
)

// BenchmarkClientListAllCSV times the export of every client of the
// 100 000-client data set, `client list --all -o csv`, run as the real
// binary (so that its peak resident memory can be read from the kernel:
// the peak-RSS-MB metric), next to the floor: the same pages read from the
// store alone. PostgreSQL: EPIC_BENCH_DATABASE_URL or
// EPIC_TEST_DATABASE_URL names the server; the database epic_cli_bench is
// created and filled once (about a minute) and kept. EPIC_BENCH_SCALE
// changes the number of clients (-short: 2000).
func BenchmarkClientListAllCSV(b *testing.B) {
	server := os.Getenv("EPIC_BENCH_DATABASE_URL")
	if server == "" {
		server = os.Getenv("EPIC_TEST_DATABASE_URL")
	}
	if server == "" {
		b.Skip("set EPIC_BENCH_DATABASE_URL or EPIC_TEST_DATABASE_URL (PostgreSQL)")
	}
	scale := 100000
	if testing.Short() {
		scale = 2000
	}
	if s := os.Getenv("EPIC_BENCH_SCALE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			b.Fatalf("EPIC_BENCH_SCALE=%q: want a number >= 100", s)
		}
		scale = n
	}
	name := "epic_cli_bench"
	if scale != 100000 {
		name = fmt.Sprintf("epic_cli_bench_%d", scale)
	}
	ctx := context.Background()
	dsn, err := storetest.EnsureDatabase(ctx, server, name)
	if err != nil {
		b.Fatal(err)
	}
	const email, password = "gestion1@epic-events.fr", "bench-export-passphrase-2025"
	if err := fillBench(ctx, dsn, scale, email, password); err != nil {
		b.Fatal(err)
	}

	dir := b.TempDir()
	bin := filepath.Join(dir, "epic-events")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/epic-events/crm").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	environ := []string{
		"HOME=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"XDG_STATE_HOME=" + filepath.Join(dir, "state"),
		envDatabaseURL + "=" + dsn,
		"PATH=" + os.Getenv("PATH"),
	}
	login := exec.Command(bin, "login", email)
	login.Env = environ
	login.Stdin = strings.NewReader(password + "\n")
	if out, err := login.CombinedOutput(); err != nil {
		b.Fatalf("login: %v\n%s", err, out)
	}

	b.Run("command", func(b *testing.B) {
		var peak, rows int64
		var cpu time.Duration
		for b.Loop() {
			cmd := exec.Command(bin, "client", "list", "--all", "-o", "csv")
			cmd.Env = environ
			lines := &lineCounter{}
			cmd.Stdout = lines
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			hwm := watchHWM(cmd.Process.Pid)
			if err := cmd.Wait(); err != nil {
				b.Fatalf("client list: %v", err)
			}
			peak = max(peak, hwm())
			rows = lines.n - 1
			cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		if rows != int64(scale) {
			b.Fatalf("printed %d clients, want %d", rows, scale)
		}
		b.ReportMetric(float64(peak)/1024, "peak-RSS-MB")
		// The command's own CPU time: what it costs besides waiting for
		// the database, and less sensitive to a busy machine than ns/op.
		b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		b.ReportMetric(float64(rows), "rows")
	})

	// The floor: the same pages read straight from the store, without the
	// services' session checks, the formatting or a process start.
	b.Run("store-pages", func(b *testing.B) {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			q := domain.ListQuery{Sort: domain.SortName, Limit: pageSize}
			n := 0
			for {
				p, err := db.Clients().List(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				n += len(p.Items)
				if p.Next == "" {
					break
				}
				q.After = p.Next
			}
			if n != scale {
				b.Fatalf("%d clients, want %d", n, scale)
			}
		}
	})
}

// watchHWM polls the peak resident memory (VmHWM, KiB) of a running
// process until the returned function is called, which gives the last
// value read. Reading it from the process itself matters: the rusage of a
// child also counts the memory of the parent it was forked from.
func watchHWM(pid int) func() int64 {
	var mu sync.Mutex
	var peak int64
	done := make(chan struct{})
	stopped := make(chan struct{})
	read := func() {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if err != nil {
			return
		}
		for _, l := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
				kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
				mu.Lock()
				peak = max(peak, kb)
				mu.Unlock()
			}
		}
	}
	go func() {
		defer close(stopped)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() int64 {
		close(done)
		<-stopped
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ n int64 }

func (c *lineCounter) Write(p []byte) (int, error) {
	for _, b := range p {
		if b == '\n' {
			c.n++
		}
	}
	return len(p), nil
}

// fillBench generates the data set once and sets the manager's password.
func fillBench(ctx context.Context, dsn string, scale int, email, password string) error {
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	hash, err := auth.NewHasher().Hash(password)
	if err != nil {
		return err
	}
	p, err := db.Clients().List(ctx, domain.ListQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(p.Items) == 0 {
		fmt.Fprintf(os.Stderr, "bench: generating %d clients (once; the database is kept)…\n", scale)
		if _, err := db.Generate(ctx, scale, 1, hash, nil); err != nil {
			return err
		}
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			return err
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "VACUUM ANALYZE"); err != nil {
			return err
		}
	}
	u, err := db.Users().GetByEmail(ctx, email)
	if err != nil {
		return fmt.Errorf("%s: %w (the bench database holds other data: drop it)", email, err)
	}
	if err := db.Users().SetPassword(ctx, u.ID, hash); err != nil {
		return err
	}
	return db.Logins().Reset(ctx, email)
}
