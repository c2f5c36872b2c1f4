package tea

// Redrawing only the lines that changed.
//
// flush used to clear the whole cell buffer and parse the whole frame into
// it on every frame, so every line was touched, hashed and compared with
// the screen even when a key press changed two lines of thirty. On the
// alternate screen the frame always covers the whole buffer, so when a
// line's source text is the same as in the last frame, and both frames
// reach that line with the pen reset, the line's cells are the same: it is
// left alone, untouched, and the terminal renderer skips it.
//
// A line is drawn alone only when that gives the cells a whole-frame draw
// would: it starts with the pen reset (the line before it ends with a
// full SGR reset, or has no escape sequence and starts reset itself) and
// carries nothing into the next line (no open hyperlink, no pass-through
// sequence waiting for a glyph, no combining mark that would join the
// line above). Anything else redraws the whole frame, as before.

import (
	"strings"
	"unicode"
	"unicode/utf8"

	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// drawnFrame is what the cell buffer holds: the source lines of the last
// frame drawn into it and, for each, whether it ends with the pen reset.
type drawnFrame struct {
	lines  []string
	closed []bool
	method ansi.Method
}

func newDrawnFrame(content string, method ansi.Method) *drawnFrame {
	if strings.Contains(content, "\r") {
		return nil
	}
	lines := strings.Split(content, "\n")
	d := &drawnFrame{lines: lines, closed: make([]bool, len(lines)), method: method}
	open := false
	for i, l := range lines {
		c, ok := lineEnds(l, open)
		if !ok {
			return nil
		}
		d.closed[i] = c
		open = !c
	}
	return d
}

// lineEnds reports whether line ends with the pen reset when it starts
// reset (open false) or not (open true), and ok false when the line cannot
// be drawn on its own at all.
func lineEnds(line string, open bool) (closed, ok bool) {
	if r, _ := utf8.DecodeRuneInString(line); r != utf8.RuneError && unicode.In(r, unicode.Mn, unicode.Me) {
		return false, false // would join the last cell of the line above
	}
	closed = !open
	for i := 0; i < len(line); {
		j := strings.IndexByte(line[i:], ansi.ESC)
		if j < 0 {
			break
		}
		i += j
		rest := line[i:]
		switch {
		case strings.HasPrefix(rest, "\x1b["):
			// Only SGR: parameters then 'm'.
			k := 2
			for k < len(rest) && (rest[k] >= '0' && rest[k] <= '9' || rest[k] == ';' || rest[k] == ':') {
				k++
			}
			if k >= len(rest) || rest[k] != 'm' {
				return false, false
			}
			params := rest[2:k]
			closed = params == "" || params == "0"
			i += k + 1
		case strings.HasPrefix(rest, "\x1b]8;"):
			// A hyperlink: only closed ones (an empty URI) end a line.
			end := strings.IndexAny(rest[4:], "\x07\x1b")
			if end < 0 {
				return false, false
			}
			end += 4
			if body := rest[4:end]; !strings.HasSuffix(body, ";") {
				return false, false // an open link carries into the next line
			}
			k := end + 1
			if rest[end] == ansi.ESC {
				if !strings.HasPrefix(rest[end:], "\x1b\\") {
					return false, false
				}
				k = end + 2
			}
			i += k
		default:
			return false, false
		}
	}
	return closed, true
}

// drawChangedLines draws into the cell buffer only the lines of content
// that differ from the last frame drawn, and reports false (nothing drawn)
// when the whole frame must be drawn instead.
func (s *cursedRenderer) drawChangedLines(content string) bool {
	d := s.drawn
	area := s.cellbuf.Bounds()
	if d == nil || d.method != s.cellbuf.Method || strings.Contains(content, "\r") ||
		area.Min.X != 0 || area.Min.Y != 0 || area.Dy() != s.height {
		return false
	}
	lines := strings.Split(content, "\n")
	closed := make([]bool, len(lines))
	redraw := make([]int, 0, 8)
	open := false // the pen state entering line y in this frame
	for y := range area.Dy() {
		inNew, inOld := y < len(lines), y < len(d.lines)
		switch {
		case !inNew && !inOld:
			continue // blank in both
		case !inNew:
			redraw = append(redraw, y) // blank now: cleared
			continue
		}
		line := lines[y]
		lastOpen := inOld && y > 0 && !d.closed[y-1] // the pen entering line y in the last frame
		if inOld && line == d.lines[y] && !open && !lastOpen {
			closed[y] = d.closed[y]
			open = !closed[y]
			continue
		}
		if open {
			return false
		}
		c, ok := lineEnds(line, false)
		if !ok {
			return false
		}
		closed[y] = c
		open = !c
		redraw = append(redraw, y)
	}
	// The terminal renderer marks every line as drawn-nothing after a frame
	// (a non-nil entry), and its scroll optimisation rehashes every line
	// with an entry. Lines not drawn this frame get none, so only the
	// lines drawn are hashed and compared. (After a scroll it repaints
	// every row the scroll moved, whatever the entries say.)
	for y, t := range s.cellbuf.Touched {
		if t != nil && t.FirstCell == -1 && t.LastCell == -1 {
			s.cellbuf.Touched[y] = nil
		}
	}
	for _, y := range redraw {
		line := ""
		if y < len(lines) {
			line = lines[y]
		}
		uv.NewStyledString(line).Draw(s.cellbuf, uv.Rect(0, y, area.Dx(), 1))
	}
	s.drawn = &drawnFrame{lines: lines, closed: closed, method: s.cellbuf.Method}
	return true
}
