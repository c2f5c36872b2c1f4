package tui

import (
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// detailLine is one line of a detail page; a line with a kind opens that
// record with enter (a client's contract, a contract's event…).
type detailLine struct {
	text string // already styled
	kind string // "client", "contract", "event" or ""
	id   int64
}

// detailPage is the scrollable body the three detail screens share: a
// cursor moves over the lines (so related records can be opened with
// enter), the view follows it.
type detailPage struct {
	e       *env
	lines   []detailLine
	cursor  int
	offset  int
	w, h    int
	loading bool
	keys    struct{ Up, Down, PageUp, PageDown, Home, End, Open, Reload key.Binding }
}

func newDetailPage(e *env) detailPage {
	d := detailPage{e: e, loading: true}
	lk := newListKeys()
	d.keys.Up, d.keys.Down, d.keys.PageUp, d.keys.PageDown = lk.Up, lk.Down, lk.PageUp, lk.PageDown
	d.keys.Home, d.keys.End, d.keys.Reload = lk.Home, lk.End, lk.Reload
	d.keys.Open = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open related"))
	return d
}

// setLines replaces the content, keeping the cursor where it was.
func (d *detailPage) setLines(lines []detailLine) {
	d.lines = lines
	d.loading = false
	d.cursor = min(d.cursor, max(len(lines)-1, 0))
}

// selected returns the link under the cursor, if any.
func (d *detailPage) selected() (detailLine, bool) {
	if d.cursor < len(d.lines) && d.lines[d.cursor].kind != "" {
		return d.lines[d.cursor], true
	}
	return detailLine{}, false
}

// move handles the movement keys; ok is false for other keys.
func (d *detailPage) move(k keyString) bool {
	page := max(d.h-1, 1)
	switch {
	case key.Matches(k, d.keys.Up):
		d.cursor--
	case key.Matches(k, d.keys.Down):
		d.cursor++
	case key.Matches(k, d.keys.PageUp):
		d.cursor -= page
	case key.Matches(k, d.keys.PageDown):
		d.cursor += page
	case key.Matches(k, d.keys.Home):
		d.cursor = 0
	case key.Matches(k, d.keys.End):
		d.cursor = len(d.lines) - 1
	default:
		return false
	}
	d.cursor = max(min(d.cursor, len(d.lines)-1), 0)
	return true
}

// open returns the command opening the related record under the cursor.
func (d *detailPage) open() tea.Cmd {
	l, ok := d.selected()
	if !ok {
		return nil
	}
	switch l.kind {
	case "client":
		return push(newClientDetail(d.e, l.id))
	case "contract":
		return push(newContractDetail(d.e, l.id))
	case "event":
		return push(newEventDetail(d.e, l.id))
	}
	return nil
}

// navigation lists the movement keys for the full help.
func (d *detailPage) navigation() []key.Binding {
	return []key.Binding{d.keys.Up, d.keys.Down, d.keys.PageUp, d.keys.PageDown, d.keys.Home, d.keys.End}
}

// view renders the lines around the cursor, exactly w×h. A line wider
// than the window wraps (continuation rows indented under the value), so
// that every value is shown in full.
func (d *detailPage) view() string {
	if d.loading && len(d.lines) == 0 {
		return fit(d.e.st.Dim.Render("loading…"), d.w, d.h)
	}
	rows := make([][]string, len(d.lines)) // wrapped rows, built as needed
	rowsOf := func(i int) []string {
		if rows[i] == nil {
			rows[i] = d.wrap(d.lines[i].text)
		}
		return rows[i]
	}
	span := func(from, to int) int { // rows of lines from..to
		n := 0
		for i := from; i <= to && i < len(d.lines); i++ {
			n += len(rowsOf(i))
		}
		return n
	}
	d.offset = max(min(d.offset, len(d.lines)-1), 0)
	if d.cursor < d.offset {
		d.offset = d.cursor
	}
	for d.offset < d.cursor && span(d.offset, d.cursor) > d.h {
		d.offset++
	}
	for d.offset > 0 && span(d.offset-1, len(d.lines)-1) <= d.h {
		d.offset--
	}
	var b strings.Builder
	n := 0
	for i := d.offset; i < len(d.lines) && n < d.h; i++ {
		for _, row := range rowsOf(i) {
			if n == d.h {
				break
			}
			if n > 0 {
				b.WriteByte('\n')
			}
			if i == d.cursor {
				plain := ansi.Strip(row)
				row = d.e.st.Selected.Render(plain + strings.Repeat(" ", max(d.w-ansi.StringWidth(plain), 0)))
			}
			b.WriteString(row)
			n++
		}
	}
	return fit(b.String(), d.w, d.h)
}

// wrap splits a line wider than the window into rows; rows after the
// first are indented to the value column when the window is wide enough.
func (d *detailPage) wrap(text string) []string {
	if ansi.StringWidth(text) <= d.w || d.w < 10 {
		return []string{text}
	}
	indent := 0
	if d.w >= labelWidth+20 {
		indent = labelWidth
	}
	rows := strings.Split(ansi.Wrap(text, d.w-indent, ""), "\n")
	for k := 1; k < len(rows); k++ {
		rows[k] = strings.Repeat(" ", indent) + strings.TrimLeft(rows[k], " ")
	}
	return rows
}

// --- building the lines ---------------------------------------------------

// detailBuilder collects the lines of a detail page.
type detailBuilder struct {
	e     *env
	lines []detailLine
}

func (b *detailBuilder) add(text string) { b.lines = append(b.lines, detailLine{text: text}) }

func (b *detailBuilder) link(kind string, id int64, text string) {
	b.lines = append(b.lines, detailLine{text: text, kind: kind, id: id})
}

func (b *detailBuilder) title(s string) { b.add(b.e.st.Title.Render(domain.StripControl(s))) }

func (b *detailBuilder) section(s string) {
	b.add("")
	b.add(b.e.st.Title.Render(s))
}

// field adds "Label        value".
func (b *detailBuilder) field(label, value string) {
	if value == "" {
		value = b.e.st.Dim.Render("—")
	} else {
		value = domain.StripControl(value)
	}
	b.add(b.e.st.Label.Render(padRight(label, labelWidth)) + value)
}

// dim adds a secondary line.
func (b *detailBuilder) dim(s string) { b.add(b.e.st.Dim.Render(s)) }

// history adds the audit entries, newest first, one line each plus one
// line per changed field.
func (b *detailBuilder) history(entries []domain.AuditEntry) {
	b.section("History")
	if len(entries) == 0 {
		b.dim("nothing recorded yet")
		return
	}
	for _, h := range entries {
		who := h.ActorName
		if who == "" {
			who = "system"
		}
		b.add(b.e.fmtTime(h.At) + "  " + domain.StripControl(who) + "  " + b.e.st.Value.Render(domain.StripControl(h.Action)))
		for _, c := range h.Changes {
			b.dim("    " + changeText(b.e, c))
		}
	}
}

// changeText shows one field change: "email: a@x → b@x".
func changeText(e *env, c domain.Change) string {
	old, nw := changeValue(e, c.Old), changeValue(e, c.New)
	switch {
	case old == "":
		return c.Field + ": " + nw
	case nw == "":
		return c.Field + ": " + old + " → (removed)"
	}
	return c.Field + ": " + old + " → " + nw
}

// changeValue shows a recorded value safely on one line; a time (the
// audit keeps them as RFC 3339 in UTC) is shown in the user's zone and
// the app's format, like every other time on screen.
func changeValue(e *env, s string) string {
	if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
		return e.fmtTime(t)
	}
	return domain.StripControl(oneLine(s))
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r", " "), "\n", " ⏎ ")
}

func padRight(s string, w int) string {
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 1))
}

func idText(id int64) string { return "#" + strconv.FormatInt(id, 10) }

// contractLine is a one-line summary of a contract.
func contractLine(c domain.Contract) string {
	return padRight(idText(c.ID), 7) + padRight(string(c.Status), 8) + "total " + domain.FormatMoney(c.TotalCents) +
		" · remaining " + domain.FormatMoney(c.RemainingCents)
}

// eventLine is a one-line summary of an event.
func eventLine(e *env, ev domain.Event) string {
	support := ev.SupportContactName
	if ev.SupportContactID == nil {
		support = "no support"
	}
	return padRight(idText(ev.ID), 7) + domain.StripControl(ev.Name) + " · " + e.fmtTime(ev.Start) + " · " +
		string(ev.Status) + " · " + domain.StripControl(support)
}
