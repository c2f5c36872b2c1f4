package tui

import (
	"context"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// detailScreen is the plumbing the three detail screens share around their
// detailPage: loading the record, the loaded message, SetSize, View, the
// movement / open / reload keys and the tail of the key map. A detail
// screen embeds it and states only its record, its actions and its lines.
type detailScreen[D any] struct {
	e    *env
	id   int64
	d    detailPage
	what string // "client": the error says "load client"
	// fetch reads the detail (in the command, never in Update).
	fetch func(ctx context.Context, svc *domain.Services, sess *domain.Session, id int64) (D, error)
	// show keeps the loaded record and returns the lines to display.
	show func(D) []detailLine
	// stale: a change came while another screen was on top.
	stale bool
}

// detailMsg is the result of loading a detail.
type detailMsg[D any] struct {
	id     int64
	detail D
	err    error
}

func newDetailScreen[D any](e *env, id int64, what string,
	fetch func(ctx context.Context, svc *domain.Services, sess *domain.Session, id int64) (D, error),
	show func(D) []detailLine) detailScreen[D] {
	return detailScreen[D]{e: e, id: id, d: newDetailPage(e), what: what, fetch: fetch, show: show}
}

// Init implements Screen.
func (s *detailScreen[D]) Init() tea.Cmd { return s.load() }

func (s *detailScreen[D]) load() tea.Cmd {
	svc, sess, id, fetch := s.e.svc, s.e.sess, s.id, s.fetch
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		d, err := fetch(ctx, svc, sess, id)
		return detailMsg[D]{id: id, detail: d, err: err}
	}
}

// SetSize implements Screen.
func (s *detailScreen[D]) SetSize(w, h int) { s.d.w, s.d.h = w, h }

// View implements Screen.
func (s *detailScreen[D]) View() string { return s.d.view() }

// keyMap adds open (on a link) and reload to the screen's actions.
func (s *detailScreen[D]) keyMap(actions []key.Binding) help.KeyMap {
	if _, ok := s.d.selected(); ok {
		actions = append(actions, s.d.keys.Open)
	}
	actions = append(actions, s.d.keys.Reload)
	short := append([]key.Binding{s.d.keys.Up, s.d.keys.Down}, actions...)
	return keyMap{short: short, full: [][]key.Binding{s.d.navigation(), actions}}
}

// update handles the loaded message, savedMsg and the movement, open and
// reload keys; done is false for every other message, which the screen
// handles itself.
func (s *detailScreen[D]) update(msg tea.Msg) (cmd tea.Cmd, done bool) {
	switch msg := msg.(type) {
	case detailMsg[D]:
		if msg.id != s.id {
			return nil, true
		}
		if msg.err != nil {
			s.d.loading = false
			return reportError("load "+s.what, msg.err), true
		}
		s.d.setLines(s.show(msg.detail))
		return nil, true
	case savedMsg:
		return s.load(), true
	case changesMsg:
		return s.onChanges(msg), true
	case focusMsg:
		if s.stale {
			s.stale = false
			return s.load(), true
		}
	case tea.KeyPressMsg:
		k := keyString(msg.String())
		switch {
		case s.d.move(k):
			return nil, true
		case key.Matches(k, s.d.keys.Open):
			return s.d.open(), true
		case key.Matches(k, s.d.keys.Reload):
			return s.load(), true
		}
	}
	return nil, false
}
