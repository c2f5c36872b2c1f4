package tui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// pageSize is how many rows a list asks for at a time.
const pageSize = 100

// searchDelay debounces the incremental search.
const searchDelay = 250 * time.Millisecond

// listSpec describes a resource list for listModel.
type listSpec[T any] struct {
	resource string // key of domain.ListFilters / ListSorts
	title    string
	columns  []column
	row      func(e *env, item T) []string
	id       func(item T) int64
	load     func(svc *domain.Services, sess *domain.Session, q domain.ListQuery) (domain.Page[T], error)
	// filters limits domain.ListFilters[resource] to those meaningful for
	// the role (nil = all).
	filters func(r domain.Role) []string
	// open opens a record's detail by id (the `:` jump); nil when the list
	// has no detail screen.
	open func(e *env, id int64) tea.Cmd
}

var listIDs atomic.Int64

// pageMode is where a loaded page goes in the list's window of rows.
type pageMode int

const (
	pageFirst pageMode = iota // the list's first rows replace the window
	pageLast                  // the list's last rows replace the window
	pageNext                  // the rows after the window, appended
	pagePrev                  // the rows before the window, prepended
)

// pageMsg carries one loaded page back to the list that asked for it.
type pageMsg[T any] struct {
	list   int64
	gen    int
	page   domain.Page[T]
	mode   pageMode
	keepID int64 // select this record after a reload (0 = keep the index)
	err    error
}

type searchTickMsg struct {
	list int64
	seq  int
}

type retryMsg struct {
	list int64
	gen  int
}

// listModel is the shared machinery of the main lists: a table, keyset
// pages loaded in the background as the selection nears either end of the
// loaded rows, home/end to the list's true ends, search, filters, sorts,
// reload keeping the selection, the `:` jump. Screens embed one and handle
// their own keys (enter, n, e, d, …) around it.
//
// The loaded rows (items) always hold one end of the list: its first rows
// (then more are appended as the selection goes down) or, after end, its
// last rows (more are prepended as it goes up). So a row's position is
// known exactly from the top, or from the end and the list's total.
type listModel[T any] struct {
	e    *env
	spec listSpec[T]
	id   int64
	keys listKeys

	items   []T
	next    string // cursor of the rows after items ("" = items reach the end)
	prev    string // cursor of the rows before items ("" = items start the list)
	fromEnd bool   // items are the list's last rows (loaded by end)
	tbl     table
	// total counts the whole list (filter and search applied), estimated
	// on large lists (exact false); counted is false until known.
	total          int64
	exact, counted bool
	// pending is the rest of a pgup/pgdn that went past the loaded rows,
	// applied when the next page arrives.
	pending int

	filters []string
	filter  int
	sorts   []string
	sort    int

	search    textinput.Model
	searching bool
	searchSeq int

	jump    textinput.Model // the `:` field: a record number
	jumping bool

	loading bool
	loaded  bool
	gen     int
	spin    spinner.Model

	w, h     int
	header   string
	headerOK bool // header (all of it) is up to date
	posOK    bool // its position part is (scrolling only clears this)
	// headTitle and headTail are the rendered parts around the position.
	headTitle, headTail string

	live listLive // changes made by anyone (list_live.go)
}

func newListModel[T any](e *env, spec listSpec[T]) *listModel[T] {
	l := &listModel[T]{e: e, spec: spec, id: listIDs.Add(1), keys: newListKeys()}
	l.tbl = newTable(e.st, spec.columns)
	l.filters = domain.ListFilters[spec.resource]
	if spec.filters != nil {
		l.filters = spec.filters(e.actor.Role)
	}
	l.sorts = domain.ListSorts[spec.resource]
	l.search = newSteadyInput("/", "search names, emails, company")
	l.jump = newSteadyInput("go to #", "record number")
	l.spin = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	return l
}

// SetSize sizes the header line and the table below it.
func (l *listModel[T]) SetSize(w, h int) {
	l.w, l.h = w, h
	if l.tbl.st != l.e.st {
		l.tbl.SetStyles(l.e.st)
	}
	l.tbl.SetSize(w, h-1)
	l.search.SetWidth(max(w/3, 20))
	l.jump.SetWidth(20)
	l.headerOK = false
}

// Selected returns the selected item.
func (l *listModel[T]) Selected() (T, bool) {
	var zero T
	if len(l.items) == 0 {
		return zero, false
	}
	return l.items[l.tbl.Cursor()], true
}

// Capturing reports whether the search or jump field has the keys.
func (l *listModel[T]) Capturing() bool { return l.searching || l.jumping }

