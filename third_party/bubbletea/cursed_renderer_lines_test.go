package tea

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/vt"
)

// linePool mixes lines that can be redrawn alone with every kind that
// cannot: an SGR left open, a reset in the middle, an open hyperlink, a
// leading combining mark, other escape sequences, wide and too-long text.
// The first linesAlone can be drawn alone (when the pen enters reset).
const linesAlone = 13

var linePool = []string{
	"",
	"plain text",
	"plain text, longer than the screen is wide: it is truncated at the edge",
	"\x1b[1;38;5;12mName\x1b[m  \x1b[2mcell\x1b[m",
	"\x1b[7m selected row \x1b[m",
	"\x1b[31mred left open",
	"\x1b[32mgreen\x1b[0m then plain",
	"\x1b[4:3mcurly\x1b[m",
	"\x1b[1mbold\x1b[22m bold off but not reset",
	"\x1b]8;;https://example.com\x1b\\link\x1b]8;;\x1b\\ after",
	"日本語のテキスト ✓ wide",
	"tab\there",
	"\x1b[38;2;255;0;0mtrue colour\x1b[m",
	"€ accents éàü",
	"\x1b]8;;https://example.com\x07open link",
	"\u0301combining first",
	"\x1b[2Kerase line",
}

// TestChangedLinesMatchWholeFrames renders the same random frames with
// and without the line cache and compares, after every frame, the cell
// buffers and what a terminal emulator fed each output shows.
func TestChangedLinesMatchWholeFrames(t *testing.T) {
	const w, h = 40, 12
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			var outFast, outFull bytes.Buffer
			env := []string{"TERM=xterm-256color"}
			fast, full := newCursedRenderer(&outFast, env, w, h), newCursedRenderer(&outFull, env, w, h)
			fast.start()
			full.start()
			termFast, termFull := vt.NewEmulator(w, h), vt.NewEmulator(w, h)
			var lines []string
			cached := 0
			pick := func() string {
				if rng.IntN(20) == 0 {
					return linePool[rng.IntN(len(linePool))]
				}
				return linePool[rng.IntN(linesAlone)]
			}
			for frame := range 300 {
				// Most frames change a line or two of the last one, as a key
				// press does; some are new screens.
				if frame == 0 || rng.IntN(10) == 0 {
					lines = make([]string, rng.IntN(h+4))
					for i := range lines {
						lines[i] = pick()
					}
				} else {
					for range 1 + rng.IntN(3) {
						if len(lines) == 0 || rng.IntN(8) == 0 {
							lines = append(lines, pick())
							continue
						}
						if rng.IntN(8) == 0 {
							lines = lines[:len(lines)-1]
							continue
						}
						lines[rng.IntN(len(lines))] = pick()
					}
				}
				v := NewView(strings.Join(lines, "\n"))
				v.AltScreen = true
				if fast.drawn != nil {
					cached++
				}
				full.drawn = nil
				for _, r := range []*cursedRenderer{fast, full} {
					r.render(v)
					if err := r.flush(false); err != nil {
						t.Fatal(err)
					}
				}
				for y := range h {
					for x := range w {
						a, b := fast.cellbuf.CellAt(x, y), full.cellbuf.CellAt(x, y)
						if !cellEqualOrBothEmpty(a, b) {
							t.Fatalf("frame %d: cell %d,%d is %#v with the line cache, %#v without\nframe:\n%q",
								frame, x, y, a, b, lines)
						}
					}
				}
				_, _ = termFast.Write(outFast.Bytes())
				_, _ = termFull.Write(outFull.Bytes())
				outFast.Reset()
				outFull.Reset()
				if got, want := termFast.Render(), termFull.Render(); got != want {
					t.Fatalf("frame %d: the terminal shows\n%s\nwith the line cache, and without it\n%s\nframe:\n%q",
						frame, got, want, lines)
				}
			}
			if cached < 90 {
				t.Errorf("the line cache was usable for %d frames of 300: the test does not exercise it", cached)
			}
		})
	}
}

func cellEqualOrBothEmpty(a, b *uv.Cell) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b)
}

// BenchmarkFlushKeyPress is one key press in a 100x30 list: the selected
// row moves down one line, so two lines change. "whole" is the frame
// drawn whole, as before the line cache.
func BenchmarkFlushKeyPress(b *testing.B) {
	const w, h = 100, 30
	rows := make([]string, h)
	for i := range rows {
		rows[i] = fmt.Sprintf("\x1b[1m%4d\x1b[m  \x1b[38;5;245mClient name %-20d\x1b[m  company %-12d  \x1b[2m01/12/2026\x1b[m", i, i*7, i*3)
	}
	frames := make([]string, 2)
	for k := range frames {
		lines := append([]string(nil), rows...)
		sel := 5 + k
		lines[sel] = "\x1b[7m" + strings.ReplaceAll(rows[sel], "\x1b[m", "\x1b[m\x1b[7m") + "\x1b[m"
		frames[k] = strings.Join(lines, "\n")
	}
	for _, whole := range []bool{false, true} {
		name := "changed-lines"
		if whole {
			name = "whole"
		}
		b.Run(name, func(b *testing.B) {
			r := newCursedRenderer(io.Discard, []string{"TERM=xterm-256color"}, w, h)
			r.start()
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				if whole {
					r.drawn = nil
				}
				v := NewView(frames[i%2])
				v.AltScreen = true
				r.render(v)
				if err := r.flush(false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
