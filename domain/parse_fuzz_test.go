package domain_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/epic-events/crm/domain"
)

// The seeds below run as ordinary tests; `go test -fuzz FuzzX ./domain/`
// explores further. Each target checks properties that hold for every
// input, not just "does not panic".

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"0", "1234.50", "1 234,50", "12 345.67 €", "1\u00a0234", "10000000000",
		"10000000000.01", "-5", "1,234.50", "12 34", "1e5", ".5", "99999999999999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cents, err := domain.ParseMoney(s)
		if err != nil {
			if cents != 0 {
				t.Fatalf("ParseMoney(%q) returned %d with error %v", s, cents, err)
			}
			if err.Error() == "" {
				t.Fatalf("ParseMoney(%q): empty error message", s)
			}
			return
		}
		if cents < 0 || cents > domain.MaxCents {
			t.Fatalf("ParseMoney(%q) = %d, outside [0, MaxCents]", s, cents)
		}
		formatted := domain.FormatMoney(cents)
		back, err := domain.ParseMoney(formatted)
		if err != nil || back != cents {
			t.Fatalf("ParseMoney(FormatMoney(%d)) = %d, %v (formatted %q)", cents, back, err, formatted)
		}
		// An accepted amount has digits only where digits belong: dropping
		// every separator, sign and € leaves the same number.
		var digits strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				digits.WriteRune(r)
			}
		}
		if digits.Len() == 0 {
			t.Fatalf("ParseMoney(%q) accepted an amount without digits", s)
		}
	})
}

func FuzzFormatMoney(f *testing.F) {
	for _, c := range []int64{0, 1, 99, 100, 123456789, domain.MaxCents, -1, 1 << 62} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c int64) {
		s := domain.FormatMoney(c)
		if !strings.HasSuffix(s, " €") {
			t.Fatalf("FormatMoney(%d) = %q, no trailing €", c, s)
		}
		if c < 0 || c > domain.MaxCents {
			return
		}
		back, err := domain.ParseMoney(s)
		if err != nil || back != c {
			t.Fatalf("ParseMoney(FormatMoney(%d) = %q) = %d, %v", c, s, back, err)
		}
	})
}

func FuzzParseDateTime(f *testing.F) {
	for _, s := range []string{
		"31/12/2025 14:30", "1/7/2025 9:05", "31/12/2025", "2025-12-31T14:30",
		"2025-12-31 14:30", "2025-12-31", "2025-12-31T14:30:00+05:00", "2025-03-30 02:30",
		"2025-10-26 02:30", "31/02/2025", "0001-01-01", "",
	} {
		f.Add(s)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		f.Fatalf("load Europe/Paris: %v", err)
	}
	fixed := time.FixedZone("UTC+5:30", 5*3600+1800)
	f.Fuzz(func(t *testing.T, s string) {
		for _, loc := range []*time.Location{time.UTC, fixed, paris} {
			got, err := domain.ParseDateTime(s, loc)
			if err != nil {
				if !got.IsZero() {
					t.Fatalf("ParseDateTime(%q) returned %v with error %v", s, got, err)
				}
				continue
			}
			if got.Location() != time.UTC {
				t.Fatalf("ParseDateTime(%q, %v) = %v, not in UTC", s, loc, got)
			}
			if y := got.In(loc).Year(); y < 1899 || y > 3000 {
				t.Fatalf("ParseDateTime(%q) = %v, year out of range", s, got)
			}
			shown := domain.FormatDateTime(got, loc)
			back, err := domain.ParseDateTime(shown, loc)
			if err != nil {
				t.Fatalf("ParseDateTime(FormatDateTime(%v) = %q): %v", got, shown, err)
			}
			// Without DST the round trip is exact to the minute; in Paris an
			// ambiguous autumn hour may resolve to the other instant, but it
			// must still display the same.
			if loc != paris && !back.Equal(got.Truncate(time.Minute)) {
				t.Fatalf("round trip of %v in %v gave %v", got, loc, back)
			}
			if again := domain.FormatDateTime(back, loc); again != shown {
				t.Fatalf("round trip of %q in %v displays %q", shown, loc, again)
			}
		}
	})
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"alice@example.com", " Alice.Martin@Example.FR ", "a+tag@sub.example.co.uk",
		"élodie@exemple.fr", "a@b@c.com", "alice@example", "al..ice@example.com",
		"alice\x1b@example.com", "\xff@example.com", "İ@example.com", "K@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := domain.NormalizeEmail(s)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizeEmail(%q) returned %q with error %v", s, got, err)
			}
			return
		}
		if !utf8.ValidString(got) || len(got) > 254 || strings.Count(got, "@") != 1 {
			t.Fatalf("NormalizeEmail(%q) = %q: invalid result", s, got)
		}
		if got != strings.ToLower(got) {
			t.Fatalf("NormalizeEmail(%q) = %q: not lower-case", s, got)
		}
		for _, r := range got {
			if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"<>()[]\,;:`, r) {
				t.Fatalf("NormalizeEmail(%q) = %q: contains %q", s, got, r)
			}
		}
		_, domainPart, _ := strings.Cut(got, "@")
		if !strings.Contains(domainPart, ".") {
			t.Fatalf("NormalizeEmail(%q) = %q: no dot in the domain", s, got)
		}
		if again, err := domain.NormalizeEmail(got); err != nil || again != got {
			t.Fatalf("NormalizeEmail not idempotent: %q -> %q -> %q, %v", s, got, again, err)
		}
	})
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"0123456789", "+33 1 23 45 67 89", " +33  (0)1 23.45-67-89 ", "01\u00a023 45 67 89",
		"12345", "123456789012345678901", "(01 (23) 45", "01\t23 45 67 89", "+",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := domain.NormalizePhone(s)
		if err != nil {
			if got != "" {
				t.Fatalf("NormalizePhone(%q) returned %q with error %v", s, got, err)
			}
			return
		}
		digits := 0
		for i, r := range got {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
			default:
				t.Fatalf("NormalizePhone(%q) = %q: contains %q", s, got, r)
			}
		}
		if digits < 6 || digits > 20 {
			t.Fatalf("NormalizePhone(%q) = %q: %d digits", s, got, digits)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("NormalizePhone(%q) = %q: spaces not normalized", s, got)
		}
		if again, err := domain.NormalizePhone(got); err != nil || again != got {
			t.Fatalf("NormalizePhone not idempotent: %q -> %q -> %q, %v", s, got, again, err)
		}
	})
}