// query builds the list query from the current search, filter and sort.
func (l *listModel[T]) query() domain.ListQuery {
	q := domain.ListQuery{Search: strings.TrimSpace(l.search.Value()), Limit: pageSize}
	if len(l.filters) > 0 {
		q.Filter = l.filters[l.filter]
	}
	if len(l.sorts) > 0 {
		q.Sort = l.sorts[l.sort]
		q.Desc = newestFirst[q.Sort]
	}
	return q
}

// newestFirst are the sorts shown in descending order, as a CRM user
// expects: the latest records and the biggest amounts on top; names, start
// dates and employee numbers read ascending.
var newestFirst = map[string]bool{
	domain.SortCreated: true, domain.SortUpdated: true,
	domain.SortTotal: true, domain.SortRemain: true,
}

// sortLabel names the current sort with its direction.
func (l *listModel[T]) sortLabel() string {
	q := l.query()
	if q.Desc {
		return q.Sort + " ↓"
	}
	return q.Sort
}

// Reload loads the list's end that is loaded (the first rows, or the last
// ones after end) again, with its total, and keeps the selected record
// selected (or selects keepID when not 0).
func (l *listModel[T]) Reload(keepID int64) tea.Cmd {
	if keepID == 0 {
		if it, ok := l.Selected(); ok {
			keepID = l.spec.id(it)
		}
	}
	q := l.query()
	if n := len(l.items); n > q.Limit && l.loaded {
		q.Limit = min(n, 500) // keep what was scrolled through
	}
	mode := pageFirst
	if l.fromEnd {
		mode = pageLast
	}
	return l.fetchEnd(q, mode, keepID)
}

// fetchEnd loads one end of the list afresh (filter, search or sort
// changed, home, end, reload), with the list's total.
func (l *listModel[T]) fetchEnd(q domain.ListQuery, mode pageMode, keepID int64) tea.Cmd {
	q.Count, q.Last = true, mode == pageLast
	l.pending = 0
	return l.fetch(q, mode, keepID)
}

// loadMore loads the rows after the loaded ones.
func (l *listModel[T]) loadMore() tea.Cmd {
	if l.loading || l.next == "" {
		return nil
	}
	q := l.query()
	q.After = l.next
	return l.fetch(q, pageNext, 0)
}

// loadPrev loads the rows before the loaded ones.
func (l *listModel[T]) loadPrev() tea.Cmd {
	if l.loading || l.prev == "" {
		return nil
	}
	q := l.query()
	q.Before = l.prev
	return l.fetch(q, pagePrev, 0)
}

func (l *listModel[T]) fetch(q domain.ListQuery, mode pageMode, keepID int64) tea.Cmd {
	l.gen++
	l.loading = true
	l.headerOK = false
	list, gen, svc, sess, load := l.id, l.gen, l.e.svc, l.e.sess, l.spec.load
	call := func() tea.Msg {
		page, err := load(svc, sess, q)
		return pageMsg[T]{list: list, gen: gen, page: page, mode: mode, keepID: keepID, err: err}
	}
	return tea.Batch(call, l.spin.Tick)
}

// nearEdge loads the next (or previous) rows when the selection is within
// a screen of the last (or first) loaded row.
func (l *listModel[T]) nearEdge() tea.Cmd {
	margin := max(l.tbl.Page(), 20)
	if l.next != "" && l.tbl.Cursor() >= len(l.items)-margin {
		return l.loadMore()
	}
	if l.prev != "" && l.tbl.Cursor() < margin {
		return l.loadPrev()
	}
	return nil
}

// move moves the selection by n rows; what goes past the loaded rows
// waits for the rows being loaded.
func (l *listModel[T]) move(n int) tea.Cmd {
	target := l.tbl.Cursor() + l.pending + n
	offset := l.tbl.offset
	l.tbl.SetCursor(target)
	rest := target - l.tbl.Cursor()
	l.pending = 0
	if rest > 0 && l.next != "" || rest < 0 && l.prev != "" {
		l.pending = rest
	}
	if l.tbl.offset != offset { // the header's "first–last" changed
		l.posOK = false
	}
	return l.nearEdge()
}

// home selects the list's first row, loading it when the loaded rows are
// the list's last ones.
func (l *listModel[T]) home() tea.Cmd {
	l.pending = 0
	l.headerOK = false
	if l.prev == "" {
		l.tbl.SetCursor(0)
		return l.nearEdge()
	}
	return l.fetchEnd(l.query(), pageFirst, 0)
}

