package tui

import (
	"errors"
	"fmt"
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
}

var listIDs atomic.Int64

// pageMsg carries one loaded page back to the list that asked for it.
type pageMsg[T any] struct {
	list   int64
	gen    int
	page   domain.Page[T]
	append bool
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
// pages loaded in the background as the selection nears the end, search,
// filters, sorts, reload keeping the selection. Screens embed one and
// handle their own keys (enter, n, e, d, …) around it.
type listModel[T any] struct {
	e    *env
	spec listSpec[T]
	id   int64
	keys listKeys

	items []T
	next  string
	tbl   table

	filters []string
	filter  int
	sorts   []string
	sort    int

	search    textinput.Model
	searching bool
	searchSeq int

	loading bool
	loaded  bool
	gen     int
	spin    spinner.Model

	w, h     int
	header   string
	headerOK bool
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

// Capturing reports whether the search field has the keys.
func (l *listModel[T]) Capturing() bool { return l.searching }

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

// Reload loads the first page again and keeps the selected record
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
	return l.fetch(q, false, keepID)
}

func (l *listModel[T]) loadMore() tea.Cmd {
	if l.loading || l.next == "" {
		return nil
	}
	q := l.query()
	q.After = l.next
	return l.fetch(q, true, 0)
}

func (l *listModel[T]) fetch(q domain.ListQuery, appendPage bool, keepID int64) tea.Cmd {
	l.gen++
	l.loading = true
	l.headerOK = false
	list, gen, svc, sess, load := l.id, l.gen, l.e.svc, l.e.sess, l.spec.load
	call := func() tea.Msg {
		page, err := load(svc, sess, q)
		return pageMsg[T]{list: list, gen: gen, page: page, append: appendPage, keepID: keepID, err: err}
	}
	return tea.Batch(call, l.spin.Tick)
}

// nearEnd loads the next page when the selection is within a screen of
// the last loaded row.
func (l *listModel[T]) nearEnd() tea.Cmd {
	if l.tbl.Cursor() >= len(l.items)-max(l.tbl.Page(), 20) {
		return l.loadMore()
	}
	return nil
}

// Update handles list keys and list messages; handled is false for
// anything the screen should handle itself.
func (l *listModel[T]) Update(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	switch msg := msg.(type) {
	case pageMsg[T]:
		if msg.list != l.id || msg.gen != l.gen {
			return nil, msg.list == l.id
		}
		return l.applyPage(msg), true
	case spinner.TickMsg:
		if msg.ID != l.spin.ID() || !l.loading {
			return nil, msg.ID == l.spin.ID()
		}
		l.spin, cmd = l.spin.Update(msg)
		l.headerOK = false
		return cmd, true
	case searchTickMsg:
		if msg.list == l.id && msg.seq == l.searchSeq {
			return l.Reload(0), true
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
		if !l.loaded && !l.loading {
			return l.Reload(0), false
		}
		return nil, false
	case tea.KeyPressMsg:
		if l.searching {
			return l.searchKey(msg), true
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
	rows := make([][]string, len(msg.page.Items))
	for i, it := range msg.page.Items {
		rows[i] = l.spec.row(l.e, it)
	}
	l.next = msg.page.Next
	if msg.append {
		l.items = append(l.items, msg.page.Items...)
		l.tbl.AppendRows(rows)
		return l.nearEnd()
	}
	l.loaded = true
	l.items = msg.page.Items
	l.tbl.SetRows(rows)
	if msg.keepID != 0 {
		for i, it := range l.items {
			if l.spec.id(it) == msg.keepID {
				l.tbl.SetCursor(i)
				break
			}
		}
	}
	return l.nearEnd()
}

func (l *listModel[T]) key(k keyString) (tea.Cmd, bool) {
	keys := &l.keys
	switch {
	case key.Matches(k, keys.Up):
		l.tbl.Move(-1)
	case key.Matches(k, keys.Down):
		l.tbl.Move(1)
		return l.nearEnd(), true
	case key.Matches(k, keys.PageUp):
		l.tbl.Move(-l.tbl.Page())
	case key.Matches(k, keys.PageDown):
		l.tbl.Move(l.tbl.Page())
		return l.nearEnd(), true
	case key.Matches(k, keys.Home):
		l.tbl.SetCursor(0)
	case key.Matches(k, keys.End):
		l.tbl.SetCursor(len(l.items) - 1)
		return l.nearEnd(), true
	case key.Matches(k, keys.Search):
		l.searching = true
		l.headerOK = false
		return l.search.Focus(), true
	case key.Matches(k, keys.Filter):
		if len(l.filters) < 2 {
			return nil, true
		}
		l.filter = (l.filter + 1) % len(l.filters)
		l.tbl.SetCursor(0)
		return l.fetch(l.query(), false, 0), true
	case key.Matches(k, keys.Sort):
		if len(l.sorts) < 2 {
			return nil, true
		}
		l.sort = (l.sort + 1) % len(l.sorts)
		return l.Reload(0), true
	case key.Matches(k, keys.Reload):
		return l.Reload(0), true
	default:
		return nil, false
	}
	return nil, true
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
		return l.fetch(l.query(), false, 0)
	}
	before := l.search.Value()
	var cmd tea.Cmd
	l.search, cmd = l.search.Update(msg)
	l.headerOK = false
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

// headerView is the line above the table: title, filter, sort, search,
// count and the spinner while a page loads. Cached between changes.
func (l *listModel[T]) headerView() string {
	if l.headerOK {
		return l.header
	}
	st := l.e.st
	var b strings.Builder
	b.WriteString(st.Title.Render(l.spec.title))
	b.WriteString(st.Dim.Render(fmt.Sprintf("  filter: %s · sort: %s", l.filterName(), l.sortLabel())))
	count := fmt.Sprintf("  %d", len(l.items))
	if l.next != "" {
		count += "+"
	}
	b.WriteString(st.Dim.Render(count))
	if l.loading {
		b.WriteString(" " + l.spin.View())
	}
	if l.searching || l.search.Value() != "" {
		b.WriteString("  ")
		b.WriteString(l.search.View())
	}
	l.header = fit(b.String(), l.w, 1)
	l.headerOK = true
	return l.header
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
		} else {
			l.items[i] = item
			l.tbl.SetRow(i, l.spec.row(l.e, item))
		}
		l.headerOK = false
		return
	}
}
