package tui

import (
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// fieldKind is what kind of input a field is.
type fieldKind int

const (
	fieldText     fieldKind = iota // one line
	fieldPassword                  // one line, masked
	fieldNotes                     // several lines (enter = new line)
	fieldChoice                    // one of options, ←/→ to change
	fieldLookup                    // one line with suggestions from a search
)

// lookupFunc searches the suggestions of a lookup field. It runs inside a
// command: it gets what it needs as arguments and touches no model.
type lookupFunc func(svc *domain.Services, sess *domain.Session, text string) ([]pickItem, error)

// formField is one input of a form.
type formField struct {
	name    string // the service's field name (ValidationError key)
	label   string
	kind    fieldKind
	hint    string // shown dimmed under the focused field
	initial string // value when opened (or reloaded), to detect changes

	input   textinput.Model
	area    textarea.Model
	options []string
	choice  int

	lookup   lookupFunc
	mustPick bool     // the value must be one of the suggestions (a client)
	picked   pickItem // chosen suggestion (id 0 = none)
	sugg     []pickItem
	suggAt   int // highlighted suggestion, -1 = none
	suggSeq  int
}

func (f *formField) value() string {
	switch f.kind {
	case fieldNotes:
		return f.area.Value()
	case fieldChoice:
		if len(f.options) == 0 {
			return ""
		}
		return f.options[f.choice]
	}
	return f.input.Value()
}

func (f *formField) setValue(v string) {
	switch f.kind {
	case fieldNotes:
		f.area.SetValue(v)
	case fieldChoice:
		for i, o := range f.options {
			if o == v {
				f.choice = i
			}
		}
	default:
		f.input.SetValue(v)
		f.input.CursorEnd()
	}
	f.initial = f.value()
}

func (f *formField) focus() tea.Cmd {
	switch f.kind {
	case fieldNotes:
		return f.area.Focus()
	case fieldChoice:
		return nil
	}
	return f.input.Focus()
}

func (f *formField) blur() {
	switch f.kind {
	case fieldNotes:
		f.area.Blur()
	case fieldChoice:
	default:
		f.input.Blur()
	}
	f.sugg, f.suggAt = nil, -1
}

// newField builds a one-line field.
func newField(name, label string, kind fieldKind, value string) *formField {
	f := &formField{name: name, label: label, kind: kind, suggAt: -1}
	switch kind {
	case fieldNotes:
		f.area = textarea.New()
		f.area.Prompt = ""
		f.area.ShowLineNumbers = false
		f.area.SetHeight(4)
		st := f.area.Styles()
		st.Cursor.Blink = false
		f.area.SetStyles(st)
		safeAreaKeys(&f.area)
	default:
		f.input = newTextInput("", "")
		if kind == fieldPassword {
			f.input.EchoMode, f.input.EchoCharacter = textinput.EchoPassword, '•'
		}
	}
	f.setValue(value)
	return f
}

// newChoice builds a field choosing one of options.
func newChoice(name, label string, options []string, value string) *formField {
	f := &formField{name: name, label: label, kind: fieldChoice, options: options, suggAt: -1}
	f.setValue(value)
	return f
}

// newLookup builds a field whose suggestions come from search; picked is
// the current choice (id 0 = none).
func newLookup(name, label string, search lookupFunc, mustPick bool, picked pickItem) *formField {
	f := newField(name, label, fieldLookup, picked.label)
	f.lookup, f.mustPick, f.picked = search, mustPick, picked
	return f
}
