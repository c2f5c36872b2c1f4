package auth

import (
	"testing"
)

// FuzzParsePHC checks the strictness of the stored-hash parser: whatever
// it accepts is exactly what our encoder would write for the same
// parameters, salt and key (one spelling per hash, nothing ignored), and
// within the bounds that keep a planted hash from exhausting the server.
func FuzzParsePHC(f *testing.F) {
	h := newHasher(cheap, 0)
	f.Add(h.hashWithSalt("secret", []byte("0123456789abcdef")))
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQxMjM0NTY3OA$DEwLbbIZGUtgBuB4gYok6r6hNvevYZoxkwMQ5/LXSaU")
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQxMjM0NTY3OA==$DEwLbbIZGUtgBuB4gYok6r6hNvevYZoxkwMQ5/LXSaU")
	f.Add("$argon2i$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parsePHC(s)
		if err != nil {
			return
		}
		if got := encodePHC(d.p, d.salt, d.key); got != s {
			t.Fatalf("parsePHC accepted %q, which encodes back as %q", s, got)
		}
		if d.p.Memory > maxMemory || d.p.Time > maxTime || d.p.Time < 1 || d.p.Threads < 1 ||
			len(d.salt) < minSaltLen || len(d.key) < minKeyLen {
			t.Fatalf("parsePHC accepted out-of-bounds parameters %+v in %q", d.p, s)
		}
	})
}
