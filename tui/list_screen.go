package tui

import (
	"slices"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// listScreen is the plumbing the list screens (clients, events, contracts,
// team, audit) share around their listModel: Init, SetSize, CapturesKeys,
// View and finding a loaded record. A list screen embeds it and states
// only its columns, its keys and its messages.
type listScreen[T any] struct {
	e       *env
	list    *listModel[T]
	kmCache keyMapCache
}

// Init implements Screen.
func (s *listScreen[T]) Init() tea.Cmd { return s.list.Reload(0) }

// SetSize implements Screen.
func (s *listScreen[T]) SetSize(w, h int) { s.list.SetSize(w, h) }

// CapturesKeys implements keyCapturer.
func (s *listScreen[T]) CapturesKeys() bool { return s.list.Capturing() }

// View implements Screen.
func (s *listScreen[T]) View() string { return s.list.View() }

// takeKey gives a key press to keys unless the search field has the keys;
// ok is false when keys does not take it (or msg is no key press), so the
// screen handles the message further and finally gives it to the list.
func (s *listScreen[T]) takeKey(msg tea.Msg, keys func(keyString) (tea.Cmd, bool)) (tea.Cmd, bool) {
	if kp, ok := msg.(tea.KeyPressMsg); ok && !s.list.Capturing() {
		return keys(keyString(kp.String()))
	}
	return nil, false
}

// keyMap is the search help while searching, else the key map build
// returns for the selection (ok is false when nothing is selected), kept
// in kmCache until the selection or its version changes.
func (s *listScreen[T]) keyMap(version func(T) int64, build func(sel T, ok bool) keyMap) help.KeyMap {
	switch {
	case s.list.searching:
		s.kmCache.reset()
		return searchKeyMap
	case s.list.jumping:
		s.kmCache.reset()
		return jumpKeyMap
	}
	sel, ok := s.list.Selected()
	var id, ver int64
	if ok {
		id, ver = s.list.spec.id(sel), version(sel)
	}
	searched := s.list.search.Value() != ""
	if searched != s.kmCache.searched {
		s.kmCache.reset()
		s.kmCache.searched = searched
	}
	return s.kmCache.get(s.e, id, ver, func() keyMap {
		km := build(sel, ok)
		if searched {
			// esc clears the search: said first, where it is seen.
			km.short = append([]key.Binding{s.list.keys.ClearSearch}, km.short...)
		}
		if s.list.spec.open != nil && len(km.full) > 2 {
			// with search, filter, sort and reload (listKeyMap's third group)
			km.full[2] = append(slices.Clip(km.full[2]), s.list.keys.Jump)
		}
		return km
	})
}

// jumpKeyMap is the help while the `:` field has the keys.
var jumpKeyMap = keyMap{short: []key.Binding{
	key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go")),
	key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
}}

// find returns the loaded record with this id.
func (s *listScreen[T]) find(id int64) (T, bool) {
	for _, it := range s.list.items {
		if s.list.spec.id(it) == id {
			return it, true
		}
	}
	var zero T
	return zero, false
}

// keyMapCache keeps a list screen's key map while the selection stays on
// the same record (id and version; id 0 when nothing is selected) and the
// actor's permissions are not re-read (env.actorGen), so KeyMap, called on
// every frame, does not re-check the permissions each time.
type keyMapCache struct {
	km          keyMap
	valid       bool
	searched    bool // a search is active (esc clears it)
	id, version int64
	gen         int
}

// get returns the cached key map, or build's result, which it keeps.
func (c *keyMapCache) get(e *env, id, version int64, build func() keyMap) keyMap {
	if c.valid && c.id == id && c.version == version && c.gen == e.actorGen {
		return c.km
	}
	c.km, c.valid, c.id, c.version, c.gen = build(), true, id, version, e.actorGen
	return c.km
}

// reset makes the next KeyMap rebuild the key map.
func (c *keyMapCache) reset() { c.valid = false }
