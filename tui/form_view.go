package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// View implements Screen.
func (f *formScreen) View() string {
	st := f.e.st
	var lines []string
	lines = append(lines, st.Title.Render(f.spec.title))
	if f.spec.note != "" {
		lines = append(lines, st.Dim.Render(domain.StripControl(f.spec.note)))
	}
	switch {
	case f.banner != "" && f.bannerGood:
		lines = append(lines, st.Success.Render(f.banner))
	case f.banner != "":
		lines = append(lines, st.Error.Render(f.banner))
	}
	lines = append(lines, "")
	top, bottom := 0, 0
	pad := strings.Repeat(" ", labelWidth)
	for i, fl := range f.fields {
		if i == f.focus {
			top = len(lines)
		}
		label := ansi.Truncate(fl.label, labelWidth-2, "…")
		label += strings.Repeat(" ", labelWidth-ansi.StringWidth(label))
		if i == f.focus {
			label = st.Title.Render(label)
		} else {
			label = st.Label.Render(label)
		}
		switch fl.kind {
		case fieldNotes:
			for j, l := range strings.Split(fl.area.View(), "\n") {
				if j == 0 {
					lines = append(lines, label+l)
				} else {
					lines = append(lines, pad+l)
				}
			}
		case fieldChoice:
			v := "‹ " + fl.value() + " ›"
			if i == f.focus {
				v = st.Selected.Render(v)
			}
			lines = append(lines, label+v)
		default:
			lines = append(lines, label+fl.input.View())
		}
		if m := f.errs[fl.name]; m != "" {
			lines = append(lines, pad+st.Error.Render("✗ "+m))
		} else if i == f.focus && fl.hint != "" {
			lines = append(lines, pad+st.Dim.Render(fl.hint))
		}
		if i == f.focus && fl.kind == fieldLookup {
			for j, s := range fl.sugg[:min(len(fl.sugg), 5)] {
				line := "  " + domain.StripControl(s.label)
				if s.detail != "" {
					line += "  " + st.Dim.Render(domain.StripControl(s.detail))
				}
				if j == fl.suggAt {
					line = st.Selected.Render("▸ " + domain.StripControl(s.label))
				}
				lines = append(lines, pad+line)
			}
		}
		if i == f.focus {
			bottom = len(lines)
		}
	}
	if f.saving {
		lines = append(lines, "", st.Dim.Render("saving…"))
	}
	// Keep the focused field (and its messages) in view.
	if bottom-f.offset > f.h {
		f.offset = bottom - f.h
	}
	if top < f.offset {
		f.offset = top
	}
	if top <= 3 && bottom <= f.h {
		f.offset = 0
	}
	if f.offset > 0 && f.offset < len(lines) {
		lines = lines[f.offset:]
	}
	return fit(strings.Join(lines, "\n"), f.w, f.h)
}
