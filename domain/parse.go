package domain

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxAttendees is the most attendees an event may have: far above any
// real event, far below what every database's integer column holds.
const MaxAttendees = 1_000_000

// ParseAttendees reads a number of attendees: ASCII digits, with spaces
// (also no-break and thin ones) between groups allowed, from 0 to
// MaxAttendees. "" is 0. Anything else is refused with a sentence saying
// what to type.
func ParseAttendees(s string) (int, error) {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case isGroupSpace(r):
		case r == '-' || r == '\u2212':
			return 0, errors.New("enter zero or more attendees")
		default:
			return 0, errors.New("enter a whole number of attendees, like 120")
		}
	}
	digits := strings.TrimLeft(b.String(), "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits) > 7 {
		return 0, errAttendeesMax
	}
	n, err := strconv.Atoi(digits)
	if err != nil || n > MaxAttendees {
		return 0, errAttendeesMax
	}
	return n, nil
}

var errAttendeesMax = errors.New("enter at most 1 000 000 attendees")

// MaxCents is the largest amount ParseMoney accepts: 10 000 000 000.00 €.
// It keeps every sum of a few thousand contracts far from int64 overflow.
const MaxCents int64 = 1_000_000_000_000

// Money errors: user-facing sentences, so services can put them on a field.
var (
	errMoneyEmpty     = errors.New("enter an amount, like 1234.50")
	errMoneyNegative  = errors.New("enter the amount without a minus sign, like 1234.50")
	errMoneyDecimals  = errors.New("use at most two decimals, like 1234.50")
	errMoneyGrouping  = errors.New("group thousands by three digits with spaces, like 1 234 567.50")
	errMoneyTooLarge  = errors.New("enter an amount of at most 10 000 000 000.00 €")
	errMoneySyntax    = errors.New("use digits with at most two decimals, like 1234.50 or 1 234,50 €")
	errMoneyTwoPoints = errors.New("use one decimal separator (. or ,) and spaces between thousands, like 1 234.50")
)

// isGroupSpace reports the characters accepted between thousands: a space,
// a no-break space, a thin space and a narrow no-break space (what French
// locales and spreadsheets paste).
func isGroupSpace(r rune) bool {
	return r == ' ' || r == '\u00a0' || r == '\u2009' || r == '\u202f'
}

func trimGroupSpace(s string) string {
	return strings.TrimFunc(s, isGroupSpace)
}

// ParseMoney reads an amount in euros and returns it in cents. It accepts
// "1234", "1234.5", "1234.50", "1 234,50", "12 345.67 €": ASCII digits,
// "." or "," as the decimal separator with at most two decimals, spaces
// (also no-break and thin spaces) between groups of three digits, and an
// optional trailing "€". Anything else — a sign, letters, a second
// separator, a misplaced group — is refused with a sentence saying what to
// type. The result is between 0 and MaxCents.
func ParseMoney(s string) (int64, error) {
	s = strings.TrimSpace(trimGroupSpace(s))
	if rest, ok := strings.CutSuffix(s, "€"); ok {
		s = strings.TrimSpace(trimGroupSpace(rest))
	}
	if s == "" {
		return 0, errMoneyEmpty
	}
	if s[0] == '-' || strings.HasPrefix(s, "\u2212") {
		return 0, errMoneyNegative
	}

	intPart, frac := s, ""
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		intPart, frac = s[:i], s[i+1:]
		if strings.ContainsAny(frac, ".,") {
			return 0, errMoneyTwoPoints
		}
		if frac == "" {
			return 0, errMoneySyntax
		}
		for _, r := range frac {
			if r < '0' || r > '9' {
				return 0, errMoneySyntax
			}
		}
		if len(frac) > 2 {
			return 0, errMoneyDecimals
		}
	}

	digits, err := moneyDigits(intPart)
	if err != nil {
		return 0, err
	}
	digits = strings.TrimLeft(digits, "0")
	// 10 000 000 000 € has 11 digits; anything longer is too large without
	// risking overflow in the arithmetic below.
	if len(digits) > 11 {
		return 0, errMoneyTooLarge
	}
	var euros int64
	if digits != "" {
		euros, err = strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return 0, errMoneySyntax
		}
	}
	var cents int64
	switch len(frac) {
	case 1:
		cents = int64(frac[0]-'0') * 10
	case 2:
		cents = int64(frac[0]-'0')*10 + int64(frac[1]-'0')
	}
	total := euros*100 + cents
	if total > MaxCents {
		return 0, errMoneyTooLarge
	}
	return total, nil
}

