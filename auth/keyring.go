package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/epic-events/crm/domain"
)

// Token constants, SPEC §4.
const (
	Issuer    = "epic-events"
	Audience  = "epic-events"
	AccessTTL = 15 * time.Minute
	// MinSecretLen is the shortest HMAC secret accepted (256 bits).
	MinSecretLen = 32
	// clockLeeway absorbs small clock differences between processes that
	// share a database; it is far below AccessTTL.
	clockLeeway = 5 * time.Second
)

// accessClaims is the JWT payload of an access token.
type accessClaims struct {
	Role string `json:"role"`
	// SID names the refresh family (the session) the token belongs to, so
	// every call can check that the session is still live.
	SID string `json:"sid,omitempty"`
	jwt.RegisteredClaims
}

// KeyRing signs access tokens with the current secret and verifies them
// with the current or the previous one, chosen by the token's kid header,
// so a secret can be rotated without logging everyone out. It implements
// domain.TokenIssuer.
type KeyRing struct {
	currentKID string
	keys       map[string][]byte // kid -> secret
}

// parserOptions pin what a valid token must be; VerifyAccess adds the
// clock. A fresh Parser per call: options write into the Parser's shared
// validator, so one Parser cannot serve concurrent calls with their own now.
var parserOptions = []jwt.ParserOption{
	jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
	jwt.WithIssuer(Issuer),
	jwt.WithAudience(Audience),
	jwt.WithExpirationRequired(),
	jwt.WithIssuedAt(),
	jwt.WithLeeway(clockLeeway),
	jwt.WithStrictDecoding(),
}

var _ domain.TokenIssuer = (*KeyRing)(nil)

// NewKeyRing returns a key ring signing with current and also accepting
// previous (nil or empty when no rotation is in progress). Each secret
// must be at least 32 bytes.
func NewKeyRing(current, previous []byte) (*KeyRing, error) {
	if len(current) < MinSecretLen {
		return nil, fmt.Errorf("auth: the secret key must be at least %d bytes", MinSecretLen)
	}
	if len(previous) > 0 && len(previous) < MinSecretLen {
		return nil, fmt.Errorf("auth: the previous secret key must be at least %d bytes", MinSecretLen)
	}
	k := &KeyRing{currentKID: KeyID(current), keys: map[string][]byte{}}
	k.keys[k.currentKID] = append([]byte(nil), current...)
	if len(previous) > 0 {
		k.keys[KeyID(previous)] = append([]byte(nil), previous...)
	}
	return k, nil
}

// KeyID names a secret without revealing it: the first 8 bytes of its
// SHA-256, in hex.
func KeyID(secret []byte) string {
	sum := sha256.Sum256(secret)
	return hex.EncodeToString(sum[:8])
}

// IssueAccess signs a 15-minute access token for the user, naming its
// refresh family in the sid claim.
func (k *KeyRing) IssueAccess(userID int64, role domain.Role, family string, now time.Time) (string, error) {
	if userID <= 0 || !role.Valid() {
		return "", fmt.Errorf("auth: issue access token: invalid user %d or role %q", userID, role)
	}
	jti, err := randomID()
	if err != nil {
		return "", err
	}
	now = now.Truncate(time.Second)
	claims := accessClaims{
		Role: string(role),
		SID:  family,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(userID, 10),
			Issuer:    Issuer,
			Audience:  jwt.ClaimStrings{Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(AccessTTL)),
			ID:        jti,
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = k.currentKID
	s, err := tok.SignedString(k.keys[k.currentKID])
	if err != nil {
		return "", fmt.Errorf("auth: sign access token: %w", err)
	}
	return s, nil
}

// errUnknownKey is returned by keyFor; the secret it would need is not in
// the ring (rotated out, or never ours).
var errUnknownKey = errors.New("unknown signing key")

func (k *KeyRing) keyFor(t *jwt.Token) (any, error) {
	// WithValidMethods already pinned HS256; checking the type again keeps
	// a future options change from handing an HMAC secret to another
	// algorithm.
	if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
		return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
	}
	kid, _ := t.Header["kid"].(string)
	key, ok := k.keys[kid]
	if !ok {
		return nil, errUnknownKey
	}
	return key, nil
}

// VerifyAccess checks a token's signature (HS256 only, key chosen by kid),
// issuer, audience, issue and expiry times, and returns its claims. An
// expired token that is otherwise valid returns domain.ErrTokenExpired;
// every other failure wraps domain.ErrUnauthenticated.
func (k *KeyRing) VerifyAccess(token string, now time.Time) (domain.AccessClaims, error) {
	var claims accessClaims
	p := jwt.NewParser(append(parserOptions[:len(parserOptions):len(parserOptions)], jwt.WithTimeFunc(func() time.Time { return now }))...)
	_, err := p.ParseWithClaims(token, &claims, k.keyFor)
	if err != nil {
		if onlyExpired(err) {
			return domain.AccessClaims{}, domain.ErrTokenExpired
		}
		return domain.AccessClaims{}, fmt.Errorf("%w: %w", domain.ErrUnauthenticated, err)
	}
	id, err := strconv.ParseInt(claims.Subject, 10, 64)
	if err != nil || id <= 0 || strconv.FormatInt(id, 10) != claims.Subject {
		return domain.AccessClaims{}, fmt.Errorf("%w: bad subject", domain.ErrUnauthenticated)
	}
	role := domain.Role(claims.Role)
	if !role.Valid() {
		return domain.AccessClaims{}, fmt.Errorf("%w: bad role", domain.ErrUnauthenticated)
	}
	if claims.IssuedAt == nil || claims.ID == "" {
		return domain.AccessClaims{}, fmt.Errorf("%w: missing iat or jti", domain.ErrUnauthenticated)
	}
	return domain.AccessClaims{
		UserID:   id,
		Role:     role,
		IssuedAt: claims.IssuedAt.UTC(),
		Expires:  claims.ExpiresAt.UTC(),
		ID:       claims.ID,
		Family:   claims.SID,
	}, nil
}

// onlyExpired reports whether expiry is the token's only fault. The parser
// checks the signature before the claims, so an expired error means the
// signature was good; any other claim error joined to it still refuses.
func onlyExpired(err error) bool {
	if !errors.Is(err, jwt.ErrTokenExpired) {
		return false
	}
	for _, other := range []error{
		jwt.ErrTokenSignatureInvalid, jwt.ErrTokenUnverifiable, jwt.ErrTokenMalformed,
		jwt.ErrTokenInvalidIssuer, jwt.ErrTokenInvalidAudience, jwt.ErrTokenUsedBeforeIssued,
		jwt.ErrTokenNotValidYet, jwt.ErrTokenRequiredClaimMissing, jwt.ErrTokenInvalidSubject,
		jwt.ErrTokenInvalidId,
	} {
		if errors.Is(err, other) {
			return false
		}
	}
	return true
}

// NewRefresh returns a random opaque refresh token (256 bits, base64url)
// and its hex SHA-256, the only form the database keeps.
func (k *KeyRing) NewRefresh() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("auth: refresh token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, k.HashRefresh(token), nil
}

// HashRefresh returns the hex SHA-256 of a refresh token.
func (k *KeyRing) HashRefresh(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token id: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
