package domain_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
)

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    int64
		wantErr string // substring of the message; "" = success
	}{
		{"0", 0, ""},
		{"1234", 123400, ""},
		{"1234.5", 123450, ""},
		{"1234.50", 123450, ""},
		{"1234,50", 123450, ""},
		{"1 234,50", 123450, ""},
		{"12 345.67 €", 1234567, ""},
		{"12 345.67€", 1234567, ""},
		{"  42  ", 4200, ""},
		{"1\u00a0234\u00a0567,89", 123456789, ""},
		{"1\u202f234.00 €", 123400, ""},
		{"1\u2009234", 123400, ""},
		{"0.01", 1, ""},
		{"007", 700, ""},
		{"10000000000", domain.MaxCents, ""},
		{"10 000 000 000.00 €", domain.MaxCents, ""},
		{"", 0, "enter an amount"},
		{"   ", 0, "enter an amount"},
		{"€", 0, "enter an amount"},
		{"-5", 0, "minus sign"},
		{"−5", 0, "minus sign"},
		{"+5", 0, "digits"},
		{"1234.567", 0, "two decimals"},
		{"0,001", 0, "two decimals"},
		{"1,234.50", 0, "one decimal separator"},
		{"1.234,50", 0, "one decimal separator"},
		{"12.", 0, "digits"},
		{".50", 0, "digits"},
		{"12 34", 0, "group thousands"},
		{"1234 567", 0, "group thousands"},
		{"1  234", 0, "group thousands"},
		{"1 2345", 0, "group thousands"},
		{"10000000000.01", 0, "at most 10 000 000 000.00"},
		{"99999999999999999999999999", 0, "at most"},
		{"1e5", 0, "digits"},
		{"12 345 $", 0, "digits"},
		{"0x10", 0, "digits"},
		{"１２", 0, "digits"}, // full-width digits
		{"12\x1b[31m", 0, "digits"},
		{"NaN", 0, "digits"},
		{"€ 12", 0, "digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseMoney(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseMoney(%q) = %d, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseMoney(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0.00 €"},
		{1, "0.01 €"},
		{99, "0.99 €"},
		{100, "1.00 €"},
		{123450, "1 234.50 €"},
		{1234567, "12 345.67 €"},
		{12345678, "123 456.78 €"},
		{123456789, "1 234 567.89 €"},
		{domain.MaxCents, "10 000 000 000.00 €"},
		{-1234567, "-12 345.67 €"},
		{math.MinInt64, "-92 233 720 368 547 758.08 €"},
		{math.MaxInt64, "92 233 720 368 547 758.07 €"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			if got := domain.FormatMoney(tt.in); got != tt.want {
				t.Fatalf("FormatMoney(%d) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDateTime(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load Europe/Paris: %v", err)
	}
	utc := func(y int, mo time.Month, d, h, mi int) time.Time { return time.Date(y, mo, d, h, mi, 0, 0, time.UTC) }
	tests := []struct {
		in      string
		loc     *time.Location
		want    time.Time
		wantErr string
	}{
		{"31/12/2025 14:30", time.UTC, utc(2025, 12, 31, 14, 30), ""},
		{"31/12/2025 14:30", paris, utc(2025, 12, 31, 13, 30), ""}, // CET = UTC+1
		{"01/07/2025 14:30", paris, utc(2025, 7, 1, 12, 30), ""},   // CEST = UTC+2
		{"1/7/2025 9:05", paris, utc(2025, 7, 1, 7, 5), ""},
		{"31/12/2025", paris, utc(2025, 12, 30, 23, 0), ""},
		{"2025-12-31T14:30", time.UTC, utc(2025, 12, 31, 14, 30), ""},
		{"2025-12-31 14:30", paris, utc(2025, 12, 31, 13, 30), ""},
		{"2025-12-31", time.UTC, utc(2025, 12, 31, 0, 0), ""},
		{"2025-12-31T14:30:00+05:00", paris, utc(2025, 12, 31, 9, 30), ""},
		{"2025-12-31T14:30:00Z", paris, utc(2025, 12, 31, 14, 30), ""},
		{"  31/12/2025 14:30  ", time.UTC, utc(2025, 12, 31, 14, 30), ""},
		{"", time.UTC, time.Time{}, "enter a date"},
		{"31/02/2025", time.UTC, time.Time{}, "use a date like"},
		{"12/31/2025", time.UTC, time.Time{}, "use a date like"},
		{"31/12/2025 25:00", time.UTC, time.Time{}, "use a date like"},
		{"31/12/25", time.UTC, time.Time{}, "use a date like"},
		{"tomorrow", time.UTC, time.Time{}, "use a date like"},
		{"31/12/2025 14:30 extra", time.UTC, time.Time{}, "use a date like"},
		{"31/12/0025 14:30", time.UTC, time.Time{}, "between 1900 and 2999"},
		{"9999-01-01", time.UTC, time.Time{}, "between 1900 and 2999"},
	}
	for _, tt := range tests {
		t.Run(tt.in+"/"+tt.loc.String(), func(t *testing.T) {
			t.Parallel()
			got, err := domain.ParseDateTime(tt.in, tt.loc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDateTime(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseDateTime(%q) = %v, %v; want %v in UTC", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestFormatDateTime(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatalf("load Europe/Paris: %v", err)
	}
	at := time.Date(2025, 7, 1, 12, 30, 59, 0, time.UTC)
	if got, want := domain.FormatDateTime(at, paris), "01/07/2025 14:30"; got != want {
		t.Fatalf("FormatDateTime in Paris = %q, want %q", got, want)
	}
	if got, want := domain.FormatDateTime(at, time.UTC), "01/07/2025 12:30"; got != want {
		t.Fatalf("FormatDateTime in UTC = %q, want %q", got, want)
	}
	back, err := domain.ParseDateTime(domain.FormatDateTime(at, paris), paris)
	if err != nil || !back.Equal(at.Truncate(time.Minute)) {
		t.Fatalf("round trip = %v, %v; want %v", back, err, at.Truncate(time.Minute))
	}
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{"alice@example.com", "alice@example.com", ""},
		{"  Alice.Martin@Example.FR ", "alice.martin@example.fr", ""},
		{"a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk", ""},
		{"o'neil@x-y.example.com", "o'neil@x-y.example.com", ""},
		{"élodie@exemple.fr", "élodie@exemple.fr", ""},
		{"", "", "enter an email"},
		{"alice", "", "exactly one @"},
		{"alice@@example.com", "", "exactly one @"},
		{"a@b@example.com", "", "exactly one @"},
		{"alice@example", "", "full domain"},
		{"@example.com", "", "name@example.com"},
		{"alice@", "", "full domain"},
		{"al ice@example.com", "", "name@example.com"},
		{"alice@exa mple.com", "", "name@example.com"},
		{"alice\x1b[2J@example.com", "", "name@example.com"},
		{"alice\u0085@example.com", "", "name@example.com"},
		{"alice@example.com\x00", "", "name@example.com"},
		{".alice@example.com", "", "name@example.com"},
		{"alice.@example.com", "", "name@example.com"},
		{"al..ice@example.com", "", "name@example.com"},
		{"alice@example..com", "", "name@example.com"},
		{"alice@.example.com", "", "name@example.com"},
		{"alice@-example.com", "", "name@example.com"},
		{"alice@example-.com", "", "name@example.com"},
		{"alice@example.c", "", "name@example.com"},
		{"alice@example.123", "", "name@example.com"},
		{"alice@[127.0.0.1]", "", "name@example.com"},
		{`"alice"@example.com`, "", "name@example.com"},
		{"alice<x>@example.com", "", "name@example.com"},
		{"alice@exa_mple.com", "", "name@example.com"},
		{"\xff@example.com", "", "name@example.com"},
		{strings.Repeat("a", 65) + "@example.com", "", "at most 64 characters before the @"},
		// Too long is said first, whatever else is wrong (the 299th
		// character is no reason to speak of the domain).
		{strings.Repeat("a", 252) + "@example.com", "", "use at most 254 characters (this one has 264)"},
		{strings.Repeat("b", 299), "", "use at most 254 characters (this one has 299)"},
		{strings.Repeat("é", 200) + "@example.com", "", "accented letters count as two"},
		{strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 60) + ".com", "", "at most 254"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizeEmail(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizeEmail(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizeEmail(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestNormalizePhone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  string
	}{
		{"0123456789", "0123456789", ""},
		{"+33 1 23 45 67 89", "+33 1 23 45 67 89", ""},
		{"  +33  (0)1 23.45-67-89 ", "+33 (0)1 23.45-67-89", ""},
		{"01\u00a023\u202f45 67 89", "01 23 45 67 89", ""},
		{"123456", "123456", ""},
		{"12345678901234567890", "12345678901234567890", ""},
		{"", "", "enter a phone number"},
		{"   ", "", "enter a phone number"},
		{"12345", "", "6 to 20 digits"},
		{"123456789012345678901", "", "6 to 20 digits"},
		{"+ - . ( )", "", "6 to 20 digits"},
		{"01 23 45 67 89 ext 2", "", "only digits"},
		{"01\t23 45 67 89", "", "only digits"},
		{"01 23\x1b[2J 45 67 89", "", "only digits"},
		{"01 23 45 67 89+", "", "only at the start"},
		{"++33 1 23 45 67 89", "", "only at the start"},
		{"(01 (23) 45 67 89", "", "before opening another"},
		{"01) 23 45 67 89", "", "open a parenthesis"},
		{"(01 23 45 67 89", "", "close the parenthesis"},
		{"０１２３４５６７", "", "only digits"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := domain.NormalizePhone(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("NormalizePhone(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        string
		multiline bool
		want      string
		wantErr   string
	}{
		{"plain", "Soirée de lancement", false, "Soirée de lancement", ""},
		{"trimmed", "  Acme  \u00a0", false, "Acme", ""},
		{"empty", "   ", false, "", ""},
		{"emoji and CJK", "Fête 🎉 東京", false, "Fête 🎉 東京", ""},
		{"multiline keeps newline and tab", "  line 1\n\tline 2\n", true, "line 1\n\tline 2", ""},
		{"multiline CRLF", "a\r\nb", true, "a\nb", ""},
		{"newline in single line", "a\nb", false, "", "on one line"},
		{"tab in single line", "a\tb", false, "", "on one line"},
		{"ESC", "a\x1b[31mred", false, "", "position 2 (ESC)"},
		{"ESC multiline", "ok\n\x1b]0;title\x07", true, "", "(ESC)"},
		{"NUL", "a\x00b", true, "", "U+0000"},
		{"BEL", "\a", false, "", "U+0007"},
		{"lone CR", "a\rb", true, "", "U+000D"},
		{"backspace", "abc\b\b\bxyz", false, "", "U+0008"},
		{"DEL", "a\x7fb", false, "", "U+007F"},
		{"C1 CSI", "a\u009b31mb", false, "", "U+009B"},
		{"C1 NEL", "a\u0085b", true, "", "U+0085"},
		{"bidi override", "invoice\u202etxt.exe", false, "", "U+202E"},
		{"bidi isolate", "a\u2066b", false, "", "U+2066"},
		{"invalid UTF-8", "a\xffb", false, "", "not valid UTF-8"},
		{"raw C1 byte", "a\x9bb", false, "", "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := domain.CleanText(tt.in, tt.multiline)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("CleanText(%q, %v) = %q, %v; want error containing %q", tt.in, tt.multiline, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("CleanText(%q, %v) = %q, %v; want %q", tt.in, tt.multiline, got, err, tt.want)
			}
		})
	}
}

func TestStripControl(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Acme", "Acme"},
		{"Fête 🎉", "Fête 🎉"},
		{"a\x1b[2Jb", "a[2Jb"},
		{"a\nb\tc", "a b c"},
		{"a\u009b31mb", "a31mb"},
		{"a\x7f\x00\rb", "ab"},
		{"a\xffb", "a\uFFFDb"},
		{"x\u202ey", "xy"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			if got := domain.StripControl(tt.in); got != tt.want {
				t.Fatalf("StripControl(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
