package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/epic-events/crm/domain"
)

var (
	secretA = []byte("0123456789abcdef0123456789abcdef-current")
	secretB = []byte("fedcba9876543210fedcba9876543210-previous")
	t0      = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
)

func mustRing(t *testing.T, cur, prev []byte) *KeyRing {
	t.Helper()
	k, err := NewKeyRing(cur, prev)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// goodClaims are what IssueAccess would put in a token at t0.
func goodClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":  "42",
		"role": "sales",
		"iss":  Issuer,
		"aud":  []string{Audience},
		"iat":  t0.Unix(),
		"exp":  t0.Add(AccessTTL).Unix(),
		"jti":  "abc",
	}
}

// forge signs claims the way an attacker could, with any method and key.
func forge(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, kid string, key any) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("forge: %v", err)
	}
	return s
}

func TestIssueAndVerifyAccess(t *testing.T) {
	t.Parallel()
	k := mustRing(t, secretA, nil)
	tok, err := k.IssueAccess(42, domain.RoleSales, "fam", t0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := k.VerifyAccess(tok, t0.Add(14*time.Minute))
	if err != nil {
		t.Fatalf("VerifyAccess: %v", err)
	}
	if got.UserID != 42 || got.Role != domain.RoleSales || !got.IssuedAt.Equal(t0) ||
		!got.Expires.Equal(t0.Add(15*time.Minute)) || got.ID == "" {
		t.Fatalf("claims = %+v", got)
	}

	// The wire format is what SPEC §4 lists.
	parts := strings.Split(tok, ".")
	var header map[string]any
	var payload map[string]any
	decodeSegment(t, parts[0], &header)
	decodeSegment(t, parts[1], &payload)
	sum := sha256.Sum256(secretA)
	if header["alg"] != "HS256" || header["kid"] != hex.EncodeToString(sum[:8]) {
		t.Fatalf("header = %v", header)
	}
	for _, claim := range []string{"sub", "role", "iss", "aud", "iat", "exp", "jti"} {
		if _, ok := payload[claim]; !ok {
			t.Errorf("claim %q missing from %v", claim, payload)
		}
	}
	if payload["sub"] != "42" || payload["iss"] != "epic-events" {
		t.Fatalf("payload = %v", payload)
	}

	other, _ := k.IssueAccess(42, domain.RoleSales, "fam", t0)
	if second, _ := k.VerifyAccess(other, t0); second.ID == got.ID {
		t.Fatalf("two tokens share jti %q", got.ID)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestIssueAccessRefusesBadInput(t *testing.T) {
	t.Parallel()
	k := mustRing(t, secretA, nil)
	if _, err := k.IssueAccess(0, domain.RoleSales, "fam", t0); err == nil {
		t.Fatal("user 0 accepted")
	}
	if _, err := k.IssueAccess(1, domain.Role("admin"), "fam", t0); err == nil {
		t.Fatal("unknown role accepted")
	}
}

func TestVerifyAccessRefusesAttacks(t *testing.T) {
	t.Parallel()
	k := mustRing(t, secretA, nil)
	kid := KeyID(secretA)
	valid, err := k.IssueAccess(42, domain.RoleSales, "fam", t0)
	if err != nil {
		t.Fatal(err)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	with := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := goodClaims()
		change(c)
		return c
	}
	parts := strings.Split(valid, ".")
	var payload map[string]any
	decodeSegment(t, parts[1], &payload)
	payload["role"] = "management"
	forgedPayload, _ := json.Marshal(payload)
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString(forgedPayload) + "." + parts[2]

	tests := []struct {
		name    string
		token   string
		at      time.Time
		expired bool // ErrTokenExpired rather than another refusal
	}{
		{"alg none", forge(t, jwt.SigningMethodNone, goodClaims(), kid, jwt.UnsafeAllowNoneSignatureType), t0, false},
		{"alg none without signature", strings.Join([]string{
			base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + kid + `"}`)),
			parts[1], ""}, "."), t0, false},
		{"RS256 with our kid", forge(t, jwt.SigningMethodRS256, goodClaims(), kid, rsaKey), t0, false},
		{"HS256 keyed with the RSA public key", forge(t, jwt.SigningMethodHS256, goodClaims(), kid, pubPEM), t0, false},
		{"HS256 keyed with the public key, its own kid", forge(t, jwt.SigningMethodHS256, goodClaims(), KeyID(pubPEM), pubPEM), t0, false},
		{"HS512 with our secret", forge(t, jwt.SigningMethodHS512, goodClaims(), kid, secretA), t0, false},
		{"expired", valid, t0.Add(16 * time.Minute), true},
		{"expired forged", forge(t, jwt.SigningMethodHS256, goodClaims(), kid, secretB), t0.Add(time.Hour), false},
		{"expired and wrong issuer", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["iss"] = "evil" }), kid, secretA), t0.Add(time.Hour), false},
		{"wrong issuer", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["iss"] = "evil" }), kid, secretA), t0, false},
		{"no issuer", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "iss") }), kid, secretA), t0, false},
		{"wrong audience", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["aud"] = "other-app" }), kid, secretA), t0, false},
		{"no audience", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "aud") }), kid, secretA), t0, false},
		{"missing exp", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "exp") }), kid, secretA), t0, false},
		{"missing iat", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "iat") }), kid, secretA), t0, false},
		{"issued in the future", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["iat"] = t0.Add(10 * time.Minute).Unix() }), kid, secretA), t0, false},
		{"missing jti", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { delete(c, "jti") }), kid, secretA), t0, false},
		{"non-numeric sub", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["sub"] = "alice" }), kid, secretA), t0, false},
		{"sub zero", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["sub"] = "0" }), kid, secretA), t0, false},
		{"sub with plus", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["sub"] = "+42" }), kid, secretA), t0, false},
		{"unknown role", forge(t, jwt.SigningMethodHS256, with(func(c jwt.MapClaims) { c["role"] = "admin" }), kid, secretA), t0, false},
		{"unknown kid", forge(t, jwt.SigningMethodHS256, goodClaims(), "0000000000000000", secretA), t0, false},
		{"no kid", forge(t, jwt.SigningMethodHS256, goodClaims(), "", secretA), t0, false},
		{"our kid, other secret", forge(t, jwt.SigningMethodHS256, goodClaims(), kid, secretB), t0, false},
		{"tampered payload", tampered, t0, false},
		{"truncated signature", valid[:len(valid)-4], t0, false},
		{"garbage", "not.a.token", t0, false},
		{"empty", "", t0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := k.VerifyAccess(tt.token, tt.at)
			if err == nil {
				t.Fatalf("accepted: %+v", got)
			}
			if !errors.Is(err, domain.ErrUnauthenticated) {
				t.Fatalf("error %v does not wrap ErrUnauthenticated", err)
			}
			if errors.Is(err, domain.ErrTokenExpired) != tt.expired {
				t.Fatalf("error %v: expired = %v, want %v", err, !tt.expired, tt.expired)
			}
			if got != (domain.AccessClaims{}) {
				t.Fatalf("claims returned with an error: %+v", got)
			}
		})
	}
	// Sanity: the untouched token is fine, so the refusals above are due to
	// the attack, not the set-up.
	if _, err := k.VerifyAccess(valid, t0); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	if _, err := k.VerifyAccess(forge(t, jwt.SigningMethodHS256, goodClaims(), kid, secretA), t0); err != nil {
		t.Fatalf("well-forged token with our secret refused: %v", err)
	}
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	old := mustRing(t, secretB, nil)
	tok, err := old.IssueAccess(7, domain.RoleSupport, "fam", t0)
	if err != nil {
		t.Fatal(err)
	}
	rotating := mustRing(t, secretA, secretB)
	got, err := rotating.VerifyAccess(tok, t0.Add(time.Minute))
	if err != nil || got.UserID != 7 || got.Role != domain.RoleSupport {
		t.Fatalf("token signed with the previous key: %+v, %v", got, err)
	}
	fresh, err := rotating.IssueAccess(7, domain.RoleSupport, "fam", t0)
	if err != nil {
		t.Fatal(err)
	}
	var header map[string]any
	decodeSegment(t, strings.Split(fresh, ".")[0], &header)
	if header["kid"] != KeyID(secretA) {
		t.Fatalf("new tokens must be signed with the current key, kid = %v", header["kid"])
	}
	done := mustRing(t, secretA, nil)
	if _, err := done.VerifyAccess(tok, t0.Add(time.Minute)); !errors.Is(err, domain.ErrUnauthenticated) || errors.Is(err, domain.ErrTokenExpired) {
		t.Fatalf("token of a key removed from the ring: %v", err)
	}
	if _, err := done.VerifyAccess(fresh, t0.Add(time.Minute)); err != nil {
		t.Fatalf("current token after rotation: %v", err)
	}
}

func TestNewKeyRingNeedsLongSecrets(t *testing.T) {
	t.Parallel()
	long := make([]byte, 32)
	tests := []struct {
		name      string
		cur, prev []byte
		ok        bool
	}{
		{"32 bytes", long, nil, true},
		{"with previous", long, secretB, true},
		{"31 bytes", long[:31], nil, false},
		{"empty", nil, nil, false},
		{"short previous", long, []byte("short"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewKeyRing(tt.cur, tt.prev)
			if (err == nil) != tt.ok {
				t.Fatalf("NewKeyRing = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestRefreshTokens(t *testing.T) {
	t.Parallel()
	k := mustRing(t, secretA, nil)
	tok, hash, err := k.NewRefresh()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 32 {
		t.Fatalf("refresh token %q is not 256 bits of base64url: %v", tok, err)
	}
	sum := sha256.Sum256([]byte(tok))
	if hash != hex.EncodeToString(sum[:]) || k.HashRefresh(tok) != hash {
		t.Fatalf("hash %q is not the hex SHA-256 of the token", hash)
	}
	tok2, hash2, _ := k.NewRefresh()
	if tok2 == tok || hash2 == hash {
		t.Fatal("two refresh tokens are equal")
	}
}
