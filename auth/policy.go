package auth

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/epic-events/crm/domain"
)

// Password length bounds (runes), SPEC §4.
const (
	MinPasswordLen = 15
	MaxPasswordLen = 128
)

//go:embed common-passwords.txt
var commonPasswordsFile string

// commonPasswords holds every listed password; commonWords the entries of
// four characters or more, used to spot passwords glued from them.
var commonPasswords, commonWords, maxWordLen = loadCommon(commonPasswordsFile)

func loadCommon(file string) (all map[string]struct{}, words map[string]struct{}, maxLen int) {
	all, words = map[string]struct{}{}, map[string]struct{}{}
	for line := range strings.SplitSeq(file, "\n") {
		line = strings.ToLower(strings.TrimSpace(line))
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		all[line] = struct{}{}
		if n := len(line); n >= 4 && !strings.ContainsRune(line, ' ') {
			words[line] = struct{}{}
			maxLen = max(maxLen, n)
		}
	}
	return all, words, maxLen
}

// Keyboard rows, alphabet and digit runs (QWERTY and the French AZERTY):
// three characters or more taken from one of them, either way, cost an
// attacker nothing.
var sequences = func() []string {
	base := []string{
		"abcdefghijklmnopqrstuvwxyz", "01234567890", "!@#$%^&*()_+",
		"qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qsdfghjklm", "wxcvbn",
		"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p", "1q2w3e4r5t6y7u8i9o0p", "qazwsxedcrfvtgbyhnujmikolp",
		"1a2z3e4r5t6y7u8i9o0p", "&é\"'(-è_çà)=",
	}
	out := make([]string, 0, 2*len(base))
	for _, s := range base {
		r := []rune(s)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		out = append(out, s, string(r))
	}
	return out
}()

// Check applies the password policy of SPEC §4 to a new password: 15 to
// 128 characters, printable, not in the common-password list (also once
// "l33t" substitutions are undone), not a repetition, a keyboard or
// alphabet run, or two common passwords glued with digits and symbols, and
// not the email address or its local part. It returns a
// *domain.ValidationError on field "password" whose message says what to do.
func (h *Hasher) Check(password, email string) error {
	return CheckPassword(password, email)
}

// CheckPassword is Hasher.Check without a Hasher, for the command line.
func CheckPassword(password, email string) error {
	if msg := passwordProblem(password, email); msg != "" {
		return domain.Invalid("password", msg)
	}
	return nil
}

func passwordProblem(password, email string) string {
	if !utf8.ValidString(password) {
		return "the password is not valid text: type it again"
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return "use at least 15 characters: a few unrelated words make a long password that is easy to remember"
	}
	if n > MaxPasswordLen {
		return "use at most 128 characters"
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return "use only printable characters (letters, digits, spaces and symbols) in the password"
		}
	}
	lower := strings.ToLower(password)
	if email = strings.ToLower(strings.TrimSpace(email)); email != "" {
		local, _, _ := strings.Cut(email, "@")
		if strings.Contains(lower, email) || (utf8.RuneCountInString(local) >= 3 && strings.Contains(lower, local)) {
			return "do not use your email address or its name part in the password"
		}
	}
	squashed := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' {
			return -1
		}
		return r
	}, lower)
	for _, v := range []string{lower, squashed, unleet(squashed, 'i'), unleet(squashed, 'l')} {
		if _, ok := commonPasswords[v]; ok {
			return "this password is in lists of common passwords that attackers try first: choose another one, for example a few unrelated words"
		}
	}
	if distinct(lower) < 5 {
		return "use more different characters: this password repeats too few of them"
	}
	if isRepetition(squashed) {
		return "do not repeat a shorter password: choose a longer one, for example a few unrelated words"
	}
	for _, v := range []string{squashed, unleet(squashed, 'i'), unleet(squashed, 'l')} {
		if guessCost(v) <= 2 {
			return "this password is made of common passwords, keyboard runs or digits that attackers try first: choose another one, for example a few unrelated words"
		}
	}
	return ""
}

// unleet undoes common character substitutions ("p@ssw0rd"); one stands
// for i or l as asked.
func unleet(s string, one rune) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '@', '4':
			return 'a'
		case '3':
			return 'e'
		case '1':
			return one
		case '0':
			return 'o'
		case '$', '5':
			return 's'
		case '7', '+':
			return 't'
		case '8':
			return 'b'
		}
		return r
	}, s)
}

func distinct(s string) int {
	seen := map[rune]struct{}{}
	for _, r := range s {
		seen[r] = struct{}{}
	}
	return len(seen)
}

// isRepetition reports whether s is a shorter string written twice or more.
func isRepetition(s string) bool {
	r := []rune(s)
	for unit := 1; unit <= len(r)/2; unit++ {
		if len(r)%unit != 0 {
			continue
		}
		same := true
		for i := unit; i < len(r) && same; i++ {
			same = r[i] == r[i-unit]
		}
		if same {
			return true
		}
	}
	return false
}

// guessCost estimates how many "hard" pieces an attacker combining a
// common-password list with keyboard runs and short numbers must guess:
// the cheapest split of s into common words (cost 1 each), runs of three
// or more from a keyboard row or the alphabet, one character repeated
// three times or more, whole numbers of up to four digits and whole runs
// of up to three symbols (free), and any other
// character (cost 3, so one unexpected character already makes the
// password acceptable).
func guessCost(s string) int {
	r := []rune(s)
	n := len(r)
	const inf = 1 << 30
	best := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = inf
	}
	relax := func(from, to, cost int) {
		if best[from]+cost < best[to] {
			best[to] = best[from] + cost
		}
	}
	for i := 0; i < n; i++ {
		if best[i] == inf {
			continue
		}
		relax(i, i+1, 3)
		// The same character three times or more ("!!!", "0000").
		for j := i + 1; j < n && r[j] == r[i]; j++ {
			if j-i >= 2 {
				relax(i, j+1, 0)
			}
		}
		// A whole number of up to four digits (a year, "123") or a whole
		// run of up to three symbols: what people tack on.
		if i == 0 || kind(r[i-1]) != kind(r[i]) {
			j := i
			for j < n && kind(r[j]) == kind(r[i]) {
				j++
			}
			if k := kind(r[i]); (k == kindDigit && j-i <= 4) || (k == kindSymbol && j-i <= 3) {
				relax(i, j, 0)
			}
		}
		for j := i + 4; j <= n && j-i <= maxWordLen; j++ {
			if _, ok := commonWords[string(r[i:j])]; ok {
				relax(i, j, 1)
			}
		}
		for j := i + 3; j <= n; j++ {
			if !inSequence(string(r[i:j])) {
				break
			}
			relax(i, j, 0)
		}
	}
	return best[n]
}

const (
	kindLetter = iota
	kindDigit
	kindSymbol
)

func kind(r rune) int {
	switch {
	case r >= '0' && r <= '9':
		return kindDigit
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		return kindLetter
	}
	return kindSymbol
}

func inSequence(s string) bool {
	for _, seq := range sequences {
		if strings.Contains(seq, s) {
			return true
		}
	}
	return false
}
