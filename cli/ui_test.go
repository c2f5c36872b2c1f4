package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/epic-events/crm/auth"
	"github.com/epic-events/crm/domain"
)

// TestLoginNoticeNamesWhyTheSessionWasRefused: every saved session the app
// refuses at start gives the login screen one line saying why.
func TestLoginNoticeNamesWhyTheSessionWasRefused(t *testing.T) {
	e, _, _, dir := testEnv(t, nil)
	cfg, err := loadConfig(e.getenv)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := openApp(ctx, e, cfg, openOptions{migrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	in := domain.UserInput{FullName: "Ana Roux", Email: "ana.roux@epic-events.fr", Role: domain.RoleManagement}
	if _, err := a.svc.Sessions.Setup(ctx, in, "velours-orage-cerise-42"); err != nil {
		t.Fatal(err)
	}
	files := sessionStore{a: a, path: filepath.Join(dir, "session.json")}
	login := func() {
		sess, err := a.svc.Sessions.Login(ctx, in.Email, "velours-orage-cerise-42")
		if err != nil {
			t.Fatal(err)
		}
		files.save(sess)
	}
	notice := func() string {
		t.Helper()
		sess, n := files.resume(ctx)
		if sess != nil {
			t.Fatal("the session was resumed")
		}
		return n
	}

	if n := notice(); n != "" {
		t.Errorf("no file, no notice: got %q", n)
	}

	login()
	if err := os.Chmod(files.path, 0o644); err != nil {
		t.Fatal(err)
	}
	if n := notice(); !strings.Contains(n, "readable by others (mode 0644)") || strings.Contains(n, "\n") {
		t.Errorf("mode too open: %q", n)
	}
	_ = os.Remove(files.path)

	login()
	other := *a
	other.desc = "sqlite /somewhere/else.db"
	if n, _ := (sessionStore{a: &other, path: files.path}).resume(ctx); n != nil {
		t.Fatal("resumed on another database")
	}
	if _, n := (sessionStore{a: &other, path: files.path}).resume(ctx); !strings.Contains(n, "the saved session is for "+a.desc) {
		t.Errorf("another database: %q", n)
	}

	f, err := auth.LoadSession(files.path)
	if err != nil {
		t.Fatal(err)
	}
	f.Access = f.Access[:len(f.Access)-4] + "AAAA" // a forged signature
	f.Refresh = "forged" + f.Refresh
	if err := auth.SaveSession(files.path, f); err != nil {
		t.Fatal(err)
	}
	if n := notice(); n != "your saved session is no longer valid (expired, revoked or altered): log in again" {
		t.Errorf("tampered tokens: %q", n)
	}

	if err := os.WriteFile(files.path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if n := notice(); !strings.Contains(n, "is damaged") {
		t.Errorf("damaged file: %q", n)
	}
}
