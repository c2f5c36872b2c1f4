package auth

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func sampleSession() SessionFile {
	return SessionFile{
		Access:   "header.payload.signature",
		Refresh:  "opaque-refresh-token",
		Database: "sqlite /home/alice/.local/share/epic-events/epic.db",
		SavedAt:  time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
	}
}

// onlyFile fails if dir holds anything but name (a temp file left behind).
func onlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != name {
			t.Fatalf("%s holds %q besides %q", dir, e.Name(), name)
		}
	}
}

func TestSessionFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "session.json")
	want := sampleSession()
	if err := SaveSession(path, want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("session file mode %04o, want 0600", fi.Mode().Perm())
	}
	if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
		t.Fatalf("state dir mode %04o, want 0700", di.Mode().Perm())
	}
	onlyFile(t, dir, "session.json")
	got, err := LoadSession(path)
	if err != nil || got != want {
		t.Fatalf("LoadSession = %+v, %v; want %+v", got, err, want)
	}

	// Saving again replaces the content atomically and leaves nothing else.
	next := want
	next.Refresh = "rotated-refresh-token"
	if err := SaveSession(path, next); err != nil {
		t.Fatal(err)
	}
	onlyFile(t, dir, "session.json")
	if got, _ := LoadSession(path); got.Refresh != "rotated-refresh-token" {
		t.Fatalf("after second save: %+v", got)
	}

	if err := RemoveSession(path); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSession(path); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("after remove: %v, want fs.ErrNotExist", err)
	}
	if err := RemoveSession(path); err != nil {
		t.Fatalf("removing a missing session: %v", err)
	}
}

func TestLoadSessionRefusesUnsafeOrDamagedFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		prepare func(t *testing.T, path string)
		wantErr string
		missing bool
	}{
		{"missing", func(*testing.T, string) {}, "", true},
		{"mode 0644", func(t *testing.T, path string) {
			mustSave(t, path)
			mustChmod(t, path, 0o644)
		}, "is readable by others (mode 0644): remove it or chmod 600", false},
		{"mode 0640", func(t *testing.T, path string) {
			mustSave(t, path)
			mustChmod(t, path, 0o640)
		}, "(mode 0640)", false},
		{"mode 0604", func(t *testing.T, path string) {
			mustSave(t, path)
			mustChmod(t, path, 0o604)
		}, "(mode 0604)", false},
		{"symlink", func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "elsewhere.json")
			mustSave(t, target)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file", false},
		{"directory", func(t *testing.T, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file", false},
		{"not JSON", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte("{half"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is damaged: remove it and log in again", false},
		{"no tokens", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(`{"database":"x"}`), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "is damaged", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "session.json")
			tt.prepare(t, path)
			got, err := LoadSession(path)
			if err == nil {
				t.Fatalf("LoadSession accepted it: %+v", got)
			}
			if got != (SessionFile{}) {
				t.Fatalf("tokens returned with an error: %+v", got)
			}
			if errors.Is(err, fs.ErrNotExist) != tt.missing {
				t.Fatalf("error %v: not-exist = %v, want %v", err, !tt.missing, tt.missing)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "opaque-refresh-token") {
				t.Fatalf("error reveals the token: %v", err)
			}
		})
	}
}

func TestSaveSessionFixesALooseFileAndLeavesNoTempOnFailure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "session.json")
	mustSave(t, path)
	mustChmod(t, path, 0o644)
	mustSave(t, path) // a new file replaces the loose one
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode after save %04o, want 0600", fi.Mode().Perm())
	}

	// A directory in the way makes the rename fail: the error is reported
	// and the temp file is gone.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := SaveSession(blocked, sampleSession()); err == nil {
		t.Fatal("SaveSession over a non-empty directory succeeded")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Fatalf("temp file %s left behind", e.Name())
		}
	}
}

func TestXDGDirectories(t *testing.T) {
	// t.Setenv: not parallel.
	state, data, home := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("XDG_DATA_HOME", data)
	t.Setenv("HOME", home)

	path, err := SessionPath()
	if err != nil || path != filepath.Join(state, "epic-events", "session.json") {
		t.Fatalf("SessionPath = %q, %v", path, err)
	}
	dd, err := DataDir()
	if err != nil || dd != filepath.Join(data, "epic-events") {
		t.Fatalf("DataDir = %q, %v", dd, err)
	}
	for _, dir := range []string{filepath.Dir(path), dd} {
		fi, err := os.Stat(dir)
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Fatalf("%s: %v, %v; want a 0700 directory", dir, fi, err)
		}
	}

	// Unset or relative (invalid per the XDG spec): the defaults under HOME.
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("XDG_DATA_HOME", "relative/path")
	if sd, err := StateDir(); err != nil || sd != filepath.Join(home, ".local", "state", "epic-events") {
		t.Fatalf("StateDir default = %q, %v", sd, err)
	}
	if dd, err := DataDir(); err != nil || dd != filepath.Join(home, ".local", "share", "epic-events") {
		t.Fatalf("DataDir default = %q, %v", dd, err)
	}
}

func mustSave(t *testing.T, path string) {
	t.Helper()
	if err := SaveSession(path, sampleSession()); err != nil {
		t.Fatal(err)
	}
}

func mustChmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