// forbiddenInText reports what CleanText must never let through.
func forbiddenInText(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\t') {
		return false
	}
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
		(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

func FuzzCleanText(f *testing.F) {
	for _, s := range []string{
		"Soirée", "  Acme  ", "a\x1b[31mred", "line 1\r\nline 2\n\tx", "a\u009bb", "a\x7f",
		"a\xffb", "x\u202ey", "\u00a0 \u2028", "",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		got, err := domain.CleanText(s, multiline)
		if err != nil {
			if got != "" {
				t.Fatalf("CleanText(%q) returned %q with error %v", s, got, err)
			}
		} else {
			if !utf8.ValidString(got) {
				t.Fatalf("CleanText(%q) = %q: invalid UTF-8", s, got)
			}
			for _, r := range got {
				if forbiddenInText(r, multiline) {
					t.Fatalf("CleanText(%q, %v) = %q: contains control %U", s, multiline, got, r)
				}
			}
			if got != strings.TrimSpace(got) {
				t.Fatalf("CleanText(%q) = %q: not trimmed", s, got)
			}
			if again, err := domain.CleanText(got, multiline); err != nil || again != got {
				t.Fatalf("CleanText not idempotent: %q -> %q -> %q, %v", s, got, again, err)
			}
			if !multiline && domain.StripControl(got) != got {
				t.Fatalf("StripControl changed clean text %q", got)
			}
		}

		// StripControl must make anything safe to draw, and be stable.
		stripped := domain.StripControl(s)
		if !utf8.ValidString(stripped) {
			t.Fatalf("StripControl(%q) = %q: invalid UTF-8", s, stripped)
		}
		for _, r := range stripped {
			if forbiddenInText(r, false) {
				t.Fatalf("StripControl(%q) = %q: contains control %U", s, stripped, r)
			}
		}
		if domain.StripControl(stripped) != stripped {
			t.Fatalf("StripControl not idempotent on %q", s)
		}
	})
}

func FuzzParseAttendees(f *testing.F) {
	for _, s := range []string{"", "0", "120", " 1 200 ", "1\u00a0000\u202f000", "1000001", "2147483648",
		"99999999999999999999", "-1", "\u22121", "12a", "1.5", "00000000000042", "\x1b[2J"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := domain.ParseAttendees(s)
		if err != nil {
			if n != 0 || err.Error() == "" {
				t.Fatalf("ParseAttendees(%q) = %d, %v", s, n, err)
			}
			return
		}
		if n < 0 || n > domain.MaxAttendees {
			t.Fatalf("ParseAttendees(%q) = %d: out of bounds", s, n)
		}
		if again, err := domain.ParseAttendees(strconv.Itoa(n)); err != nil || again != n {
			t.Fatalf("ParseAttendees(%q) = %d, which does not read back: %d, %v", s, n, again, err)
		}
	})
}
