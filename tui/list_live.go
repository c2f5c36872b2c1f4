package tui

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// listLive is a list's part of the live screens: a change anyone commits
// reloads the rows in place, the selection and its line on the screen
// staying on the same record; a changed row that no longer matches the
// filter or the search goes away with a short note.
type listLive struct {
	stale bool // changed while not shown: reload on focus
	gen   int  // the fetch started by a change (0 = none)
	// watched are the loaded records named by the changes, with their
	// label, to tell which of them left the list.
	watched map[int64]string
	by      string // who made the last of those changes
}

// listEntities are the entities whose changes show in each list (names
// and counts of related records appear in the rows).
var listEntities = map[string][]string{
	"client":   {"client", "company", "user"},
	"contract": {"contract", "client", "company", "user", "event"},
	"event":    {"event", "contract", "client", "company", "user"},
	"user":     {"user", "client", "event"},
}

// onChanges reloads the list when the batch concerns it: now when it is
// shown, on focus otherwise.
func (l *listModel[T]) onChanges(m changesMsg) tea.Cmd {
	if ents, ok := listEntities[l.spec.resource]; ok && !m.touches(ents...) {
		return nil
	}
	if !l.loaded {
		return nil
	}
	if !m.onTop {
		l.live.stale = true
		return nil
	}
	l.live.stale = false
	if l.live.watched == nil {
		l.live.watched = map[int64]string{}
	}
	for _, c := range m.batch.Changes {
		if c.Entity != l.spec.resource {
			continue
		}
		for _, it := range l.items {
			if l.spec.id(it) == c.ID {
				l.live.watched[c.ID] = rowLabel(l.spec.row(l.e, it))
				l.live.by = c.ActorName
			}
		}
	}
	cmd := l.Reload(0)
	l.live.gen = l.gen
	return cmd
}

// rowLabel is the first cell that is not a number: the record's name.
func rowLabel(cells []string) string {
	for _, c := range cells {
		if c = strings.TrimSpace(c); c != "" && !strings.HasPrefix(c, "#") && strings.Trim(c, "0123456789") != "" {
			return c
		}
	}
	return "a record"
}

// applyLivePage applies a reload started by a change: the selected record
// keeps its line on the screen, and a watched record that is gone is
// named in the status line.
func (l *listModel[T]) applyLivePage(msg pageMsg[T]) tea.Cmd {
	line := l.tbl.Cursor() - l.tbl.offset
	watched, by := l.live.watched, l.live.by
	l.live.gen, l.live.watched, l.live.by = 0, nil, ""
	cmd := l.applyPage(msg)
	if msg.err != nil {
		return cmd
	}
	// Same record selected (applyPage found it by id): put it back on the
	// line it was on, so rows inserted above do not make the screen jump.
	l.tbl.offset = max(l.tbl.Cursor()-line, 0)
	l.tbl.clamp()
	var gone []string
	for id, label := range watched {
		found := false
		for _, it := range msg.page.Items {
			if l.spec.id(it) == id {
				found = true
				break
			}
		}
		if !found {
			gone = append(gone, domain.StripControl(label))
		}
	}
	if len(gone) == 0 {
		return cmd
	}
	note := strings.Join(gone, ", ") + " left this list"
	if len(gone) == 1 {
		note = gone[0] + " left this list"
	}
	if f := l.filterName(); f != "all" {
		note += " (" + f + ")"
	}
	if by != "" {
		note += ": changed by " + domain.StripControl(by)
	}
	return tea.Batch(cmd, aside(note))
}
