package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
)

// openLog opens the JSON structured log in the state directory (append,
// mode 0600). Nothing secret goes in it: callers log credential-free
// database descriptions, ids and error texts, never a DSN, a password or a
// token. When the file cannot be opened the app still runs and logs to
// stderr only if verbose is set, so the terminal UI is never scribbled on.
func openLog(stateDir string, fallback io.Writer) (*slog.Logger, func(), error) {
	if err := ensureDir(stateDir); err != nil {
		return slog.New(slog.NewJSONHandler(fallback, nil)), func() {}, err
	}
	path := filepath.Join(stateDir, logFileName)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return slog.New(slog.NewJSONHandler(fallback, nil)), func() {}, fmt.Errorf("open log %s: %w", path, err)
	}
	h := slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo, ReplaceAttr: redactAttr})
	return slog.New(h), func() { _ = f.Close() }, nil
}

// redactAttr is a last line of defence: an attribute whose key names a
// secret is never written, whatever a caller passes.
func redactAttr(_ []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case "password", "secret", "token", "access", "refresh", "dsn", "database_url":
		return slog.String(a.Key, "[redacted]")
	}
	if a.Value.Kind() == slog.KindString {
		if s := a.Value.String(); s != scrub(s) {
			return slog.String(a.Key, scrub(s))
		}
	}
	return a
}

// logPath is where openLog writes.
func logPath(stateDir string) string { return filepath.Join(stateDir, logFileName) }
