package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/tui"
)

// panicOnKey is a screen that panics when ctrl+x is pressed, in the way
// asked for: in Update, in View, or in a command nested in a sequence
// inside a batch.
type panicOnKey struct {
	inner tea.Model
	how   string
	armed bool
}

func (p *panicOnKey) Init() tea.Cmd { return p.inner.Init() }

func (p *panicOnKey) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "ctrl+x" {
		switch p.how {
		case "view":
			p.armed = true
		case "command":
			boom := func() tea.Msg { panic("a command broke") }
			return p, tea.Batch(tea.Sequence(func() tea.Msg { return nil }, boom))
		default:
			panic("update broke")
		}
	}
	var cmd tea.Cmd
	p.inner, cmd = p.inner.Update(msg)
	return p, cmd
}

func (p *panicOnKey) View() tea.View {
	if p.armed {
		panic("view broke")
	}
	return p.inner.View()
}

type plain struct{}

func (plain) Init() tea.Cmd                       { return nil }
func (plain) Update(tea.Msg) (tea.Model, tea.Cmd) { return plain{}, nil }
func (plain) View() tea.View                      { v := tea.NewView("hello"); v.AltScreen = true; return v }

// TestPanicEndsWithOneLine runs a program whose screen panics on a key,
// wherever the panic happens: the run ends with the one line (naming the
// log), the terminal output holds no stack, the log holds it.
func TestPanicEndsWithOneLine(t *testing.T) {
	for _, how := range []string{"update", "view", "command"} {
		t.Run(how, func(t *testing.T) {
			logFile := filepath.Join(t.TempDir(), "epic-events.log")
			var logBuf bytes.Buffer
			rep := &reporter{log: slog.New(slog.NewTextHandler(&logBuf, nil))}
			in, keys := io.Pipe()
			var out bytes.Buffer
			go func() {
				time.Sleep(200 * time.Millisecond)
				_, _ = keys.Write([]byte{0x18}) // ctrl+x
			}()
			done := make(chan error, 1)
			go func() {
				done <- runProgram(context.Background(), &panicOnKey{inner: plain{}, how: how}, rep, logFile,
					tea.WithInput(in), tea.WithOutput(&out), tea.WithWindowSize(80, 24))
			}()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("the program did not end after the panic")
			}
			if err == nil || err.Error() != crashLine(logFile) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want the one line %q", err, crashLine(logFile))
			}
			if s := out.String(); strings.Contains(s, "goroutine") || strings.Contains(s, "panic") {
				t.Errorf("the terminal got a stack trace: %q", s)
			}
			if !strings.Contains(logBuf.String(), "goroutine") {
				t.Errorf("the log has no stack: %q", logBuf.String())
			}
		})
	}
}

// TestCrashHelper is not a test: it is the process the tmux test below
// runs, the real command with its real UI, behind a wrapper that panics
// on ctrl+x.
func TestCrashHelper(t *testing.T) {
	if os.Getenv("EPIC_TEST_CRASH_HELPER") != "1" {
		t.Skip("run by TestPanicInTheRealTerminal")
	}
	newUIModel = func(o tui.Options) tea.Model { return &panicOnKey{inner: tui.New(o)} }
	os.Args = append([]string{"epic-events"}, strings.Fields(os.Getenv("EPIC_TEST_CRASH_ARGS"))...)
	os.Exit(Execute())
}

