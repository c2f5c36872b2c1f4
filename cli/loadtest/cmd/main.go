// Command loadtest starts `epic-events serve` on loopback with demo data and
// drives it with the modes of package loadtest, printing what each
// measured (latency percentiles, RSS, CPU per key, goroutines left
// behind). It exits 1 if any mode saw a failed login, a stuck session or
// a leak. `go tool task load` runs it; docs/PERFORMANCE.md has results.
//
//	go run ./cli/loadtest/cmd -modes burst,typing -n 200
//	go run ./cli/loadtest/cmd -bin /path/to/older/epic-events -old
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/epic-events/crm/cli/loadtest"
)

func main() {
	var (
		bin      = flag.String("bin", "", "server binary (default: go build of this module)")
		dsn      = flag.String("db", "", "database URL for the server (default: a fresh SQLite file); it must be empty")
		modes    = flag.String("modes", "burst,typing,storm,storm-bad,drop,midframe,silent,stalled,stalled-resize,nopty", "comma-separated modes")
		n        = flag.Int("n", 100, "sessions for burst and typing (at most 500)")
		drops    = flag.Int("drops", 500, "clients of the drop mode (at most 1000)")
		typeS    = flag.Duration("type", 10*time.Second, "how long the typing mode types")
		rate     = flag.Float64("rate", 9, "keys per second per typing session")
		old      = flag.Bool("old", false, "the server predates the limit flags and the profiling endpoints")
		selfProf = flag.String("selfprofile", "", "write a CPU profile of this harness (the clients' side) to this file")
		cpuOut   = flag.String("cpuprofile", "", "write a CPU profile of the server during the typing mode to this file (and of each storm mode to FILE.storm, FILE.storm-bad)")
	)
	flag.Parse()
	if *selfProf != "" {
		f, err := os.Create(*selfProf)
		if err == nil && pprof.StartCPUProfile(f) == nil {
			defer pprof.StopCPUProfile()
		}
	}
	if *n < 1 || *n > 500 || *drops < 1 || *drops > 1000 || *typeS > 2*time.Minute {
		fmt.Fprintln(os.Stderr, "loadtest: -n 1..500, -drops 1..1000, -type at most 2m")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := run(ctx, *bin, *dsn, *modes, *n, *drops, *typeS, *rate, *old, *cpuOut); err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin, dsn, modes string, n, drops int, typeFor time.Duration, rate float64, old bool, cpuOut string) error {
	dir, err := os.MkdirTemp("", "epic-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "epic-events")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("go build: %w", err)
		}
	}
	if dsn == "" {
		dsn = filepath.Join(dir, "load.db")
	}
	env := append(os.Environ(), "XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"HOME="+dir, "EPIC_DATABASE_URL="+dsn)

	// Demo data: the logins the sessions use.
	demo := exec.CommandContext(ctx, bin, "demo")
	demo.Env = env
	out, err := demo.CombinedOutput()
	if err != nil {
		return fmt.Errorf("demo: %v: %s", err, out)
	}
	re := regexp.MustCompile(`(?m)^\s+(?:management|sales|support)\s+(\S+@\S+)\s+(\S+)$`)
	var accounts [][2]string
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		accounts = append(accounts, [2]string{m[1], m[2]})
	}
	if len(accounts) == 0 {
		return fmt.Errorf("no login in the demo output:\n%s", out)
	}

	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"serve", "--addr", addr}
	var debug string
	if !old {
		args = append(args, "--max-sessions-per-address", "0")
		if debug, err = freeAddr(); err != nil {
			return err
		}
	}
	srv := exec.CommandContext(ctx, bin, args...)
	srv.Env = append(env, "EPIC_DEBUG_ADDR="+debug)
	srv.Stderr = os.Stderr
	stdout, _ := srv.StdoutPipe()
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() {
		_ = srv.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = srv.Process.Kill()
		}
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.Contains(line, "serving") {
		return fmt.Errorf("serve did not start: %q %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	pid := srv.Process.Pid
	t := loadtest.Target{
		Addr:             addr,
		Accounts:         accounts,
		RSS:              func() int64 { return rss(pid) },
		CPU:              func() time.Duration { return cpu(pid) },
		WriteStall:       30 * time.Second,
		HandshakeTimeout: 10 * time.Second,
	}
	if old {
		// No handshake timeout there: the silent mode would wait forever.
		t.HandshakeTimeout = 60 * time.Second
	}
	if debug != "" {
		t.Goroutines = func() int { return goroutines(debug) }
	}
	fmt.Printf("server pid %d on %s (%s); %s\n", pid, addr, dsn, loadNote())

	failed := false
	for _, m := range strings.Split(modes, ",") {
		var r loadtest.Result
		switch strings.TrimSpace(m) {
		case "burst":
			r = loadtest.Burst(ctx, t, n)
		case "typing":
			var stop func() error
			if cpuOut != "" && debug != "" {
				// The typing mode logs in for about 10 s first.
				stop = profile(debug, cpuOut, 12*time.Second, max(1, int(typeFor.Seconds())-3))
			}
			r = loadtest.Typing(ctx, t, n, 10*time.Second, typeFor, rate)
			if stop != nil {
				if err := stop(); err != nil {
					r.Notes = append(r.Notes, "cpu profile: "+err.Error())
				}
			}
		case "storm", "storm-bad":
			var stop func() error
			if cpuOut != "" && debug != "" {
				// After the 10 typists' logins, over the storm.
				stop = profile(debug, cpuOut+"."+strings.TrimSpace(m), 2*time.Second, 5)
			}
			r = loadtest.Storm(ctx, t, 10, 100, strings.TrimSpace(m) == "storm")
			if stop != nil {
				if err := stop(); err != nil {
					r.Notes = append(r.Notes, "cpu profile: "+err.Error())
				}
			}
		case "drop":
			r = loadtest.Drop(ctx, t, drops)
		case "midframe":
			r = loadtest.MidFrame(ctx, t, 20)
		case "silent":
			r = loadtest.Silent(ctx, t, 500)
		case "stalled":
			r = loadtest.Stalled(ctx, t, false)
		case "stalled-resize":
			r = loadtest.Stalled(ctx, t, true)
		case "nopty":
			r = loadtest.NoPTY(ctx, t)
		default:
			return fmt.Errorf("unknown mode %q", m)
		}
		fmt.Println(r)
		failed = failed || len(r.Failures) > 0
	}
	if failed {
		return fmt.Errorf("some modes failed")
	}
	return nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// rss reads the resident set of pid in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// cpu reads the user+system time of pid.
func cpu(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ
}

// goroutines asks the server's profiling endpoint for its goroutine count.
func goroutines(debug string) int {
	resp, err := http.Get("http://" + debug + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	line, _ := bufio.NewReader(resp.Body).ReadString('\n')
	n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "goroutine profile: total")))
	return n
}

// profile starts, after delay, a CPU profile of the server over secs
// seconds and returns a function that waits for it and writes it to path.
func profile(debug, path string, delay time.Duration, secs int) func() error {
	errc := make(chan error, 1)
	go func() {
		time.Sleep(delay)
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", debug, secs))
		if err != nil {
			errc <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(path)
		if err != nil {
			errc <- err
			return
		}
		_, err = io.Copy(f, resp.Body)
		errc <- errors.Join(err, f.Close())
	}()
	return func() error { return <-errc }
}

// loadNote says how busy the machine was, since the numbers depend on it.
func loadNote() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "load unknown"
	}
	f := strings.Fields(string(b))
	return fmt.Sprintf("load average %s %s %s on %d cores", f[0], f[1], f[2], numCPU())
}

func numCPU() int {
	b, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(b), "processor\t:"))
}
