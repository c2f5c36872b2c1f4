package cli

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// viewEvery is one frame: Bubble Tea draws at most 60 a second.
const viewEvery = time.Second / 60

// redrawMsg asks for the view skipped during a frame.
type redrawMsg struct{}

// frameLimit computes the root view at most once a frame. Bubble Tea asks
// for the view after every message, but draws it at most once a frame: a
// burst of input (a paste, a login's email and password arriving in one
// packet, keys faster than frames) cost one View a message. A message
// that comes less than a frame after the last View keeps that view and
// schedules one redraw at the end of the frame, so the screen always ends
// on the latest state. A key after a pause is drawn at once; so is a new
// window size.
type frameLimit struct {
	at      time.Time // when the last view was computed
	last    tea.View
	have    bool
	skip    bool // the next View returns last
	pending bool // a redrawMsg is on its way
}

// afterUpdate decides, after msg was handled at now, whether the next View
// may reuse the last one, and returns the command that redraws at the end
// of the frame when it does.
func (f *frameLimit) afterUpdate(msg tea.Msg, now time.Time) tea.Cmd {
	_, resized := msg.(tea.WindowSizeMsg)
	if resized || !f.have || now.Sub(f.at) >= viewEvery {
		f.skip = false
		return nil
	}
	f.skip = true
	if f.pending {
		return nil
	}
	f.pending = true
	return tea.Tick(viewEvery-now.Sub(f.at), func(time.Time) tea.Msg { return redrawMsg{} })
}

// redraw handles a redrawMsg: the next View is computed.
func (f *frameLimit) redraw() {
	f.pending, f.skip = false, false
}

// cached returns the last view when the next one may be skipped.
func (f *frameLimit) cached() (tea.View, bool) {
	return f.last, f.skip && f.have
}

// remember keeps v, computed at now.
func (f *frameLimit) remember(v tea.View, now time.Time) {
	f.last, f.have, f.at, f.skip = v, true, now, false
}
