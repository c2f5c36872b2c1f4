package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/epic-events/crm/domain"
)

func TestCheckPasswordPolicy(t *testing.T) {
	t.Parallel()
	const email = "Alice.Martin@Example.com"
	tests := []struct {
		name, password string
		wantErr        string // substring of the field message; "" = accepted
	}{
		{"passphrase", "violet tractor anchors soup", ""},
		{"three common words", "sunshine monkey dragon", ""},
		{"random", "x9$Lq2!vTz#8mWp", ""},
		{"random digits", "847291038475621", ""},
		{"exactly 15 runes", "émeraude-girafe", ""},
		{"128 runes", strings.Repeat("ab3$", 31) + "zyxw", ""},
		{"accents count as one", "ééééé bleu vert", ""},
		{"14 characters", "violet tractor", "at least 15"},
		{"14 runes many bytes", "éééééééééééééé", "at least 15"},
		{"129 characters", strings.Repeat("ab3$", 32) + "z", "at most 128"},
		{"control character", "violet\ttractor anchors", "printable"},
		{"escape sequence", "violet tractor\x1b[2J", "printable"},
		{"invalid UTF-8", "violet tractor \xff\xfe", "not valid"},
		{"listed", "winniethepooh12", "made of common"},
		{"listed long", "correcthorsebatterystaple", "common passwords"},
		{"listed with spaces", "correct horse battery staple", "common passwords"},
		{"listed upper-case", "PASSWORDPASSWORD", "common passwords"},
		{"french", "MotDePasseMotDePasse", "common passwords"},
		{"app name", "Epic-Events-2025!", "made of common"},
		{"doubled word", "iloveyouiloveyou", "common passwords"},
		{"doubled word not listed", "monkeymonkeymonkey", "repeat a shorter"},
		{"repeated random", "xkq9zm2bxkq9zm2b", "repeat a shorter"},
		{"word and year", "Password2024!!", "at least 15"},
		{"word and digits", "Password2024!!!", "made of common"},
		{"two words and symbols", "Dragon!Monkey2024", "made of common"},
		{"leet", "P@ssw0rd!P@ssw0rd", "made of common"},
		{"leet ones", "1loveyou1loveyou", "common passwords"},
		{"keyboard row", "qwertyuiopasdfgh", "common passwords"},
		{"keyboard not listed", "poiuytrezaqsdfgh", "made of common"},
		{"azerty", "azertyuiopqsdfghjklm", "common passwords"},
		{"digits run", "0123456789012345678", "made of common"},
		{"alphabet", "abcdefghijklmnopq", "common passwords"},
		{"few characters", "aaaabbbbccccdddd", "too few"},
		{"same char", "zzzzzzzzzzzzzzzzzzzz", "too few"},
		{"contains email", "xx alice.martin@example.com xx", "email address"},
		{"is email", "ALICE.MARTIN@EXAMPLE.COM", "email address"},
		{"contains local part", "Alice.Martin rules 4ever", "email address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := policyHasher().Check(tt.password, email)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want accepted", tt.password, err)
				}
				return
			}
			var ve *domain.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, domain.ErrInvalid) {
				t.Fatalf("Check(%q) = %v, want a *domain.ValidationError", tt.password, err)
			}
			msg := ve.Fields["password"]
			if len(ve.Fields) != 1 || !strings.Contains(msg, tt.wantErr) {
				t.Fatalf("Check(%q) = %v, want field password containing %q", tt.password, ve.Fields, tt.wantErr)
			}
			// The domain's style: a lower-case instruction without a final
			// period, which the UI capitalises where it needs to.
			if strings.HasSuffix(msg, ".") || strings.ToLower(msg[:1]) != msg[:1] || len(strings.Fields(msg)) < 4 {
				t.Fatalf("message %q is not in the domain's style", msg)
			}
		})
	}
}

func TestCheckPasswordShortLocalPartIsNotABan(t *testing.T) {
	t.Parallel()
	// A one-letter local part must not forbid every password holding "a".
	if err := CheckPassword("violet tractor anchors soup", "a@example.com"); err != nil {
		t.Fatalf("Check = %v", err)
	}
	if err := CheckPassword("violet tractor anchors soup", ""); err != nil {
		t.Fatalf("Check without email = %v", err)
	}
}

func TestCommonPasswordListIsLoaded(t *testing.T) {
	t.Parallel()
	if len(commonPasswords) < 3000 {
		t.Fatalf("only %d common passwords loaded", len(commonPasswords))
	}
	for _, pw := range []string{"123456", "password", "passwordpassword", "motdepasse", "correcthorsebatterystaple"} {
		if _, ok := commonPasswords[pw]; !ok {
			t.Errorf("%q missing from the list", pw)
		}
	}
	for pw := range commonPasswords {
		if pw != strings.ToLower(pw) || strings.HasPrefix(pw, "#") {
			t.Errorf("list entry %q is not a lower-case password", pw)
		}
	}
}

// policyHasher is a cheap Hasher: Check does not hash.
func policyHasher() *Hasher { return newHasher(cheap, 0) }
