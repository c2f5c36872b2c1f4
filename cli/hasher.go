package cli

import (
	"sync"

	"github.com/epic-events/crm/auth"
)

// lazyHasher builds the argon2id hasher on first use. Building one hashes a
// dummy password (19 MiB and tens of milliseconds), which most commands —
// every list, show and edit — never need: only logins and new passwords do.
type lazyHasher struct {
	n    int // hashes at once (0: auth's default)
	once sync.Once
	h    *auth.Hasher
}

func (l *lazyHasher) get() *auth.Hasher {
	l.once.Do(func() { l.h = auth.NewLimitedHasher(l.n) })
	return l.h
}

// Hash hashes a new password.
func (l *lazyHasher) Hash(password string) (string, error) { return l.get().Hash(password) }

// Verify checks a password against its stored hash.
func (l *lazyHasher) Verify(password, phc string) (bool, bool, error) {
	return l.get().Verify(password, phc)
}

// Burn spends the time of one Verify.
func (l *lazyHasher) Burn(password string) { l.get().Burn(password) }

// Check applies the password policy.
func (l *lazyHasher) Check(password, email string) error { return l.get().Check(password, email) }
