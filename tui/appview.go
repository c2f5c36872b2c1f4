package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// keyString lets key.Matches compare a key string computed once per press
// (tea.KeyPressMsg.String allocates on every call).
type keyString string

func (k keyString) String() string { return string(k) }

// handleKey applies the global keys, then forwards the key to the top screen.
func (a *App) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := keyString(msg.String())
	if key.Matches(k, a.keys.Quit) {
		return tea.Quit
	}
	if a.showHelp {
		if key.Matches(k, a.keys.Help, a.keys.Back, a.keys.QuitQ) {
			a.showHelp = false
		}
		return nil
	}
	top := a.top()
	if c, ok := top.(keyCapturer); ok && c.CapturesKeys() {
		return a.forward(msg)
	}
	if cmd, ok := a.inboxKeyPressed(k); ok {
		return cmd
	}
	if key.Matches(k, a.keys.Help) && top != nil {
		a.showHelp = true
		return nil
	}
	if len(a.stack) > 1 && key.Matches(k, a.keys.Back) {
		return a.pop(nil)
	}
	if a.loggedIn() && len(a.stack) == 1 {
		switch {
		case key.Matches(k, a.keys.NextView):
			return a.switchView((a.cur + 1) % len(a.views))
		case key.Matches(k, a.keys.PrevView):
			return a.switchView((a.cur + len(a.views) - 1) % len(a.views))
		case key.Matches(k, a.keys.JumpView):
			for i, v := range a.views {
				if v.key == string(k) {
					return a.switchView(i)
				}
			}
			for _, v := range registerViews() {
				if v.key == string(k) {
					return a.setStatus(v.refusal(), true)
				}
			}
			return nil
		case key.Matches(k, a.keys.QuitQ):
			return tea.Quit
		case key.Matches(k, a.keys.Logout):
			return a.endSession("logged out")
		}
	}
	return a.forward(msg)
}

// chrome caches the tab bar, help bar and status line: they only change on
// a view switch, a new message or a new key map, not on every keypress.
type chrome struct {
	dirty            bool
	width            int
	tabs, statusLine string
	msgLines         string // a long message, above the help bar
	helpSig          string
	helpLine         string
	sig              []byte
}

// View renders the whole window.
func (a *App) View() tea.View {
	v := tea.NewView(a.render())
	v.AltScreen = true
	v.WindowTitle = "Epic Events CRM"
	return v
}

func (a *App) render() string {
	if a.width == 0 {
		return ""
	}
	if a.width < minWidth || a.high < minHeight {
		return lipgloss.Place(a.width, a.high, lipgloss.Center, lipgloss.Center,
			"please enlarge the window to at least 60×15")
	}
	w, h := a.bodySize()
	if a.chrome.dirty || a.chrome.width != a.width {
		a.renderChrome()
	}
	top := a.top()
	var body string
	switch {
	case top == nil:
		body = fit(a.e.st.Dim.Render("connecting to the database…"), w, h)
	case a.showHelp:
		body = a.helpView(w, h)
	case len(a.stack) > 1 && isModal(top):
		body = overlay(a.stack[len(a.stack)-2].View(), top.View(), w, h)
	default:
		body = top.View()
	}
	helpLine := a.helpBar()
	var b strings.Builder
	b.Grow(len(a.chrome.tabs) + len(body) + len(helpLine) + len(a.chrome.statusLine) + 4)
	b.WriteString(a.chrome.tabs)
	b.WriteByte('\n')
	b.WriteString(body)
	b.WriteByte('\n')
	if a.chrome.msgLines != "" {
		b.WriteString(a.chrome.msgLines)
		b.WriteByte('\n')
	}
	b.WriteString(helpLine)
	b.WriteByte('\n')
	b.WriteString(a.chrome.statusLine)
	return b.String()
}

func isModal(s Screen) bool {
	m, ok := s.(modal)
	return ok && m.Modal()
}

