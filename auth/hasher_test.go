package auth

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// cheap keeps most tests fast under -race; the PHC logic does not depend
// on the cost.
var cheap = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	h := newHasher(cheap, 0)
	for _, pw := range []string{
		"correct horse battery staple",
		"Mot de passe très sûr — 🎉",
		strings.Repeat("x", 128),
		"",
	} {
		t.Run(pw, func(t *testing.T) {
			t.Parallel()
			stored, err := h.Hash(pw)
			if err != nil {
				t.Fatal(err)
			}
			ok, rehash, err := h.Verify(pw, stored)
			if err != nil || !ok || rehash {
				t.Fatalf("Verify(right password) = %v, %v, %v; want true, false, nil", ok, rehash, err)
			}
			ok, _, err = h.Verify(pw+"!", stored)
			if err != nil || ok {
				t.Fatalf("Verify(wrong password) = %v, %v; want false, nil", ok, err)
			}
			again, _ := h.Hash(pw)
			if again == stored {
				t.Fatalf("two hashes of the same password are equal: the salt is not random")
			}
		})
	}
}

func TestHashUsesSpecParameters(t *testing.T) {
	t.Parallel()
	h := NewHasher()
	stored, err := h.Hash("a password long enough")
	if err != nil {
		t.Fatal(err)
	}
	// 16-byte salt = 22 base64 characters, 32-byte key = 43.
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !re.MatchString(stored) {
		t.Fatalf("hash %q does not have the SPEC §4 form", stored)
	}
	if ok, rehash, err := h.Verify("a password long enough", stored); !ok || rehash || err != nil {
		t.Fatalf("Verify = %v, %v, %v", ok, rehash, err)
	}
}

func TestVerifyAsksForRehashWhenParametersRise(t *testing.T) {
	t.Parallel()
	current := Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	tests := []struct {
		name   string
		stored Params
		rehash bool
	}{
		{"same", current, false},
		{"less memory", Params{Memory: 64, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"fewer passes", Params{Memory: 128, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, true},
		{"shorter salt", Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 8, KeyLen: 32}, true},
		{"shorter key", Params{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 16}, true},
		{"stronger", Params{Memory: 256, Time: 3, Threads: 2, SaltLen: 16, KeyLen: 32}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stored, err := newHasher(tt.stored, 0).Hash("password of the past")
			if err != nil {
				t.Fatal(err)
			}
			h := newHasher(current, 0)
			ok, rehash, err := h.Verify("password of the past", stored)
			if err != nil || !ok || rehash != tt.rehash {
				t.Fatalf("Verify = %v, %v, %v; want true, %v, nil", ok, rehash, err, tt.rehash)
			}
			if _, rehash, _ := h.Verify("wrong", stored); rehash {
				t.Fatalf("a failed Verify asked for a rehash")
			}
		})
	}
}

func TestVerifyRefusesTamperedOrMalformedHashes(t *testing.T) {
	t.Parallel()
	h := newHasher(cheap, 0)
	good := h.hashWithSalt("secret", []byte("0123456789abcdef"))
	parts := strings.Split(good, "$") // "", argon2id, v=19, params, salt, key
	with := func(i int, v string) string {
		p := slices.Clone(parts)
		p[i] = v
		return strings.Join(p, "$")
	}
	flip := func(s string) string { // change one base64 character of the key
		b := []byte(s)
		if b[5] == 'A' {
			b[5] = 'B'
		} else {
			b[5] = 'A'
		}
		return string(b)
	}
	tests := []struct {
		name      string
		stored    string
		malformed bool // error, else a clean mismatch
	}{
		{"tampered key", with(5, flip(parts[5])), false},
		{"other salt", with(4, "MDEyMzQ1Njc4OWFiY2RleA"), false},
		{"more passes", with(3, "m=64,t=2,p=1"), false},
		{"argon2i", with(1, "argon2i"), true},
		{"argon2d", with(1, "argon2d"), true},
		{"old version", with(2, "v=16"), true},
		{"no version", strings.Join(slices.Delete(slices.Clone(parts), 2, 3), "$"), true},
		{"params out of order", with(3, "t=1,m=64,p=1"), true},
		{"leading zero", with(3, "m=064,t=1,p=1"), true},
		{"extra param", with(3, "m=64,t=1,p=1,x=2"), true},
		{"zero passes", with(3, "m=64,t=0,p=1"), true},
		{"zero lanes", with(3, "m=64,t=1,p=0"), true},
		{"absurd memory", with(3, "m=4294967295,t=1,p=1"), true},
		{"absurd passes", with(3, "m=64,t=100000,p=1"), true},
		{"negative", with(3, "m=-64,t=1,p=1"), true},
		{"padded salt", with(4, parts[4]+"=="), true},
		{"short salt", with(4, "YWJj"), true},
		{"short key", with(5, "YWJjZGVm"), true},
		{"bad base64", with(5, "!!!"+parts[5][3:]), true},
		{"extra field", good + "$x", true},
		{"empty", "", true},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ok, rehash, err := h.Verify("secret", tt.stored)
			if ok || rehash {
				t.Fatalf("Verify(%q) = %v, %v, %v: accepted", tt.stored, ok, rehash, err)
			}
			if tt.malformed != (err != nil) {
				t.Fatalf("Verify(%q) error = %v, want malformed=%v", tt.stored, err, tt.malformed)
			}
			if err != nil && !errors.Is(err, errMalformed) {
				t.Fatalf("error %v is not errMalformed", err)
			}
		})
	}
	if ok, _, err := h.Verify("secret", good); !ok || err != nil {
		t.Fatalf("the untampered hash must verify: %v, %v", ok, err)
	}
}

