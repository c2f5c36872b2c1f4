package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// These tests set environment variables, which Go forbids in parallel
// tests; they run one after another.

func TestLoadSecretsFromEnvironment(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	longText := "this is a long enough passphrase for hmac!"
	tests := []struct {
		name       string
		cur, prev  string
		wantCur    []byte
		wantPrev   []byte
		wantErr    string
		wantNoFile bool
	}{
		{name: "hex", cur: hex.EncodeToString(raw), wantCur: raw},
		{name: "base64", cur: base64.StdEncoding.EncodeToString(raw), wantCur: raw},
		{name: "base64url unpadded", cur: base64.RawURLEncoding.EncodeToString(raw), wantCur: raw},
		{name: "plain text", cur: longText, wantCur: []byte(longText)},
		{name: "short hex is text", cur: strings.Repeat("ab", 16), wantCur: []byte(strings.Repeat("ab", 16))},
		{name: "with previous", cur: hex.EncodeToString(raw), prev: longText, wantCur: raw, wantPrev: []byte(longText)},
		{name: "too short", cur: "short-secret-0123", wantErr: "EPIC_SECRET_KEY is too short"},
		{name: "previous too short", cur: longText, prev: "tiny", wantErr: "EPIC_SECRET_KEY_PREV is too short"},
		{name: "previous alone", prev: longText, wantErr: "EPIC_SECRET_KEY_PREV is set without EPIC_SECRET_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvSecretKey, tt.cur)
			t.Setenv(EnvSecretKeyPrev, tt.prev)
			dir := t.TempDir()
			cur, prev, err := LoadSecrets(dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("LoadSecrets = %v, want error containing %q", err, tt.wantErr)
				}
				for _, secret := range []string{tt.cur, tt.prev} {
					if secret != "" && strings.Contains(err.Error(), secret) {
						t.Fatalf("error %q reveals the secret", err)
					}
				}
				return
			}
			if err != nil || !bytes.Equal(cur, tt.wantCur) || !bytes.Equal(prev, tt.wantPrev) {
				t.Fatalf("LoadSecrets = %x, %x, %v; want %x, %x", cur, prev, err, tt.wantCur, tt.wantPrev)
			}
			if _, err := os.Stat(filepath.Join(dir, SecretFileName)); err == nil {
				t.Fatal("a secret file was created although EPIC_SECRET_KEY is set")
			}
			if _, err := NewKeyRing(cur, prev); err != nil {
				t.Fatalf("the loaded secrets do not make a key ring: %v", err)
			}
		})
	}
}

func TestLoadSecretsCreatesPrivateFile(t *testing.T) {
	t.Setenv(EnvSecretKey, "")
	t.Setenv(EnvSecretKeyPrev, "")
	dir := filepath.Join(t.TempDir(), "data") // missing: created
	cur, prev, err := LoadSecrets(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != 32 || prev != nil {
		t.Fatalf("generated %d-byte secret, prev %x", len(cur), prev)
	}
	path := filepath.Join(dir, SecretFileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %04o, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if strings.TrimSpace(string(data)) != hex.EncodeToString(cur) {
		t.Fatalf("file holds %q, want the hex secret", data)
	}
	again, _, err := LoadSecrets(dir)
	if err != nil || !bytes.Equal(again, cur) {
		t.Fatalf("second start read %x, %v; want the same secret", again, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("data dir holds %d entries, want only the secret", len(entries))
	}

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err = LoadSecrets(dir)
	if err == nil || !strings.Contains(err.Error(), "readable by others (mode 0644)") {
		t.Fatalf("loose secret file: %v", err)
	}
	if strings.Contains(err.Error(), hex.EncodeToString(cur)) {
		t.Fatal("error reveals the secret")
	}

	if err := os.WriteFile(path, []byte("not hex"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadSecrets(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Fatalf("damaged secret file: %v", err)
	}
}

func TestLoadSecretsConcurrentFirstStartsAgree(t *testing.T) {
	t.Setenv(EnvSecretKey, "")
	t.Setenv(EnvSecretKeyPrev, "")
	dir := t.TempDir()
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], _, errs[i] = LoadSecrets(dir) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("start %d got %x, %v; start 0 got %x", i, got[i], errs[i], got[0])
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("data dir holds %d entries, want only the secret (temp files left?)", len(entries))
	}
}
