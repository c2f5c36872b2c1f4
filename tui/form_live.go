package tui

import (
	"errors"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// takeTheirs is the confirm tag of "take their version".
const takeTheirs = "take theirs"

// formLive is a form's part of the live screens: when the record being
// edited is changed by anyone, the form says so at once, before the save,
// and keeps what was typed; ctrl+r then shows their version and offers to
// take it.
type formLive struct {
	peeking bool              // a read of the record is on its way
	pending bool              // a change came while a dialog was on top
	theirs  map[string]string // their values, once known
	version int64             // their version
	by      string
	at      time.Time
}

// onChanges reads the record again when a change of its kind came (the
// feed says which record and version; the read says whether it is this
// one and what it holds now, under the user's permissions).
func (f *formScreen) onChanges(m changesMsg) tea.Cmd {
	if f.spec.reload == nil || f.saving || !m.touches(f.spec.kind) {
		return nil
	}
	for i := len(m.batch.Changes) - 1; i >= 0; i-- {
		if c := m.batch.Changes[i]; c.Entity == f.spec.kind {
			f.live.by, f.live.at = c.ActorName, c.At
			break
		}
	}
	if !m.onTop {
		f.live.pending = true
		return nil
	}
	return f.peek()
}

func (f *formScreen) onFocus() tea.Cmd {
	if !f.live.pending {
		return nil
	}
	return f.peek()
}

func (f *formScreen) peek() tea.Cmd {
	f.live.pending, f.live.peeking = false, true
	return f.spec.reload(f)
}

// onPeek compares the record read again with the version being edited.
func (f *formScreen) onPeek(msg formReloadedMsg) tea.Cmd {
	f.live.peeking = false
	if msg.err != nil {
		if errors.Is(msg.err, domain.ErrNotFound) {
			f.banner = "this record was deleted" + f.byAt() + " — saving will fail; esc leaves the form"
		}
		return nil
	}
	if msg.version <= f.version || msg.version == f.live.version {
		return nil // another record of the kind, or already known
	}
	f.live.theirs, f.live.version = msg.values, msg.version
	f.banner = "changed" + f.byAt() + " — ctrl+r shows their version, your typing is kept"
	return nil
}

// byAt is " by NAME at 14:02" (parts left out when unknown).
func (f *formScreen) byAt() string {
	s := ""
	if f.live.by != "" {
		s += " by " + domain.StripControl(f.live.by)
	}
	if !f.live.at.IsZero() {
		s += " at " + f.live.at.In(f.e.loc).Format("15:04")
	}
	return s
}

// showTheirs asks whether to take their version, listing the fields that
// differ from what is typed.
func (f *formScreen) showTheirs() tea.Cmd {
	var b strings.Builder
	b.WriteString("Their version (changed" + f.byAt() + "):\n")
	n := 0
	for _, fl := range f.fields {
		v, ok := f.live.theirs[fl.name]
		if !ok || v == f.get(fl.name) {
			continue
		}
		n++
		b.WriteString("  " + fl.label + ": " + oneLine(domain.StripControl(v)) + "  (yours: " + oneLine(domain.StripControl(f.get(fl.name))) + ")\n")
	}
	if n == 0 {
		b.WriteString("  the same values as yours\n")
	}
	b.WriteString("Take their version? What you typed here is replaced; no keeps your typing.")
	return push(newConfirm(f.e, b.String(), takeTheirs, 0))
}

// takeTheirs applies their version as a reload would.
func (f *formScreen) takeTheirs() tea.Cmd {
	values, version := f.live.theirs, f.live.version
	if values == nil {
		return nil
	}
	return msgCmd(formReloadedMsg{values: values, version: version})
}