// TestVerifyComparesInConstantTime guards the comparison itself: timing
// cannot be measured reliably on a shared machine, so the test reads the
// code and fails if the key comparison stops going through crypto/subtle.
func TestVerifyComparesInConstantTime(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile("hasher.go")
	if err != nil {
		t.Fatal(err)
	}
	body := string(src[bytes.Index(src, []byte("func (h *Hasher) Verify(")):])
	body = body[:strings.Index(body, "\n}\n")]
	if !strings.Contains(body, "subtle.ConstantTimeCompare(key, d.key)") {
		t.Fatalf("Verify must compare keys with subtle.ConstantTimeCompare")
	}
	for _, bad := range []string{"bytes.Equal", "string(key)", "== d.key", "reflect.DeepEqual"} {
		if strings.Contains(body, bad) {
			t.Fatalf("Verify compares keys with %s, which is not constant time", bad)
		}
	}
}

// TestBurnCostsAsMuchAsVerify checks that an unknown email (Burn) does the
// same work as a wrong password (Verify), with the real parameters. Time is
// what an attacker measures, but a timed assertion fails on a loaded
// machine; the work argon2id does is its memory (m KiB filled t times), so
// the bytes each call allocates are compared instead: deterministic, and a
// Burn that skipped or cheapened the derivation would allocate far less.
func TestBurnCostsAsMuchAsVerify(t *testing.T) {
	h := NewHasher()
	stored, err := h.Hash("the real password")
	if err != nil {
		t.Fatal(err)
	}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	verify := allocated(func() { _, _, _ = h.Verify("a wrong password", stored) })
	burn := allocated(func() { h.Burn("a wrong password") })
	const argonBytes = 19 * 1024 * 1024 // m = 19 MiB, the floor of SPEC §4
	if verify < argonBytes {
		t.Fatalf("Verify allocated %d bytes: less than argon2id's %d, the measure is wrong", verify, argonBytes)
	}
	if burn < verify*9/10 || burn > verify*11/10 {
		t.Fatalf("Burn allocated %d bytes, Verify %d: an unknown email would cost less than a wrong password", burn, verify)
	}
}

// TestArgon2CLIAgrees cross-checks our PHC strings with the reference
// implementation's command-line tool (Debian package argon2), in both
// directions: its -e output must equal ours byte for byte, and Verify must
// accept what it prints.
func TestArgon2CLIAgrees(t *testing.T) {
	t.Parallel()
	bin, err := exec.LookPath("argon2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("argon2 command not found (apt-get install -y argon2): %v", err)
		}
		t.Skip("argon2 command not installed")
	}
	salt := "somesalt12345678" // the CLI takes the salt as text
	tests := []struct {
		name     string
		params   Params
		memFlags []string
	}{
		// -m is log2(KiB), so only powers of two; -k takes KiB directly.
		{"m=2^14 via -m", Params{Memory: 16384, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}, []string{"-m", "14"}},
		{"spec params via -k", DefaultParams, []string{"-k", "19456"}},
	}
	for _, tt := range tests {
		for _, pw := range []string{"password", "correct horse battery staple", "mot de passe été 🎉"} {
			t.Run(tt.name+"/"+pw, func(t *testing.T) {
				t.Parallel()
				args := append([]string{salt, "-id", "-t", "2", "-p", "1", "-l", "32", "-e"}, tt.memFlags...)
				cmd := exec.Command(bin, args...)
				cmd.Stdin = strings.NewReader(pw)
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("argon2 %v: %v", args, err)
				}
				cli := strings.TrimSpace(string(out))
				h := newHasher(tt.params, 0)
				ours := h.hashWithSalt(pw, []byte(salt))
				if cli != ours {
					t.Fatalf("argon2 CLI printed\n%s\nwe computed\n%s", cli, ours)
				}
				ok, rehash, err := NewHasher().Verify(pw, cli)
				if err != nil || !ok {
					t.Fatalf("Verify(CLI hash) = %v, %v", ok, err)
				}
				if wantRehash := tt.params.Memory < DefaultParams.Memory; rehash != wantRehash {
					t.Fatalf("rehash = %v, want %v", rehash, wantRehash)
				}
			})
		}
	}
}
