package store

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLikePattern: the search text becomes a LIKE pattern (for
// lower(column) LIKE ? ESCAPE '\') that matches the text itself as a
// substring and nothing wilder: every %, _ and \ typed is escaped, the
// only wildcards are the two around it.
func FuzzLikePattern(f *testing.F) {
	for _, s := range []string{"", "alice", "Alice Martin", "Chloé", "100%", "a_b", `back\slash`, `\%_`, "EE-0042", "ÉLODIE", "İ", "%%", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if !utf8.ValidString(text) {
			t.Skip("search text is cleaned to valid UTF-8 before it gets here")
		}
		p := likePattern(text)
		if !strings.HasPrefix(p, "%") || !strings.HasSuffix(p, "%") || len(p) < 2 {
			t.Fatalf("likePattern(%q) = %q: not wrapped in %%", text, p)
		}
		inner := p[1 : len(p)-1]
		var b strings.Builder
		for i := 0; i < len(inner); i++ {
			switch c := inner[i]; c {
			case '\\':
				if i+1 == len(inner) || !strings.ContainsRune(`%_\`, rune(inner[i+1])) {
					t.Fatalf("likePattern(%q) = %q: a lone escape at %d", text, p, i)
				}
				i++
				b.WriteByte(inner[i])
			case '%', '_':
				t.Fatalf("likePattern(%q) = %q: an unescaped wildcard at %d", text, p, i)
			default:
				b.WriteByte(c)
			}
		}
		if got, want := b.String(), strings.ToLower(text); got != want {
			t.Fatalf("likePattern(%q) unescapes to %q, want %q", text, got, want)
		}
	})
}
