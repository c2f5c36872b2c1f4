package cli

import (
	"context"
	"strconv"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// typed is a model that shows the keys it was given and counts its views.
type typed struct {
	text  string
	views *int
}

func (m typed) Init() tea.Cmd { return nil }

func (m typed) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		m.text += k.String()
	}
	return m, nil
}

func (m typed) View() tea.View {
	*m.views++
	return tea.NewView(m.text + " (" + strconv.Itoa(len(m.text)) + ")")
}

// A burst of forty keys (a login's email and password in one packet) costs
// a view or two, not forty; the screen still ends on the last key, through
// the redraw scheduled at the end of the frame. A key after a pause is
// drawn at once, and so is a new window size.
func TestViewsAtMostOncePerFrame(t *testing.T) {
	views := 0
	g := newGuard(context.Background(), typed{views: &views}, nil, "test")
	var redraws []tea.Cmd
	press := func(r rune) {
		_, cmd := g.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		if cmd != nil {
			redraws = append(redraws, cmd)
		}
		g.View()
	}
	const keys = "someone@epic-events.com\rcorrect horse!"
	for _, r := range keys {
		press(r)
	}
	if views > 3 {
		t.Errorf("40 keys in a burst computed %d views, want at most 3", views)
	}
	if len(redraws) == 0 {
		t.Fatal("keys skipped in a frame scheduled no redraw")
	}
	// The redraw comes within a frame and shows every key.
	msg := redraws[len(redraws)-1]()
	if _, ok := msg.(redrawMsg); !ok {
		t.Fatalf("the scheduled command returned %T, want redrawMsg", msg)
	}
	g.Update(msg)
	var ref tea.Model = typed{views: new(int)}
	for _, r := range keys {
		ref, _ = ref.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	want := ref.View().Content
	if got := g.View().Content; got != want {
		t.Errorf("after the redraw the screen shows %q, want %q", got, want)
	}
	// After a pause, a key is drawn at once, without waiting for a redraw.
	time.Sleep(2 * viewEvery)
	before := views
	press('x')
	if views != before+1 {
		t.Errorf("a key after a pause computed %d views, want 1", views-before)
	}
	// A resize inside a frame is drawn at once too.
	before = views
	g.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	g.View()
	if views != before+1 {
		t.Errorf("a resize inside a frame computed %d views, want 1", views-before)
	}
}