// end selects the list's last row, loading the list from its end when it
// is not loaded.
func (l *listModel[T]) end() tea.Cmd {
	l.pending = 0
	l.headerOK = false
	if l.next == "" {
		l.tbl.SetCursor(len(l.items) - 1)
		return l.nearEdge()
	}
	return l.fetchEnd(l.query(), pageLast, 0)
}

// Update handles list keys and list messages; handled is false for
// anything the screen should handle itself.
func (l *listModel[T]) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case pageMsg[T]:
		if msg.list != l.id || msg.gen != l.gen {
			return nil, msg.list == l.id
		}
		if l.live.gen == msg.gen && (msg.mode == pageFirst || msg.mode == pageLast) {
			return l.applyLivePage(msg), true
		}
		return l.applyPage(msg), true
	case changesMsg:
		return l.onChanges(msg), true
	case spinner.TickMsg:
		if msg.ID != l.spin.ID() || !l.loading {
			return nil, msg.ID == l.spin.ID()
		}
		l.spin, cmd = l.spin.Update(msg)
		l.headerOK = false
		return cmd, true
	case searchTickMsg:
		if msg.list == l.id && msg.seq == l.searchSeq {
			return l.fetchEnd(l.query(), pageFirst, 0), true
		}
		return nil, msg.list == l.id
	case retryMsg:
		if msg.list == l.id && msg.gen == l.gen {
			return l.Reload(0), true
		}
		return nil, msg.list == l.id
	case focusMsg:
		// A savedMsg handled just before has already started a reload that
		// selects the saved record: a second one would select the old row.
		if (!l.loaded || l.live.stale) && !l.loading {
			return l.Reload(0), false
		}
		return nil, false
	case tea.PasteMsg:
		if l.searching {
			return l.searchEdit(msg), true
		}
		if l.jumping {
			return l.jumpEdit(msg), true
		}
		return nil, false
	case tea.KeyPressMsg:
		if l.searching {
			return l.searchKey(msg), true
		}
		if l.jumping {
			return l.jumpKey(msg), true
		}
		return l.key(keyString(msg.String()))
	}
	return nil, false
}

func (l *listModel[T]) applyPage(msg pageMsg[T]) tea.Cmd {
	l.loading = false
	l.headerOK = false
	if msg.err != nil {
		if errors.Is(msg.err, domain.ErrUnavailable) {
			list, gen := l.id, l.gen
			return tea.Batch(reportError("load "+l.spec.title, msg.err),
				l.e.tick(3*time.Second, func(time.Time) tea.Msg { return retryMsg{list, gen} }))
		}
		return reportError("load "+l.spec.title, msg.err)
	}
	p := msg.page
	rows := make([][]string, len(p.Items))
	for i, it := range p.Items {
		rows[i] = l.spec.row(l.e, it)
	}
	switch msg.mode {
	case pageNext:
		l.next = p.Next
		l.items = append(l.items, p.Items...)
		l.tbl.AppendRows(rows)
	case pagePrev:
		l.prev = p.Prev
		l.items = append(append(make([]T, 0, len(p.Items)+len(l.items)), p.Items...), l.items...)
		l.tbl.PrependRows(rows)
	default:
		l.loaded = true
		l.next, l.prev, l.fromEnd = p.Next, p.Prev, msg.mode == pageLast
		l.total, l.exact, l.counted = p.Total, p.Exact, true
		l.items = p.Items
		l.tbl.SetRows(rows)
		l.place(msg)
	}
	l.settle()
	if msg.mode == pageNext && l.pending > 0 || msg.mode == pagePrev && l.pending < 0 {
		return l.move(0)
	}
	return l.nearEdge()
}

// place puts the selection after a fresh end of the list: on keepID if
// loaded, else the first row (or, from the end, the last one), or the same
// index on a reload.
func (l *listModel[T]) place(msg pageMsg[T]) {
	if msg.keepID != 0 {
		for i, it := range l.items {
			if l.spec.id(it) == msg.keepID {
				l.tbl.SetCursor(i)
				return
			}
		}
		return // a reload: the record left the list, the index stays
	}
	if msg.mode == pageLast {
		l.tbl.SetCursor(len(l.items) - 1)
	} else {
		l.tbl.SetCursor(0)
	}
}

// settle notes what the loaded rows tell about the list: holding both ends,
// they are the whole list (exact total, positions from the top).
func (l *listModel[T]) settle() {
	if l.next == "" && l.prev == "" {
		l.fromEnd = false
		l.total, l.exact, l.counted = int64(len(l.items)), true, true
	}
}