// TestPanicInTheRealTerminal drives the command in a real terminal
// (tmux): after the panic the terminal is usable again, the screen shows
// one line saying what happened and where the log is, the exit status is
// 1, and the stack is in the log file only.
func TestPanicInTheRealTerminal(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tmux is required in CI: %v", err)
		}
		t.Skip("tmux not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sock := filepath.Join(dir, "tmux.sock")
	script := fmt.Sprintf("env -i HOME=%[1]s XDG_DATA_HOME=%[1]s/data XDG_STATE_HOME=%[1]s/state PATH=/usr/bin:/bin TERM=xterm-256color "+
		"EPIC_SECRET_KEY=0123456789abcdef0123456789abcdef-crash EPIC_TEST_CRASH_HELPER=1 %[2]s -test.run='^TestCrashHelper$'; echo EXIT=$?; sleep 60",
		dir, exe)
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tm("new-session", "-d", "-s", "crash", "-x", "100", "-y", "30", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	screen := func() string { return tm("capture-pane", "-p", "-t", "crash") }
	waitFor := func(text string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := screen()
			if strings.Contains(s, text) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("the terminal never showed %q:\n%s", text, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor("Welcome to Epic Events CRM") // an empty database: the setup screen
	tm("send-keys", "-t", "crash", "C-x")
	s := waitFor("EXIT=")
	logFile := filepath.Join(dir, "state", "epic-events", logFileName)
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	want := "epic-events: " + crashLine(logFile)
	// tmux wraps the line at 100 columns: join what it shows.
	got := strings.Join(lines[:len(lines)-1], "")
	if got != want || lines[len(lines)-1] != "EXIT=1" {
		t.Fatalf("after the panic the terminal shows:\n%s\nwant the line %q and EXIT=1", s, want)
	}
	logText, err := os.ReadFile(logFile)
	if err != nil || !strings.Contains(string(logText), "goroutine") {
		t.Errorf("the stack is not in the log (%v)", err)
	}
}

// TestPanicOverServe: a session whose screen panics is closed with one
// line and a failure status; the stack is in the server's log; the server
// goes on serving the next connection.
func TestPanicOverServe(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	sshBin, err2 := exec.LookPath("ssh")
	if err != nil || err2 != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("tmux and ssh are required in CI: %v %v", err, err2)
		}
		t.Skip("tmux or ssh not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	srv := exec.Command(exe, "-test.run=^TestCrashHelper$")
	srv.Env = []string{"HOME=" + dir, "XDG_DATA_HOME=" + dir + "/data", "XDG_STATE_HOME=" + dir + "/state", "PATH=/usr/bin:/bin",
		"EPIC_SECRET_KEY=0123456789abcdef0123456789abcdef-crash", "EPIC_TEST_CRASH_HELPER=1", "EPIC_TEST_CRASH_ARGS=serve --addr " + addr}
	var srvOut bytes.Buffer
	srv.Stdout, srv.Stderr = &srvOut, &srvOut
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Signal(os.Interrupt)
		_ = srv.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve never listened:\n%s", srvOut.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	_, port, _ := net.SplitHostPort(addr)
	sock := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	connect := func(name string) {
		script := fmt.Sprintf("%s -tt -p %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes 127.0.0.1; echo EXIT=$?; sleep 60", sshBin, port)
		tm("new-session", "-d", "-s", name, "-x", "100", "-y", "30", "sh", "-c", script)
	}
	waitFor := func(name, text string) string {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			s := tm("capture-pane", "-p", "-t", name)
			if strings.Contains(s, text) {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s never showed %q:\n%s", name, text, s)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	connect("first")
	waitFor("first", "Welcome to Epic Events CRM")
	tm("send-keys", "-t", "first", "C-x")
	s := waitFor("first", "EXIT=")
	if !strings.Contains(strings.ReplaceAll(s, "\n", ""), crashLineRemote) || !strings.Contains(s, "EXIT=1") ||
		strings.Contains(s, "goroutine") || strings.Contains(s, "panic") {
		t.Fatalf("the crashed session ended with:\n%s", s)
	}
	connect("second")
	waitFor("second", "Welcome to Epic Events CRM")
	logText, err := os.ReadFile(filepath.Join(dir, "state", "epic-events", logFileName))
	if err != nil || !strings.Contains(string(logText), "goroutine") {
		t.Errorf("the stack is not in the server's log (%v)", err)
	}
}
