// Package auth implements the domain's security ports: argon2id password
// hashing and policy (Hasher), signed access tokens and opaque refresh tokens
// (KeyRing), where the secrets come from (LoadSecrets), and the local
// session file. It imports domain's types only; domain never imports it.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/epic-events/crm/domain"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams follow SPEC §4 (the OWASP minimum for argon2id):
// 19 MiB, two passes, one lane, 16-byte salt, 32-byte key.
var DefaultParams = Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on what Verify accepts from a stored hash, so a corrupted or
// planted row cannot make one login allocate gigabytes or spin for minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB
	maxTime    = 64
	minSaltLen = 8 // argon2's own minimum
	minKeyLen  = 16
	maxLen     = 1024
)

var errMalformed = errors.New("auth: malformed password hash")

// Hasher hashes and verifies passwords with argon2id in PHC string format
// ($argon2id$v=19$m=19456,t=2,p=1$salt$hash, unpadded standard base64), the
// format the reference argon2 tool prints with -e. It implements
// domain.PasswordHasher.
//
// At most a fixed number of hashes run at once (DefaultSlots, half the
// cores, unless NewLimitedHasher says otherwise): each takes Params.Memory, so a login
// burst costs that many times 19 MiB, not one per login in flight, and
// more at once would only share the same cores more slowly.
type Hasher struct {
	p     Params
	dummy string        // a hash with the current parameters, verified by Burn
	sem   chan struct{} // one token per hash allowed to run
}

var _ domain.PasswordHasher = (*Hasher)(nil)

// NewHasher returns a Hasher with DefaultParams, running DefaultSlots
// hashes at a time.
func NewHasher() *Hasher { return newHasher(DefaultParams, 0) }

// NewLimitedHasher returns a Hasher with DefaultParams running at most n
// hashes at a time (n <= 0: DefaultSlots).
func NewLimitedHasher(n int) *Hasher { return newHasher(DefaultParams, n) }

// newHasher returns a Hasher with other parameters (tests and the argon2
// CLI cross-check, whose -m only takes powers of two).
func newHasher(p Params, n int) *Hasher {
	if n <= 0 {
		n = DefaultSlots()
	}
	h := &Hasher{p: p, sem: make(chan struct{}, n)}
	// A fixed password and salt: Burn only needs the cost of one
	// verification with the current parameters, not a secret.
	h.dummy = encodePHC(p, []byte("epic-events-burn"), argon2.IDKey([]byte("not a password"), []byte("epic-events-burn"), p.Time, p.Memory, p.Threads, p.KeyLen))
	return h
}

// Hash returns the PHC string of password with a fresh random salt.
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: hash: %w", err)
	}
	return h.hashWithSalt(password, salt), nil
}

// idKey is argon2.IDKey under the semaphore, at low priority.
func (h *Hasher) idKey(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte {
	h.sem <- struct{}{}
	defer func() { <-h.sem }()
	var key []byte
	atLowPriority(func() { key = argon2.IDKey(password, salt, time, memory, threads, keyLen) })
	return key
}

// atLowPriority runs fn on an OS thread of its own at the lowest
// scheduling priority, where the system allows it: a burst of logins then
// takes the CPU the people already at work leave, instead of sharing it
// with them (each hash is tens of milliseconds of a core). The thread is
// not given back to the runtime: it ends with fn's goroutine, priority
// and all.
func atLowPriority(fn func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		if !lowerThreadPriority() {
			runtime.UnlockOSThread()
		}
		fn()
	}()
	<-done
}

func (h *Hasher) hashWithSalt(password string, salt []byte) string {
	key := h.idKey([]byte(password), salt, h.p.Time, h.p.Memory, h.p.Threads, h.p.KeyLen)
	return encodePHC(h.p, salt, key)
}

func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// phc is a parsed PHC string.
type phc struct {
	p    Params
	salt []byte
	key  []byte
}

// parsePHC reads an argon2id PHC string strictly: the exact field order
// and canonical numbers the encoder writes, version 19, unpadded base64,
// and parameters within sane bounds. argon2i/argon2d are refused.
func parsePHC(s string) (phc, error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return phc{}, errMalformed
	}
	var m, t, p uint64
	fields := strings.Split(parts[3], ",")
	if len(fields) != 3 {
		return phc{}, errMalformed
	}
	for i, name := range []string{"m", "t", "p"} {
		v, ok := strings.CutPrefix(fields[i], name+"=")
		if !ok {
			return phc{}, errMalformed
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || strconv.FormatUint(n, 10) != v {
			return phc{}, errMalformed
		}
		switch name {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			p = n
		}
	}
	if p < 1 || p > 255 || t < 1 || t > maxTime || m < 8*p || m > maxMemory {
		return phc{}, errMalformed
	}
	// Strict decoding still skips \r and \n; re-encoding and comparing
	// leaves exactly one accepted spelling.
	enc := base64.RawStdEncoding.Strict()
	salt, err := enc.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxLen || enc.EncodeToString(salt) != parts[4] {
		return phc{}, errMalformed
	}
	key, err := enc.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxLen || enc.EncodeToString(key) != parts[5] {
		return phc{}, errMalformed
	}
	return phc{
		p:    Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p), SaltLen: uint32(len(salt)), KeyLen: uint32(len(key))},
		salt: salt,
		key:  key,
	}, nil
}

// Verify reports whether password matches the stored PHC string, comparing
// keys in constant time. rehash is true on a match whose stored parameters
// are weaker than the current ones (less memory, fewer passes, shorter salt
// or key), so the caller stores a fresh Hash. A malformed string is an
// error, never a match.
func (h *Hasher) Verify(password, stored string) (ok, rehash bool, err error) {
	d, err := parsePHC(stored)
	if err != nil {
		return false, false, err
	}
	key := h.idKey([]byte(password), d.salt, d.p.Time, d.p.Memory, d.p.Threads, d.p.KeyLen)
	if subtle.ConstantTimeCompare(key, d.key) != 1 {
		return false, false, nil
	}
	rehash = d.p.Memory < h.p.Memory || d.p.Time < h.p.Time ||
		d.p.SaltLen < h.p.SaltLen || d.p.KeyLen < h.p.KeyLen
	return true, rehash, nil
}

// Burn spends the time of one Verify with the current parameters, so a
// login for an unknown email takes as long as a wrong password.
func (h *Hasher) Burn(password string) {
	_, _, _ = h.Verify(password, h.dummy)
}
