package tui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// TestAuditTimesAreLocal: a recorded time (RFC 3339, UTC) is shown in the
// user's zone and the app's format, in the list, the history and the
// entry dialog.
func TestAuditTimesAreLocal(t *testing.T) {
	e := &env{st: newStyles(true, true), loc: testLoc, now: time.Now}
	c := domain.Change{Field: "start", Old: "2030-06-20T16:00:00Z", New: "2030-06-21T16:30:00.5Z"}
	if got := changeText(e, c); got != "start: 20/06/2030 17:00 → 21/06/2030 17:30" {
		t.Errorf("changeText: %q", got)
	}
	if got := changeText(e, domain.Change{Field: "name", Old: "Gala 2030-06-20", New: "Gala"}); got != "name: Gala 2030-06-20 → Gala" {
		t.Errorf("a value that is not a time changed: %q", got)
	}
	row := auditRow(e, domain.AuditEntry{At: time.Date(2030, 6, 20, 16, 0, 0, 0, time.UTC), Action: "event.update", Changes: []domain.Change{c}})
	if row[0] != "20/06/2030 17:00" || strings.Contains(strings.Join(row, " "), "T16:00") {
		t.Errorf("audit row: %q", row)
	}
}

// TestAuditEntryDialogStaysInsideItsBorder: long values wrap inside the
// box, indented under their label, and a long entry scrolls instead of
// pushing the bottom border off the window.
func TestAuditEntryDialogStaysInsideItsBorder(t *testing.T) {
	e := &env{st: newStyles(true, true), loc: testLoc, now: time.Now}
	long := strings.Repeat("a long note that goes on with many words ", 12) + strings.Repeat("x", 120)
	var changes []domain.Change
	for _, f := range []string{"notes", "location", "name", "attendees", "start", "end"} {
		changes = append(changes, domain.Change{Field: f, Old: long, New: "2030-06-20T16:00:00Z"})
	}
	a := domain.AuditEntry{At: testNow, ActorName: strings.Repeat("Margaret Hale ", 10), Action: "event.update", Entity: "event", EntityID: 3, Changes: changes}
	for _, size := range [][2]int{{100, 30}, {60, 15}} {
		v := newAuditEntryView(e, a)
		v.SetSize(size[0], size[1]-chromeLines)
		for range 3 {
			out := v.View()
			lines := strings.Split(out, "\n")
			if len(lines) > size[1]-chromeLines {
				t.Fatalf("%v: the dialog is %d lines high, the window body %d", size, len(lines), size[1]-chromeLines)
			}
			if !strings.HasPrefix(lines[0], "╭") || !strings.HasPrefix(lines[len(lines)-1], "╰") {
				t.Fatalf("%v: the border is not whole:\n%s", size, out)
			}
			w := ansi.StringWidth(lines[0])
			for _, l := range lines {
				if ansi.StringWidth(l) != w || !strings.HasSuffix(ansi.Strip(l), "│") && !strings.HasSuffix(l, "╮") && !strings.HasSuffix(l, "╯") {
					t.Fatalf("%v: a line leaves the border: %q\n%s", size, ansi.Strip(l), ansi.Strip(out))
				}
			}
			if w > size[0] {
				t.Fatalf("%v: the dialog is %d wide", size, w)
			}
			v.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
		}
	}
}
