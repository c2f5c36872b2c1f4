package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// column describes one table column. A column is as wide as its widest
// cell among the loaded rows (its title included), between min and max.
type column struct {
	title string
	min   int  // width it never goes below while shown
	max   int  // width its content may claim (0 = no cap)
	grow  int  // share of the width left once every column has its content (0 = none)
	prio  int  // 0 = always shown; when the content does not fit, the highest prio drops first
	right bool // right-aligned (numbers, money)
}

// table is the list component of every main list. It is built for speed
// (bubbles' table re-styles every cell of every frame): each row is
// rendered once to a plain padded line and cached until its data or the
// width changes; only the visible rows are written and only the selected
// one is styled. All cell text goes through domain.StripControl.
type table struct {
	st     *styles
	cols   []column
	rows   [][]string
	width  int
	height int // lines including the header

	cursor, offset int

	shown  []int // indexes into cols
	widths []int // width of each shown column
	// natural is the widest cell of each column among the rows (title
	// included); it only grows until SetRows, so columns do not shrink
	// while scrolling.
	natural []int
	header  string
	lines   []string // cached plain lines; "" = not rendered yet
	sel     string   // cached styled line of the selected row
	selIdx  int      // row index sel was rendered for (-1 = none)
	empty   string   // shown when there are no rows
}

func newTable(st *styles, cols []column) table {
	return table{st: st, cols: cols, selIdx: -1, empty: "nothing here"}
}

// SetStyles changes the styles (background or colour setting changed).
func (t *table) SetStyles(st *styles) {
	t.st = st
	t.header = "" // restyle even when the widths stay
	t.layout()
}

// SetSize sets the table's width and height (header included).
func (t *table) SetSize(w, h int) {
	if w == t.width && h == t.height {
		return
	}
	t.width, t.height = w, max(h, 1)
	t.layout()
	t.clamp()
}

// SetRows replaces every row; the cursor stays at its index when possible.
func (t *table) SetRows(rows [][]string) {
	t.rows = rows
	t.lines = make([]string, len(rows), max(len(rows), 64))
	t.selIdx = -1
	t.natural = nil
	t.measure(rows)
	t.layout()
	t.clamp()
}

// AppendRows adds rows at the end (the next page); cached lines are kept
// unless the new rows widen a column.
func (t *table) AppendRows(rows [][]string) {
	t.rows = append(t.rows, rows...)
	for range rows {
		t.lines = append(t.lines, "")
	}
	if t.measure(rows) {
		t.layout()
	}
}

// PrependRows adds rows at the start (the page before); the selection and
// the view stay on the same rows.
func (t *table) PrependRows(rows [][]string) {
	n := len(rows)
	t.rows = append(append(make([][]string, 0, n+len(t.rows)), rows...), t.rows...)
	t.lines = append(make([]string, n, n+len(t.lines)), t.lines...)
	t.cursor += n
	t.offset += n
	if t.selIdx >= 0 {
		t.selIdx += n
	}
	if t.measure(rows) {
		t.layout()
	}
	t.clamp()
}

// measure widens natural to rows' cells; it reports whether a column got
// wider, so that the layout changes.
func (t *table) measure(rows [][]string) bool {
	if len(t.natural) != len(t.cols) {
		t.natural = make([]int, len(t.cols))
		for i, c := range t.cols {
			t.natural[i] = ansi.StringWidth(c.title)
		}
	}
	wider := false
	for _, r := range rows {
		for i := 0; i < len(r) && i < len(t.cols); i++ {
			if w := ansi.StringWidth(domain.StripControl(r[i])); w > t.natural[i] {
				t.natural[i], wider = w, true
			}
		}
	}
	return wider
}

// SetRow replaces row i and drops its cached line.
func (t *table) SetRow(i int, row []string) {
	if i < 0 || i >= len(t.rows) {
		return
	}
	t.rows[i] = row
	t.lines[i] = ""
	if t.selIdx == i {
		t.selIdx = -1
	}
	if t.measure([][]string{row}) {
		t.layout()
	}
}

// RemoveRow deletes row i; the cursor stays at the same index, which is now
// the next row.
func (t *table) RemoveRow(i int) {
	if i < 0 || i >= len(t.rows) {
		return
	}
	t.rows = append(t.rows[:i], t.rows[i+1:]...)
	t.lines = append(t.lines[:i], t.lines[i+1:]...)
	t.selIdx = -1
	t.clamp()
}

// Len is the number of rows.
func (t *table) Len() int { return len(t.rows) }

// Cursor is the selected row index (0 when empty).
func (t *table) Cursor() int { return t.cursor }

// SetCursor selects row i (clamped).
func (t *table) SetCursor(i int) {
	t.cursor = i
	t.clamp()
}

// Move moves the selection by n rows (negative = up).
func (t *table) Move(n int) { t.SetCursor(t.cursor + n) }

// Page is the number of rows visible at once.
func (t *table) Page() int { return max(t.height-1, 1) }

func (t *table) clamp() {
	n := len(t.rows)
	if t.cursor >= n {
		t.cursor = n - 1
	}
	if t.cursor < 0 {
		t.cursor = 0
	}
	page := t.Page()
	if t.cursor < t.offset {
		t.offset = t.cursor
	}
	if t.cursor >= t.offset+page {
		t.offset = t.cursor - page + 1
	}
	if t.offset > max(n-page, 0) {
		t.offset = max(n-page, 0)
	}
}