// moneyDigits checks the integer part of an amount and returns its digits
// without the group separators: either plain digits, or groups of three
// after a first group of one to three digits.
func moneyDigits(s string) (string, error) {
	if s == "" {
		return "", errMoneySyntax
	}
	var groups []string
	start := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case isGroupSpace(r):
			groups = append(groups, s[start:i])
			start = i + utf8.RuneLen(r)
		default:
			return "", errMoneySyntax
		}
	}
	groups = append(groups, s[start:])
	if len(groups) == 1 {
		return groups[0], nil
	}
	for i, g := range groups {
		if g == "" || len(g) > 3 || (i > 0 && len(g) != 3) {
			return "", errMoneyGrouping
		}
	}
	return strings.Join(groups, ""), nil
}

// FormatMoney shows cents as euros the way the spec writes them:
// "12 345.67 €", with a plain space between thousands and a minus sign in
// front of a negative amount (a difference, never a stored amount).
func FormatMoney(cents int64) string {
	neg := cents < 0
	u := uint64(cents)
	if neg {
		u = -u // two's complement: correct even for math.MinInt64
	}
	euros := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := range len(euros) {
		if i > 0 && (len(euros)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteByte(euros[i])
	}
	rest := u % 100
	b.WriteByte('.')
	b.WriteByte(byte('0' + rest/10))
	b.WriteByte(byte('0' + rest%10))
	b.WriteString(" €")
	return b.String()
}

// Date layouts accepted by ParseDateTime, in the user's time zone. The
// day-first French layouts come first; "2/1/2006" also reads "02/01/2006".
var localLayouts = []string{
	"2/1/2006 15:04",
	"2/1/2006 15:04:05",
	"2/1/2006",
	"2006-01-02T15:04",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

var errDate = errors.New("use a date like 31/12/2025 14:30 (or 31/12/2025, or 2025-12-31 14:30)")

// ParseDateTime reads a date and time typed in loc (time.Local when nil)
// and returns it in UTC: "31/12/2025 14:30", "31/12/2025" (midnight),
// "2025-12-31T14:30", "2025-12-31 14:30", "2025-12-31", or RFC 3339 with
// its own offset. Years outside 1900–2999 are refused as typing mistakes.
func ParseDateTime(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.Local
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errors.New("enter a date like 31/12/2025 14:30")
	}
	var (
		t   time.Time
		err error
		ok  bool
	)
	for _, layout := range localLayouts {
		if t, err = time.ParseInLocation(layout, s, loc); err == nil {
			ok = true
			break
		}
	}
	if !ok {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return time.Time{}, errDate
		}
	}
	if y := t.Year(); y < 1900 || y > 2999 {
		return time.Time{}, errors.New("enter a year between 1900 and 2999")
	}
	return t.UTC(), nil
}

// FormatDateTime shows t in loc (time.Local when nil) as "02/01/2006 15:04";
// ParseDateTime reads it back to the same minute.
func FormatDateTime(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.Local
	}
	return t.In(loc).Format("02/01/2006 15:04")
}

var errEmail = errors.New("enter an email address like name@example.com")

