package tui

import (
	"charm.land/bubbles/v2/key"
)

// globalKeys are handled by the App before the active screen sees a key.
// Main-view keys (tab, 1–7, q, L) only apply when a main view is on top of
// the stack and it does not capture keys (a focused search field or form).
type globalKeys struct {
	Quit     key.Binding // ctrl+c, everywhere
	Help     key.Binding
	Back     key.Binding
	NextView key.Binding
	PrevView key.Binding
	JumpView key.Binding
	QuitQ    key.Binding
	Logout   key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		NextView: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		PrevView: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous view")),
		JumpView: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7"), key.WithHelp("1-7", "jump to view")),
		QuitQ:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		Logout:   key.NewBinding(key.WithKeys("L"), key.WithHelp("L", "log out")),
	}
}

// mainBindings are the global keys shown in the help of a main view.
func (g globalKeys) mainBindings() []key.Binding {
	return []key.Binding{g.NextView, g.PrevView, g.JumpView, g.Help, g.QuitQ, g.Logout, g.Quit}
}

// listKeys are the keys every list screen shares. A screen leaves out of
// its KeyMap the ones the actor may not use, which hides them from the help
// bar and `?`; the key itself still works (never SetEnabled(false): a
// disabled binding no longer matches) and the service refuses it.
type listKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Open, Search, Filter, Sort, Reload    key.Binding
	New, Edit, Delete                     key.Binding
	// ClearSearch (esc) clears a committed search; Jump (:) goes to a
	// record by its number.
	ClearSearch, Jump key.Binding
}

func newListKeys() listKeys {
	return listKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Search:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "search")),
		Filter:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "filter")),
		Sort:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort")),
		Reload:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
		New:      key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "new")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit")),
		Delete:   key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "delete")),

		ClearSearch: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear search")),
		Jump:        key.NewBinding(key.WithKeys(":", "#"), key.WithHelp(":", "go to #")),
	}
}

// navigation returns the movement bindings, for the full help.
func (k listKeys) navigation() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End}
}

// keyMap is a help.KeyMap built from plain slices: the short help bar and
// the full `?` overlay come from the same bindings.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding { return k.short }

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	if k.full == nil {
		return [][]key.Binding{k.short}
	}
	return k.full
}
