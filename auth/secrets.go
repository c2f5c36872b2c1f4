package auth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Environment variables holding the token secrets, SPEC §4 and §6.
const (
	EnvSecretKey     = "EPIC_SECRET_KEY"
	EnvSecretKeyPrev = "EPIC_SECRET_KEY_PREV"
	// SecretFileName is the generated secret's file in the data directory.
	SecretFileName = "secret.key"
)

// LoadSecrets returns the current and previous token secrets. They come
// from EPIC_SECRET_KEY and EPIC_SECRET_KEY_PREV when set: hex or base64
// decoding to 32 bytes or more, else any string of 32 characters or more
// taken as is. With neither set it reads <dataDir>/secret.key, creating it
// (32 random bytes in hex, mode 0600) on first start, and refuses it when
// others can read it. Errors never contain a secret.
func LoadSecrets(dataDir string) (cur, prev []byte, err error) {
	curEnv, prevEnv := os.Getenv(EnvSecretKey), os.Getenv(EnvSecretKeyPrev)
	if curEnv == "" {
		if prevEnv != "" {
			return nil, nil, fmt.Errorf("%s is set without %s: set the new secret in %s too", EnvSecretKeyPrev, EnvSecretKey, EnvSecretKey)
		}
		cur, err = secretFromFile(filepath.Join(dataDir, SecretFileName))
		return cur, nil, err
	}
	if cur, err = decodeSecret(EnvSecretKey, curEnv); err != nil {
		return nil, nil, err
	}
	if prevEnv != "" {
		if prev, err = decodeSecret(EnvSecretKeyPrev, prevEnv); err != nil {
			return nil, nil, err
		}
	}
	return cur, prev, nil
}

// decodeSecret reads a secret given in an environment variable.
func decodeSecret(name, v string) ([]byte, error) {
	v = strings.TrimSpace(v)
	if b, err := hex.DecodeString(v); err == nil && len(b) >= MinSecretLen {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(v); err == nil && len(b) >= MinSecretLen {
			return b, nil
		}
	}
	if len(v) >= MinSecretLen {
		return []byte(v), nil
	}
	return nil, fmt.Errorf("%s is too short: use at least %d random bytes, e.g. the output of `openssl rand -hex 32`", name, MinSecretLen)
}

// secretFromFile reads the generated secret, creating it when missing.
func secretFromFile(path string) ([]byte, error) {
	b, err := readSecretFile(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return b, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create the data directory for the secret key: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, fmt.Errorf("generate a secret key: %w", err)
	}
	// Write a temp file, then link it into place: the link fails if another
	// process created the secret meanwhile, and then everyone uses theirs.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".secret-*.tmp")
	if err != nil {
		return nil, fmt.Errorf("create the secret key file: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write the secret key file: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readSecretFile(path)
		}
		return nil, fmt.Errorf("create the secret key file: %w", err)
	}
	syncDir(filepath.Dir(path))
	return raw, nil
}

func readSecretFile(path string) ([]byte, error) {
	if err := checkPrivate(path, "secret key file"); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the secret key file: %w", err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(b) < MinSecretLen {
		return nil, fmt.Errorf("secret key file %s is damaged: remove it to generate a new one (everyone will have to log in again)", path)
	}
	return b, nil
}

// checkPrivate refuses a file that is not a regular file or that other
// users may read or write. A missing file returns an error wrapping
// fs.ErrNotExist.
func checkPrivate(path, what string) error {
	fi, err := os.Lstat(path)
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s %s is not a regular file: remove it", what, path)
	}
	// Windows has no Unix modes (files report 0666); its ACLs keep a
	// profile's files private.
	if perm := fi.Mode().Perm(); perm&0o077 != 0 && runtime.GOOS != "windows" {
		return fmt.Errorf("%s %s is readable by others (mode %04o): remove it or chmod 600", what, path, perm)
	}
	return nil
}

// syncDir makes a rename or link durable; failure only loses durability,
// never correctness, so it is not reported.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