func (l *listModel[T]) key(k keyString) (tea.Cmd, bool) {
	keys := &l.keys
	switch {
	case key.Matches(k, keys.Up):
		return l.move(-1), true
	case key.Matches(k, keys.Down):
		return l.move(1), true
	case key.Matches(k, keys.PageUp):
		return l.move(-l.tbl.Page()), true
	case key.Matches(k, keys.PageDown):
		return l.move(l.tbl.Page()), true
	case key.Matches(k, keys.Home):
		return l.home(), true
	case key.Matches(k, keys.End):
		return l.end(), true
	case key.Matches(k, keys.Search):
		l.searching = true
		l.headerOK = false
		l.search.CursorEnd()
		return l.search.Focus(), true
	case key.Matches(k, keys.ClearSearch) && l.search.Value() != "":
		l.search.SetValue("")
		l.headerOK = false
		return tea.Batch(info("search cleared"), l.fetchEnd(l.query(), pageFirst, 0)), true
	case key.Matches(k, keys.Jump) && l.spec.open != nil:
		l.jumping = true
		l.headerOK = false
		l.jump.SetValue("")
		return l.jump.Focus(), true
	case key.Matches(k, keys.Filter):
		if len(l.filters) < 2 {
			return nil, true
		}
		l.filter = (l.filter + 1) % len(l.filters)
		return l.fetchEnd(l.query(), pageFirst, 0), true
	case key.Matches(k, keys.Sort):
		if len(l.sorts) < 2 {
			return nil, true
		}
		l.sort = (l.sort + 1) % len(l.sorts)
		var keep int64
		if it, ok := l.Selected(); ok {
			keep = l.spec.id(it)
		}
		return l.fetchEnd(l.query(), pageFirst, keep), true
	case key.Matches(k, keys.Reload):
		return l.Reload(0), true
	}
	return nil, false
}

// searchKey edits the search; every change reloads after a short pause.
func (l *listModel[T]) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "enter", "down", "up":
		l.searching = false
		l.search.Blur()
		l.headerOK = false
		return nil
	case "esc":
		l.searching = false
		l.search.Blur()
		l.headerOK = false
		if l.search.Value() == "" {
			return nil
		}
		l.search.SetValue("")
		return l.fetchEnd(l.query(), pageFirst, 0)
	}
	return l.searchEdit(msg)
}

// searchEdit gives a key or a paste to the search field.
func (l *listModel[T]) searchEdit(msg tea.Msg) tea.Cmd {
	before := l.search.Value()
	var (
		cmd     tea.Cmd
		problem string
	)
	l.search, cmd, problem = updateInput(l.search, msg)
	l.headerOK = false
	if problem != "" {
		return msgCmd(statusMsg{text: fieldMessage("search", problem), err: true})
	}
	if l.search.Value() == before {
		return cmd
	}
	l.searchSeq++
	list, seq := l.id, l.searchSeq
	return tea.Batch(cmd, l.e.tick(searchDelay, func(time.Time) tea.Msg { return searchTickMsg{list, seq} }))
}

// filterName is the label of the current filter.
func (l *listModel[T]) filterName() string {
	if len(l.filters) == 0 || l.filters[l.filter] == domain.FilterAll {
		return "all"
	}
	return filterLabels[l.filters[l.filter]]
}

var filterLabels = map[string]string{
	domain.FilterMine:       "mine",
	domain.FilterUnsigned:   "unsigned",
	domain.FilterUnpaid:     "not fully paid",
	domain.FilterUpcoming:   "upcoming",
	domain.FilterPast:       "past",
	domain.FilterUnassigned: "without support",
	domain.FilterActive:     "active",
	domain.FilterInactive:   "inactive",
}

// headerView is the line above the table: title, where the selection is
// ("1 201–1 230 of ≈ 100 000"), filter, sort, the active search (or its
// field) and the spinner while a page loads. Cached between changes.
func (l *listModel[T]) headerView() string {
	if l.headerOK && l.posOK {
		return l.header
	}
	st := l.e.st
	if !l.headerOK {
		l.headTitle, l.headTail = st.Title.Render(l.spec.title), l.tail()
	}
	// Scrolling changes only the position: the rest is kept rendered.
	pos := l.position()
	var b strings.Builder
	b.Grow(len(l.headTitle) + len(pos) + len(l.headTail) + 32)
	b.WriteString(l.headTitle)
	b.WriteString(st.Dim.Render("  " + pos))
	if l.loading {
		b.WriteString(" " + l.spin.View())
	}
	b.WriteString(l.headTail)
	l.header = fit(b.String(), l.w, 1)
	l.headerOK, l.posOK = true, true
	return l.header
}

