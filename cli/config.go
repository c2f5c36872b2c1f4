package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/epic-events/crm/store"
)

// Environment variables read by every command. Flags, where a command has
// one, win over the environment.
const (
	envDatabaseURL = "EPIC_DATABASE_URL"
	envSecretKey   = "EPIC_SECRET_KEY"
	envSecretPrev  = "EPIC_SECRET_KEY_PREV"
	envSentryDSN   = "SENTRY_DSN"
	envSSHAddr     = "EPIC_SSH_ADDR"

	defaultSSHAddr = "127.0.0.1:23234"
	logFileName    = "epic-events.log"
)

// DBFileName is the embedded database file in the data directory.
const DBFileName = "epic.db"

// config is what a command needs to reach the database and report errors.
// Secrets (the signing keys, the Sentry DSN) are only read from the
// environment: a flag would show them to every local user in `ps`. The
// signing keys are read by auth.LoadSecrets itself.
type config struct {
	DatabaseURL string // raw, may hold a password: never logged or shown
	SentryDSN   string
	DataDir     string
	StateDir    string
}

// loadConfig reads the environment and resolves the data and state
// directories ($XDG_DATA_HOME/epic-events, $XDG_STATE_HOME/epic-events).
func loadConfig(getenv func(string) string) (config, error) {
	data, err := xdgDir(getenv, "XDG_DATA_HOME", ".local/share")
	if err != nil {
		return config{}, err
	}
	state, err := xdgDir(getenv, "XDG_STATE_HOME", ".local/state")
	if err != nil {
		return config{}, err
	}
	return config{
		DatabaseURL: strings.TrimSpace(getenv(envDatabaseURL)),
		SentryDSN:   strings.TrimSpace(getenv(envSentryDSN)),
		DataDir:     data,
		StateDir:    state,
	}, nil
}

// xdgDir follows the XDG base directory rules: an absolute $VAR, else
// $HOME/fallback, then the application's own sub-directory.
func xdgDir(getenv func(string) string, env, fallback string) (string, error) {
	base := getenv(env)
	if base == "" || !filepath.IsAbs(base) {
		home := getenv("HOME")
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("cannot find the home directory: set $HOME or $%s", env)
			}
			home = h
		}
		base = filepath.Join(home, fallback)
	}
	return filepath.Join(base, "epic-events"), nil
}

// dsn returns the database to open: the configured URL, or the embedded
// SQLite file in the data directory. A relative file path is made absolute
// so that the session file's database description is stable.
func (c config) dsn() (string, error) {
	if c.DatabaseURL == "" {
		return filepath.Join(c.DataDir, DBFileName), nil
	}
	if store.IsServerDSN(c.DatabaseURL) {
		return c.DatabaseURL, nil
	}
	abs, err := filepath.Abs(c.DatabaseURL)
	if err != nil {
		return "", fmt.Errorf("database path %q: %w", c.DatabaseURL, err)
	}
	return abs, nil
}

// ensureDir creates a private directory (0700) if needed.
func ensureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	return nil
}
