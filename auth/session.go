package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// AppDir is the directory name under the XDG base directories.
const AppDir = "epic-events"

// SessionFile is what the local app keeps between runs so that reopening
// it within the refresh lifetime skips the login screen.
type SessionFile struct {
	Access  string `json:"access"`
	Refresh string `json:"refresh"`
	// Database is the DSN-free description of the database the tokens were
	// issued for (domain.Store.Describe); a session for another database
	// is ignored.
	Database string    `json:"database"`
	SavedAt  time.Time `json:"saved_at"`
}

// StateDir returns $XDG_STATE_HOME/epic-events (default
// ~/.local/state/epic-events), creating it with mode 0700.
func StateDir() (string, error) {
	return xdgDir("XDG_STATE_HOME", filepath.Join(".local", "state"))
}

// DataDir returns $XDG_DATA_HOME/epic-events (default
// ~/.local/share/epic-events), creating it with mode 0700.
func DataDir() (string, error) {
	return xdgDir("XDG_DATA_HOME", filepath.Join(".local", "share"))
}

// SessionPath returns the session file's path in StateDir.
func SessionPath() (string, error) {
	dir, err := StateDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "session.json"), nil
}

func xdgDir(env, fallback string) (string, error) {
	base := os.Getenv(env)
	// The XDG spec says relative paths are invalid and must be ignored.
	if base == "" || !filepath.IsAbs(base) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("find the home directory (set %s): %w", env, err)
		}
		base = filepath.Join(home, fallback)
	}
	dir := filepath.Join(base, AppDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	return dir, nil
}

// SaveSession writes s to path atomically: a temp file in the same
// directory (mode 0600), fsync, rename over path, fsync of the directory.
// A reader sees the old file or the new one, never half of one.
func SaveSession(path string, s SessionFile) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	if err := writePrivate(path, append(data, '\n')); err != nil {
		return fmt.Errorf("save session: %w", err)
	}
	return nil
}

// writePrivate replaces path with data through a 0600 temp file in the
// same directory, removing the temp file on any failure.
func writePrivate(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".session-*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err == nil {
		if _, err = tmp.Write(data); err == nil {
			err = tmp.Sync()
		}
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// LoadSession reads the session file. A missing file returns an error
// wrapping fs.ErrNotExist (the user logs in); a file others may read, a
// non-regular file or a damaged one returns an error saying what to do.
func LoadSession(path string) (SessionFile, error) {
	if err := checkPrivate(path, "session file"); err != nil {
		return SessionFile{}, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return SessionFile{}, fmt.Errorf("session file %s: %w", path, err)
	}
	var s SessionFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil || s.Access == "" || s.Refresh == "" {
		return SessionFile{}, fmt.Errorf("session file %s is damaged: remove it and log in again", path)
	}
	return s, nil
}

// RemoveSession deletes the session file; a missing file is not an error.
func RemoveSession(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session file: %w", err)
	}
	return nil
}
