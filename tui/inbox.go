package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// inboxScreen lists the user's notifications, newest first; unread ones
// are marked. enter marks one read and opens its record.
type inboxScreen struct {
	e       *env
	items   []domain.Notification
	cursor  int
	offset  int
	w, h    int
	loading bool
	stale   bool
	keys    struct{ Up, Down, Open, Read, AllRead, Reload key.Binding }
}

type (
	inboxLoadedMsg struct {
		items []domain.Notification
		err   error
	}
	inboxMarkedMsg struct{ err error }
)

// inboxLimit is how many notifications the inbox shows.
const inboxLimit = 200

func newInboxScreen(e *env) Screen {
	s := &inboxScreen{e: e}
	s.keys.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	s.keys.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	s.keys.Open = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open"))
	s.keys.Read = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "mark read"))
	s.keys.AllRead = key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "mark all read"))
	s.keys.Reload = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload"))
	return s
}

// Init implements Screen.
func (s *inboxScreen) Init() tea.Cmd { return s.load() }

func (s *inboxScreen) load() tea.Cmd {
	s.loading, s.stale = true, false
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		items, err := svc.Inbox.List(ctx, sess, inboxLimit)
		return inboxLoadedMsg{items, err}
	}
}

func (s *inboxScreen) mark(id int64) tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		if id == 0 {
			return inboxMarkedMsg{svc.Inbox.MarkAllRead(ctx, sess)}
		}
		return inboxMarkedMsg{svc.Inbox.MarkRead(ctx, sess, id)}
	}
}

// SetSize implements Screen.
func (s *inboxScreen) SetSize(w, h int) { s.w, s.h = w, h }

// KeyMap implements Screen.
func (s *inboxScreen) KeyMap() help.KeyMap {
	short := []key.Binding{s.keys.Up, s.keys.Down}
	if len(s.items) > 0 {
		short = append(short, s.keys.Open, s.keys.Read, s.keys.AllRead)
	}
	short = append(short, s.keys.Reload)
	return keyMap{short: short, full: [][]key.Binding{short}}
}

// Update implements Screen.
func (s *inboxScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case inboxLoadedMsg:
		s.loading = false
		if msg.err != nil {
			return s, reportError("load inbox", msg.err)
		}
		var keep int64
		if s.cursor < len(s.items) {
			keep = s.items[s.cursor].ID
		}
		s.items = msg.items
		s.cursor = min(s.cursor, max(len(s.items)-1, 0))
		for i, n := range s.items {
			if n.ID == keep {
				s.cursor = i
			}
		}
		return s, nil
	case inboxMarkedMsg:
		if msg.err != nil {
			return s, reportError("mark read", msg.err)
		}
		return s, nil // the change feed brings the new state (and the count)
	case changesMsg:
		if !msg.touches(domain.EntityNotification) {
			return s, nil
		}
		if !msg.onTop {
			s.stale = true
			return s, nil
		}
		return s, s.load()
	case focusMsg:
		return s, s.load()
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		switch {
		case key.Matches(k, s.keys.Up):
			s.cursor = max(s.cursor-1, 0)
		case key.Matches(k, s.keys.Down):
			s.cursor = min(s.cursor+1, max(len(s.items)-1, 0))
		case key.Matches(k, s.keys.Reload):
			return s, s.load()
		case key.Matches(k, s.keys.AllRead) && len(s.items) > 0:
			return s, s.mark(0)
		case key.Matches(k, s.keys.Read) && s.cursor < len(s.items):
			return s, s.mark(s.items[s.cursor].ID)
		case key.Matches(k, s.keys.Open) && s.cursor < len(s.items):
			n := s.items[s.cursor]
			var cmd tea.Cmd
			if n.ReadAt == nil {
				cmd = s.mark(n.ID)
			}
			return s, tea.Batch(cmd, s.open(n))
		}
	}
	return s, nil
}

// open pushes the notification's record.
func (s *inboxScreen) open(n domain.Notification) tea.Cmd {
	switch n.Entity {
	case "client":
		return push(newClientDetail(s.e, n.EntityID))
	case "contract":
		return push(newContractDetail(s.e, n.EntityID))
	case "event":
		return push(newEventDetail(s.e, n.EntityID))
	}
	return nil
}

// View implements Screen.
func (s *inboxScreen) View() string {
	st := s.e.st
	unread := 0
	for _, n := range s.items {
		if n.ReadAt == nil {
			unread++
		}
	}
	head := st.Title.Render("Inbox") + st.Dim.Render(fmt.Sprintf("  %d unread · %d shown", unread, len(s.items)))
	lines := []string{head}
	if len(s.items) == 0 {
		msg := "nothing yet: you are told here when a record of yours changes"
		if s.loading {
			msg = "loading…"
		}
		lines = append(lines, "", st.Dim.Render(msg))
		return fit(strings.Join(lines, "\n"), s.w, s.h)
	}
	rows := max(s.h-1, 1)
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	for i := s.offset; i < len(s.items) && i < s.offset+rows; i++ {
		n := s.items[i]
		mark := "  "
		if n.ReadAt == nil {
			mark = "● "
		}
		line := mark + s.e.fmtTime(n.At) + "  " + n.Sentence(s.e.loc)
		line = ansi.Truncate(line, s.w, "…")
		switch {
		case i == s.cursor:
			line = st.Selected.Render(line)
		case n.ReadAt == nil:
			line = st.Title.Render(line)
		default:
			line = st.Dim.Render(line)
		}
		lines = append(lines, line)
	}
	return fit(strings.Join(lines, "\n"), s.w, s.h)
}