// NormalizeEmail trims and lower-cases an email address and checks it
// strictly: one "@", a local part of at most 64 characters made of letters,
// digits and !#$%&'*+/=?^_`{|}~.- (no leading, trailing or double dot), a
// domain of dot-separated labels of letters, digits and inner hyphens with
// at least one dot, a top-level label of two or more letters, and 254
// bytes at most in all. Quoted local parts and IP literals are refused:
// nobody types them into a CRM.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("enter an email address")
	}
	if !utf8.ValidString(s) {
		return "", errEmail
	}
	s = strings.ToLower(s)
	// Length first: a long address is refused for its length, whatever
	// else is wrong with it.
	if n := utf8.RuneCountInString(s); n > 254 {
		return "", errors.New("use at most 254 characters (this one has " + strconv.Itoa(n) + ")")
	} else if len(s) > 254 {
		return "", errors.New("use at most 254 characters (accented letters count as two)")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", errors.New("enter an email address with exactly one @, like name@example.com")
	}
	if len(local) > 64 {
		return "", errors.New("use at most 64 characters before the @")
	}
	if local == "" || local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return "", errEmail
	}
	for _, r := range local {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("!#$%&'*+/=?^_`{|}~.-", r)) {
			return "", errEmail
		}
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return "", errors.New("enter the full domain after the @, like name@example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", errEmail
		}
		for _, r := range l {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return "", errEmail
			}
		}
	}
	tld := labels[len(labels)-1]
	if utf8.RuneCountInString(tld) < 2 {
		return "", errEmail
	}
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return "", errEmail
		}
	}
	return s, nil
}

// NormalizePhone checks a phone number — digits, spaces, "+ - . ( )", with
// 6 to 20 digits, "+" only in front, parentheses paired and not nested —
// and returns it trimmed with every run of spaces (also no-break and thin
// spaces) turned into one space. An empty string is refused; a service
// whose phone is optional skips the call for "".
func NormalizePhone(s string) (string, error) {
	s = strings.TrimFunc(s, func(r rune) bool { return isGroupSpace(r) || unicode.IsSpace(r) })
	if s == "" {
		return "", errors.New("enter a phone number, like +33 1 23 45 67 89")
	}
	var b strings.Builder
	digits, open, space := 0, false, false
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case isGroupSpace(r):
			space = true
			continue
		case r == '+':
			if i != 0 {
				return "", errors.New("put the + only at the start of the phone number, like +33 1 23 45 67 89")
			}
		case r == '(':
			if open {
				return "", errors.New("close each parenthesis in the phone number before opening another")
			}
			open = true
		case r == ')':
			if !open {
				return "", errors.New("open a parenthesis before closing it in the phone number")
			}
			open = false
		case r == '-' || r == '.':
		default:
			return "", errors.New("use only digits, spaces and + - . ( ) in the phone number")
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if open {
		return "", errors.New("close the parenthesis in the phone number")
	}
	if digits < 6 || digits > 20 {
		return "", errors.New("enter a phone number with 6 to 20 digits")
	}
	return b.String(), nil
}

// isControl reports the characters no stored text may hold: C0 (including
// ESC), DEL and C1, which drive terminals, and the bidirectional override
// and isolate marks, which make text display differently from what it is.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) ||
		(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// CleanText checks user-typed text before it is stored and returns it
// trimmed. It refuses invalid UTF-8 and every control character: C0
// (including ESC, so no escape sequence), DEL, C1 and bidirectional
// overrides; a multi-line text may hold newlines and tabs ("\r\n" is read
// as "\n"), a single-line one neither. An empty result is returned as "";
// refusing an empty required field is the caller's job.
func CleanText(s string, multiline bool) (string, error) {
	if !utf8.ValidString(s) {
		return "", errors.New("the text is not valid UTF-8: retype it instead of pasting it")
	}
	if multiline {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	pos := 0
	for _, r := range s {
		pos++
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if isControl(r) {
			if r == '\n' || r == '\t' {
				return "", errors.New("write this on one line, without tabs or line breaks")
			}
			return "", errors.New("remove the invisible control character at position " + strconv.Itoa(pos) +
				" (" + runeName(r) + "): escape codes and other control characters are not allowed")
		}
	}
	return strings.TrimSpace(s), nil
}

func runeName(r rune) string {
	if r == 0x1b {
		return "ESC"
	}
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	return "U+" + strings.Repeat("0", max(0, 4-len(h))) + h
}

// StripControl makes text read from the database safe to draw on a
// terminal, whatever wrote it: invalid UTF-8 becomes U+FFFD, newlines and
// tabs become spaces, and every other control character (C0, DEL, C1,
// bidirectional overrides) is dropped. Render a multi-line note by
// splitting it on "\n" first and stripping each line.
func StripControl(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || isControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '\n' || r == '\t':
			b.WriteByte(' ')
		case isControl(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