func (a *App) renderChrome() {
	st := a.e.st
	a.chrome.dirty = false
	a.chrome.width = a.width
	a.chrome.helpSig = "" // the key map may have changed with the screen

	a.chrome.tabs = a.tabBar(false)
	if lipgloss.Width(a.chrome.tabs) > a.width {
		a.chrome.tabs = a.tabBar(true) // narrow: inactive views by number only
	}
	a.chrome.tabs = ansi.Truncate(a.chrome.tabs, a.width, "…")

	left := a.whoWhere()
	a.chrome.msgLines = ""
	if a.status == "" || a.msgRows > 0 {
		a.chrome.statusLine = ansi.Truncate(st.Status.Render(left), a.width, "…")
		if a.msgRows > 0 {
			// A message too long to share the status line gets its own
			// lines above the help bar: who and where stay in sight.
			style := st.Success
			if a.statusErr {
				style = st.Error
			}
			rows := a.messageRows()
			for i, r := range rows {
				rows[i] = style.Render(r)
			}
			a.chrome.msgLines = strings.Join(rows, "\n")
		}
		return
	}
	// Below 80 columns the last message wins the status line: the user ·
	// role · database part is shortened first, so a long database path
	// never hides an error.
	sep := statusSep
	msg := ansi.Truncate(a.status, a.width, "…")
	room := a.width - lipgloss.Width(msg) - lipgloss.Width(sep)
	if a.statusErr {
		msg = st.Error.Render(msg)
	} else {
		msg = st.Success.Render(msg)
	}
	if room < 8 { // no useful room left for who and where
		a.chrome.statusLine = msg
		return
	}
	a.chrome.statusLine = st.Status.Render(ansi.Truncate(left, room, "…")+sep) + msg
}

// whoWhere is the status line's "user · role · database".
func (a *App) whoWhere() string {
	who := "not logged in"
	if a.loggedIn() {
		who = domain.StripControl(a.e.actor.Name) + " · " + string(a.e.actor.Role)
	}
	return who + " · " + domain.StripControl(a.e.dbLabel)
}

// statusSep separates who and where from the message on the status line.
const statusSep = " │ "

// statusRows is how many lines the message needs above the help bar: 0
// when it fits on the status line beside who and where (or on a narrow
// window, where the message takes the status line), else 1 or 2.
func (a *App) statusRows() int {
	if a.status == "" || a.width == 0 {
		return 0
	}
	if ansi.StringWidth(a.whoWhere())+len(statusSep)+ansi.StringWidth(a.status) <= a.width {
		return 0
	}
	if a.width < 80 || a.high < minHeight+2 {
		return 0 // too small to give up lines: the message wins the status line
	}
	return len(a.messageRows())
}

// messageRows wraps the message to the width, in two lines at most (the
// second cut with … if it must be).
func (a *App) messageRows() []string {
	rows := strings.Split(ansi.Wrap(a.status, a.width, ""), "\n")
	if len(rows) > 2 {
		rows[1] = ansi.Truncate(rows[1]+" "+rows[2], a.width, "…")
		rows = rows[:2]
	}
	return rows
}

// relayoutStatus follows a new or cleared message: when the lines it takes
// change, the screens get the new height.
func (a *App) relayoutStatus() {
	a.chrome.dirty = true
	if a.statusRows() != a.msgRows {
		a.resize()
	}
}

// clearStatus removes the message (and any timer's claim to it).
func (a *App) clearStatus() {
	a.statusSeq++
	a.status = ""
	a.relayoutStatus()
}

// tabBar renders the views; compact shows only the number of inactive ones.
func (a *App) tabBar(compact bool) string {
	st := a.e.st
	var tabs strings.Builder
	tabs.WriteString(st.Title.Render("Epic Events"))
	if !a.loggedIn() {
		return tabs.String()
	}
	for i, v := range a.views {
		tabs.WriteString("  ")
		label := v.key + " " + v.title
		switch {
		case i == a.cur:
			tabs.WriteString(st.TabActive.Render(label))
		case compact:
			tabs.WriteString(st.Tab.Render(v.key))
		default:
			tabs.WriteString(st.Tab.Render(label))
		}
	}
	tabs.WriteString(a.inboxBadge(compact))
	return tabs.String()
}