// tail is the header after the position: filter, sort, search.
func (l *listModel[T]) tail() string {
	st := l.e.st
	var b strings.Builder
	b.WriteString(st.Dim.Render(fmt.Sprintf("  filter: %s · sort: %s", l.filterName(), l.sortLabel())))
	switch {
	case l.jumping:
		b.WriteString("  ")
		b.WriteString(l.jump.View())
	case l.searching:
		b.WriteString("  ")
		b.WriteString(l.search.View())
	case l.search.Value() != "":
		b.WriteString(st.Dim.Render(" · search: "))
		b.WriteString(st.Value.Render(domain.StripControl(l.search.Value())))
		b.WriteString(st.Dim.Render(" (esc clears)"))
	}
	return b.String()
}

// position says which rows are on screen and how many there are:
// "1 201–1 230 of ≈ 100 000". From the end of a list whose total is an
// estimate, the positions are estimates too.
func (l *listModel[T]) position() string {
	n := len(l.items)
	if n == 0 {
		if l.loaded && !l.loading {
			return "0 rows"
		}
		return ""
	}
	first := l.tbl.offset
	last := min(first+l.tbl.Page(), n) - 1
	if !l.counted {
		more := ""
		if l.next != "" {
			more = "+"
		}
		return fmt.Sprintf("%s–%s of %s%s", groupDigits(int64(first+1)), groupDigits(int64(last+1)), groupDigits(int64(n)), more)
	}
	about := ""
	if !l.exact {
		about = "≈ "
	}
	base, posAbout := int64(0), ""
	if l.fromEnd {
		base, posAbout = max(l.total-int64(n), 0), about
	}
	return fmt.Sprintf("%s%s–%s of %s%s", posAbout, groupDigits(base+int64(first+1)), groupDigits(base+int64(last+1)), about, groupDigits(l.total))
}

// groupDigits writes n with a space between thousands, as money is.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// jumpKey edits the `:` field; enter selects that record when it is loaded
// and opens its detail otherwise.
func (l *listModel[T]) jumpKey(msg tea.Msg) tea.Cmd {
	kp, _ := msg.(tea.KeyPressMsg)
	switch kp.String() {
	case "esc":
		l.jumping = false
		l.jump.Blur()
		l.headerOK = false
		return nil
	case "enter":
		l.jumping = false
		l.jump.Blur()
		l.headerOK = false
		text := strings.TrimPrefix(strings.TrimSpace(l.jump.Value()), "#")
		id, err := strconv.ParseInt(text, 10, 64)
		if err != nil || id <= 0 {
			return msgCmd(statusMsg{text: "type a record number, like 1234", err: true})
		}
		for i, it := range l.items {
			if l.spec.id(it) == id {
				l.tbl.SetCursor(i)
				l.pending = 0
				return l.nearEdge()
			}
		}
		return l.spec.open(l.e, id)
	}
	return l.jumpEdit(msg)
}

// jumpEdit gives a key or a paste to the `:` field (through the text
// guard: no control characters, no cut, no alt+d crash).
func (l *listModel[T]) jumpEdit(msg tea.Msg) tea.Cmd {
	var (
		cmd     tea.Cmd
		problem string
	)
	l.jump, cmd, problem = updateInput(l.jump, msg)
	l.headerOK = false
	if problem != "" {
		return msgCmd(statusMsg{text: fieldMessage("record number", problem), err: true})
	}
	return cmd
}

// View renders the header and the table.
func (l *listModel[T]) View() string {
	h := l.headerView()
	t := l.tbl.View()
	var b strings.Builder
	b.Grow(len(h) + len(t) + 1)
	b.WriteString(h)
	b.WriteByte('\n')
	b.WriteString(t)
	return b.String()
}

// replace updates the item with the same id in place (an edit, an
// assignment) or, when drop is true, removes it (it left the filter).
func (l *listModel[T]) replace(item T, drop bool) {
	id := l.spec.id(item)
	for i, it := range l.items {
		if l.spec.id(it) != id {
			continue
		}
		if drop {
			l.items = append(l.items[:i], l.items[i+1:]...)
			l.tbl.RemoveRow(i)
			if l.counted && l.total > 0 {
				l.total-- // the header's "of N" follows
			}
			l.settle()
		} else {
			l.items[i] = item
			l.tbl.SetRow(i, l.spec.row(l.e, item))
		}
		l.headerOK = false
		return
	}
}