// layout picks the columns that fit and their widths, then drops the
// cache if they changed. Each column wants its content's width (natural,
// between min and max); while the wanted widths do not fit, the column of
// the highest prio drops out, so that low-priority columns go before a
// high-priority one is cut; what still does not fit is cut from the
// lowest-priority columns first, never below min; width left over goes to
// the columns that grow.
func (t *table) layout() {
	if len(t.natural) != len(t.cols) {
		t.measure(nil)
	}
	oldShown, oldWidths := slices.Clone(t.shown), slices.Clone(t.widths)
	t.shown = t.shown[:0]
	for i := range t.cols {
		t.shown = append(t.shown, i)
	}
	want := func(i int) int {
		c := t.cols[i]
		w := t.natural[i]
		if c.max > 0 {
			w = min(w, c.max)
		}
		return max(w, c.min)
	}
	sum := func(width func(int) int) int {
		w := 0
		for _, i := range t.shown {
			w += width(i)
		}
		return w + len(t.shown) - 1 // one space between columns
	}
	for sum(want) > t.width {
		drop := -1
		for k, i := range t.shown {
			if t.cols[i].prio > 0 && (drop < 0 || t.cols[i].prio >= t.cols[t.shown[drop]].prio) {
				drop = k
			}
		}
		if drop < 0 {
			break
		}
		t.shown = append(t.shown[:drop], t.shown[drop+1:]...)
	}
	t.widths = t.widths[:0]
	for _, i := range t.shown {
		t.widths = append(t.widths, want(i))
	}
	if over := sum(want) - t.width; over > 0 {
		t.cut(over)
	} else if spare := -over; spare > 0 {
		t.spread(spare)
	}
	if slices.Equal(oldShown, t.shown) && slices.Equal(oldWidths, t.widths) && len(t.lines) == len(t.rows) && t.header != "" {
		return
	}
	hdr := make([]string, len(t.cols))
	for i, c := range t.cols {
		hdr[i] = c.title
	}
	t.header = t.st.Header.Render(t.renderLine(hdr))
	t.lines = make([]string, len(t.rows), max(len(t.rows), 64))
	t.selIdx = -1
}

// cut narrows the shown columns by over cells, the lowest-priority ones
// first (prio 0 last), none below its min.
func (t *table) cut(over int) {
	order := make([]int, len(t.shown))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(a, b int) int { return t.cols[t.shown[b]].prio - t.cols[t.shown[a]].prio })
	for _, k := range order {
		take := min(over, t.widths[k]-t.cols[t.shown[k]].min)
		if take > 0 {
			t.widths[k] -= take
			over -= take
		}
		if over == 0 {
			return
		}
	}
}

// spread hands spare cells to the growing columns, by their grow share
// (none growing, renderLine pads the line).
func (t *table) spread(spare int) {
	grow := 0
	for _, i := range t.shown {
		grow += t.cols[i].grow
	}
	if grow == 0 {
		return
	}
	given, last := 0, -1
	for k, i := range t.shown {
		if g := t.cols[i].grow; g > 0 {
			add := spare * g / grow
			t.widths[k] += add
			given += add
			last = k
		}
	}
	t.widths[last] += spare - given
}

// renderLine pads or truncates each shown cell to its width and pads the
// line to the table width.
func (t *table) renderLine(cells []string) string {
	var b strings.Builder
	b.Grow(t.width + 8)
	used := 0
	for k, i := range t.shown {
		if k > 0 {
			b.WriteByte(' ')
			used++
		}
		w := t.widths[k]
		cell := ""
		if i < len(cells) {
			cell = domain.StripControl(cells[i])
		}
		cw := ansi.StringWidth(cell)
		if cw > w {
			cell = ansi.Truncate(cell, w, "…")
			cw = ansi.StringWidth(cell)
		}
		pad := w - cw
		if t.cols[i].right {
			b.WriteString(strings.Repeat(" ", pad))
			b.WriteString(cell)
		} else {
			b.WriteString(cell)
			b.WriteString(strings.Repeat(" ", pad))
		}
		used += w
	}
	if used < t.width {
		b.WriteString(strings.Repeat(" ", t.width-used))
	}
	return b.String()
}

func (t *table) line(i int) string {
	if t.lines[i] == "" {
		t.lines[i] = t.renderLine(t.rows[i])
	}
	return t.lines[i]
}

// View renders the header and the visible rows, exactly height lines.
func (t *table) View() string {
	var b strings.Builder
	b.Grow((t.width + 1) * (t.height + 1) * 2)
	b.WriteString(t.header)
	page := t.Page()
	if len(t.rows) == 0 {
		b.WriteByte('\n')
		b.WriteString(t.st.Dim.Render(t.empty))
		page--
	}
	end := min(t.offset+page, len(t.rows))
	for i := t.offset; i < end; i++ {
		b.WriteByte('\n')
		if i == t.cursor {
			if t.selIdx != i {
				t.sel = t.st.Selected.Render(t.line(i))
				t.selIdx = i
			}
			b.WriteString(t.sel)
		} else {
			b.WriteString(t.line(i))
		}
	}
	for i := end - t.offset; i < page; i++ {
		b.WriteByte('\n')
	}
	return b.String()
}