// helpBar renders the short help of the top screen, recomputed only when
// its bindings change.
func (a *App) helpBar() string {
	top := a.top()
	if top == nil {
		return ""
	}
	bindings := top.KeyMap().ShortHelp()
	sig := a.chrome.sig[:0]
	for _, b := range bindings {
		sig = append(sig, b.Help().Key...)
		sig = append(sig, 0)
	}
	if a.showHelp {
		sig = append(sig, 1)
	}
	c, capturing := top.(keyCapturer)
	capturing = capturing && c.CapturesKeys()
	if capturing {
		sig = append(sig, 2)
	}
	a.chrome.sig = sig
	if string(sig) == a.chrome.helpSig && a.chrome.helpLine != "" {
		return a.chrome.helpLine
	}
	a.chrome.helpSig = string(sig)
	if a.showHelp {
		a.chrome.helpLine = a.e.st.Desc.Render("esc or ? close the help")
		return a.chrome.helpLine
	}
	a.chrome.helpLine = a.fitHelp(bindings, !capturing)
	return a.chrome.helpLine
}

// fitHelp renders bindings in the width, with `? help` last when withHelp:
// the hints are dropped from the end (the least used) until what is left
// and `? help` fit, so that the way to every key is always on screen.
func (a *App) fitHelp(bindings []key.Binding, withHelp bool) string {
	a.help.SetWidth(0) // measure: bubbles' own cut would drop `? help`
	defer a.help.SetWidth(a.width)
	all := bindings[:len(bindings):len(bindings)]
	if withHelp {
		all = append(all, a.keys.Help)
	}
	for n := len(bindings); n >= 0; n-- {
		shown := all[:n:n]
		if withHelp {
			shown = append(shown, a.keys.Help)
		}
		line := a.help.ShortHelpView(shown)
		if lipgloss.Width(line) <= a.width {
			return line
		}
	}
	return ansi.Truncate(a.help.ShortHelpView(all), a.width, "…")
}

// helpView is the `?` overlay: every key of the active screen, then the
// global ones.
func (a *App) helpView(w, h int) string {
	groups := a.top().KeyMap().FullHelp()
	global := []key.Binding{a.keys.Help, a.keys.Back, a.keys.Quit}
	if a.loggedIn() && len(a.stack) == 1 {
		global = append(a.keys.mainBindings(), inboxKey)
	}
	groups = append(groups[:len(groups):len(groups)], global)
	hm := a.help
	hm.ShowAll = true
	content := a.e.st.Title.Render("Keys") + "\n\n" + hm.FullHelpView(groups)
	return fit(content, w, h)
}

// fit pads or cuts s to exactly w×h cells (for screens that are not hot).
func fit(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		if lw := ansi.StringWidth(l); lw > w {
			lines[i] = ansi.Truncate(l, w, "…")
		}
	}
	for len(lines) < h {
		lines = append(lines, "")
	}
	return strings.Join(lines, "\n")
}

// overlay draws box centred over base (a dialog over the screen below).
func overlay(base, box string, w, h int) string {
	lines := strings.Split(fit(base, w, h), "\n")
	boxLines := strings.Split(box, "\n")
	bw := lipgloss.Width(box)
	x, y := max((w-bw)/2, 0), max((h-len(boxLines))/3, 0)
	for i, bl := range boxLines {
		if y+i >= len(lines) {
			break
		}
		l := lines[y+i]
		left := ansi.Truncate(l, x, "")
		if pad := x - ansi.StringWidth(left); pad > 0 {
			left += strings.Repeat(" ", pad)
		}
		right := ansi.TruncateLeft(l, x+bw, "")
		lines[y+i] = left + "\x1b[m" + bl + "\x1b[m" + right
	}
	return strings.Join(lines, "\n")
}
