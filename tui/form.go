package tui

import (
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

// The forms (client, contract, payment, event, collaborator, password) share
// this screen. huh v2 was considered and left aside: the forms need things
// huh makes awkward when embedded: per-field messages coming back from the service
// after a submit (huh only shows its own validators' errors), keeping every
// typed value after a failed save, an esc that asks first, and lookups that
// search the database as one types. So a form is a column of bubbles
// inputs driven here, and each form file only says which fields it has,
// how to save them and how to reload the record after a conflict.

// Messages of a form.
type (
	// formSavedMsg is the result of a form's save command.
	formSavedMsg struct {
		id   int64
		text string // success message
		err  error
	}
	// formReloadedMsg carries a record read again after a conflict.
	formReloadedMsg struct {
		values  map[string]string
		version int64
		err     error
	}
	suggestTickMsg struct {
		form  *formScreen
		field int
		seq   int
	}
	suggestMsg struct {
		form  *formScreen
		field int
		seq   int
		items []pickItem
		err   error
	}
)

// formSpec is what a form file gives the form screen.
type formSpec struct {
	title string
	kind  string // savedMsg kind
	// save reads the values (in Update), parses what the UI parses (money,
	// dates, numbers) and returns either per-field messages or the command
	// that calls the service and returns formSavedMsg.
	save func(f *formScreen) (tea.Cmd, map[string]string)
	// reload reads the record again (nil: nothing to reload, a create).
	reload func(f *formScreen) tea.Cmd
	// note is a line under the title (what the form applies to).
	note string
	// refresh, when set, reads again what the note and the hints say after
	// a refused save (the figures they quote may have changed); its
	// command returns formNoteMsg.
	refresh func(f *formScreen) tea.Cmd
}

// formNoteMsg brings a form's note and field hints up to date.
type formNoteMsg struct {
	form  *formScreen
	note  string
	hints map[string]string
	err   error
}

// formScreen is a form: fields, inline errors, save/cancel/reload.
type formScreen struct {
	e       *env
	spec    formSpec
	fields  []*formField
	focus   int
	version int64             // version of the record being edited
	errs    map[string]string // per-field messages
	banner  string            // record-wide message (conflict, "" field)
	stale   bool              // a save met a newer version: ctrl+r reloads
	saving  bool
	// watchSeq numbers the watch of an unreachable database
	// (form_watch.go); bannerGood shows the banner as good news.
	watchSeq   int
	bannerGood bool
	w, h       int
	offset     int
	keys       struct{ Save, Next, Prev, Enter, Cancel, Reload, Choose, Suggest key.Binding }
	live       formLive // the record changed by someone else (form_live.go)
}

func newFormScreen(e *env, spec formSpec, version int64, fields ...*formField) *formScreen {
	f := &formScreen{e: e, spec: spec, fields: fields, version: version, errs: map[string]string{}}
	f.keys.Save = key.NewBinding(key.WithKeys("ctrl+s"), key.WithHelp("ctrl+s", "save"))
	f.keys.Next = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next field"))
	f.keys.Prev = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous field"))
	f.keys.Enter = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "next / save"))
	f.keys.Cancel = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel"))
	f.keys.Reload = key.NewBinding(key.WithKeys("ctrl+r"), key.WithHelp("ctrl+r", "reload the record"))
	f.keys.Choose = key.NewBinding(key.WithKeys("left", "right", "space"), key.WithHelp("←/→", "change"))
	f.keys.Suggest = key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "choose a match"))
	return f
}

// Init implements Screen.
func (f *formScreen) Init() tea.Cmd { return f.fields[f.focus].focus() }

// CapturesKeys implements keyCapturer: a form gets every key but ctrl+c.
func (f *formScreen) CapturesKeys() bool { return true }

// SetSize implements Screen.
func (f *formScreen) SetSize(w, h int) {
	f.w, f.h = w, h
	iw := max(min(w-labelWidth-3, 60), 10)
	for _, fl := range f.fields {
		switch fl.kind {
		case fieldNotes:
			fl.area.SetWidth(iw)
			fl.area.SetHeight(max(min(4, h-10), 2))
		case fieldChoice:
		default:
			fl.input.SetWidth(iw)
		}
	}
}

const labelWidth = 16

// KeyMap implements Screen.
func (f *formScreen) KeyMap() help.KeyMap {
	// What the focused field and the form's state add comes first: the
	// help bar drops hints from the end when narrow.
	short := []key.Binding{f.keys.Save}
	switch cur := f.fields[f.focus]; {
	case cur.kind == fieldChoice:
		short = append(short, f.keys.Choose)
	case cur.kind == fieldLookup && len(cur.sugg) > 0:
		short = append(short, f.keys.Suggest)
	}
	if f.stale {
		short = append(short, f.keys.Reload)
	}
	short = append(short, f.keys.Cancel, f.keys.Next, f.keys.Prev, f.keys.Enter)
	return keyMap{short: short}
}

// changed reports whether anything was typed since the form opened.
func (f *formScreen) changed() bool {
	for _, fl := range f.fields {
		if fl.value() != fl.initial {
			return true
		}
	}
	return false
}

// get returns the value of the named field.
func (f *formScreen) get(name string) string {
	for _, fl := range f.fields {
		if fl.name == name {
			return fl.value()
		}
	}
	return ""
}

// field returns the named field (nil when the form has none).
func (f *formScreen) field(name string) *formField {
	for _, fl := range f.fields {
		if fl.name == name {
			return fl
		}
	}
	return nil
}

func (f *formScreen) setFocus(i int) tea.Cmd {
	f.fields[f.focus].blur()
	f.focus = (i + len(f.fields)) % len(f.fields)
	return f.fields[f.focus].focus()
}

// Update implements Screen.
func (f *formScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		return f, f.key(msg)
	case tea.PasteMsg:
		return f, f.edit(msg)
	case confirmedMsg:
		switch msg.tag {
		case "discard form":
			return f, back(nil)
		case "reload form":
			return f, f.reload()
		case takeTheirs:
			return f, f.takeTheirs()
		}
	case changesMsg:
		return f, f.onChanges(msg)
	case focusMsg:
		return f, f.onFocus()
	case formSavedMsg:
		cmd := f.saved(msg)
		if msg.err != nil && f.spec.refresh != nil {
			cmd = tea.Batch(cmd, f.spec.refresh(f))
		}
		return f, cmd
	case formNoteMsg:
		if msg.form == f && msg.err == nil {
			f.spec.note = msg.note
			for name, h := range msg.hints {
				if fl := f.field(name); fl != nil {
					fl.hint = h
				}
			}
		}
		return f, nil
	case dbWatchMsg:
		return f, f.dbWatched(msg)
	case formReloadedMsg:
		if f.live.peeking {
			return f, f.onPeek(msg)
		}
		if msg.err != nil {
			return f, reportError("reload", msg.err)
		}
		for _, fl := range f.fields {
			if v, ok := msg.values[fl.name]; ok {
				fl.setValue(v)
				if fl.kind == fieldLookup {
					fl.picked.label = v
				}
			}
		}
		f.version, f.stale, f.banner, f.errs = msg.version, false, "", map[string]string{}
		f.live = formLive{}
		return f, info("reloaded: the latest values are shown")
	case suggestTickMsg:
		if msg.form == f && msg.field == f.focus && msg.seq == f.fields[f.focus].suggSeq {
			return f, f.search(msg.field, msg.seq)
		}
	case suggestMsg:
		if msg.form != f || msg.field != f.focus || msg.seq != f.fields[f.focus].suggSeq {
			return f, nil
		}
		if msg.err != nil {
			return f, reportError("search", msg.err)
		}
		fl := f.fields[msg.field]
		fl.sugg, fl.suggAt = msg.items, -1
		if fl.mustPick && len(msg.items) > 0 {
			fl.suggAt = 0
		}
	}
	return f, nil
}

func (f *formScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := keyString(msg.String())
	cur := f.fields[f.focus]
	switch {
	case f.saving && key.Matches(k, f.keys.Cancel, f.keys.Save):
		return info("saving… one moment")
	case key.Matches(k, f.keys.Cancel):
		if f.changed() {
			return push(newConfirm(f.e, "Discard your changes to this form?", "discard form", 0))
		}
		return back(nil)
	case key.Matches(k, f.keys.Save):
		return f.submit()
	case key.Matches(k, f.keys.Reload) && f.live.theirs != nil:
		return f.showTheirs()
	case key.Matches(k, f.keys.Reload) && f.spec.reload != nil:
		return f.reload()
	case key.Matches(k, f.keys.Next):
		return f.setFocus(f.focus + 1)
	case key.Matches(k, f.keys.Prev):
		return f.setFocus(f.focus - 1)
	case cur.kind == fieldLookup && len(cur.sugg) > 0 && key.Matches(k, f.keys.Suggest):
		if k == "down" {
			cur.suggAt = min(cur.suggAt+1, len(cur.sugg)-1)
		} else {
			cur.suggAt = max(cur.suggAt-1, -1)
		}
		return nil
	case key.Matches(k, f.keys.Enter):
		if cur.kind == fieldNotes {
			break
		}
		f.pick(cur)
		if f.focus == len(f.fields)-1 {
			return f.submit()
		}
		return f.setFocus(f.focus + 1)
	case cur.kind == fieldChoice && key.Matches(k, f.keys.Choose):
		n := len(cur.options)
		if k == "left" {
			cur.choice = (cur.choice + n - 1) % n
		} else {
			cur.choice = (cur.choice + 1) % n
		}
		delete(f.errs, cur.name)
		return nil
	case cur.kind != fieldNotes && (k == "up" || k == "down"):
		if k == "up" {
			return f.setFocus(f.focus - 1)
		}
		return f.setFocus(f.focus + 1)
	}
	return f.edit(msg)
}

// pick takes the highlighted suggestion of a lookup field, if any.
func (f *formScreen) pick(fl *formField) {
	if fl.kind == fieldLookup && fl.suggAt >= 0 && fl.suggAt < len(fl.sugg) {
		fl.picked = fl.sugg[fl.suggAt]
		fl.input.SetValue(fl.picked.label)
		fl.input.CursorEnd()
		fl.sugg, fl.suggAt = nil, -1
		delete(f.errs, fl.name)
	}
}

// edit gives a key or a paste to the focused input.
func (f *formScreen) edit(msg tea.Msg) tea.Cmd {
	cur := f.fields[f.focus]
	before := cur.value()
	var (
		cmd     tea.Cmd
		problem string
	)
	switch cur.kind {
	case fieldChoice:
		return nil
	case fieldNotes:
		cur.area, cmd, problem = updateArea(cur.area, msg)
	default:
		cur.input, cmd, problem = updateInput(cur.input, msg)
	}
	if problem != "" {
		// What was typed so far stays; the field says what was refused.
		f.errs[cur.name] = problem
		return msgCmd(statusMsg{text: fieldMessage(cur.label, problem), err: true})
	}
	if cur.value() == before {
		return cmd
	}
	delete(f.errs, cur.name)
	if cur.kind != fieldLookup {
		return cmd
	}
	if cur.input.Value() != cur.picked.label {
		cur.picked = pickItem{}
	}
	cur.suggSeq++
	form, field, seq := f, f.focus, cur.suggSeq
	return tea.Batch(cmd, f.e.tick(searchDelay, func(time.Time) tea.Msg { return suggestTickMsg{form, field, seq} }))
}

// search runs a lookup field's search in a command.
func (f *formScreen) search(field, seq int) tea.Cmd {
	fl := f.fields[field]
	svc, sess, lookup, text := f.e.svc, f.e.sess, fl.lookup, strings.TrimSpace(fl.input.Value())
	return func() tea.Msg {
		items, err := lookup(svc, sess, text)
		return suggestMsg{form: f, field: field, seq: seq, items: items, err: err}
	}
}

func (f *formScreen) submit() tea.Cmd {
	if f.saving {
		return nil
	}
	f.pick(f.fields[f.focus])
	cmd, errs := f.spec.save(f)
	if len(errs) > 0 {
		f.errs, f.banner = errs, ""
		f.focusFirstError()
		return msgCmd(statusMsg{text: "please correct the fields marked in red", err: true})
	}
	f.saving, f.banner = true, ""
	f.stopWatch()
	return cmd
}

// saved handles the service's answer: success closes the form; any error
// keeps every typed value.
func (f *formScreen) saved(msg formSavedMsg) tea.Cmd {
	f.saving = false
	if msg.err == nil {
		return tea.Batch(back(savedMsg{kind: f.spec.kind, id: msg.id}), info(msg.text))
	}
	if errors.Is(msg.err, domain.ErrNoChange) {
		// Nothing differs from the record: nothing was written, say so.
		return tea.Batch(back(nil), info("nothing changed, so nothing was saved"))
	}
	var (
		ve *domain.ValidationError
		ce *domain.ConflictError
	)
	switch {
	case errors.As(msg.err, &ve):
		f.errs = map[string]string{}
		for name, m := range ve.Fields {
			m = domain.StripControl(m)
			if name == "" || f.field(name) == nil {
				f.banner = joinMsg(f.banner, m)
				continue
			}
			f.errs[name] = m
		}
		f.focusFirstError()
		if f.banner == "" {
			return msgCmd(statusMsg{text: "please correct the fields marked in red", err: true})
		}
	case errors.As(msg.err, &ce) || errors.Is(msg.err, domain.ErrConflict) && f.spec.reload != nil:
		f.stale = true
		f.banner = userMessage(msg.err)
		if f.spec.reload != nil {
			// One way to reload, said once: here, in the form's banner
			// (no dialog, nothing else in the status line).
			f.banner = strings.Replace(f.banner, "press r to reload", "ctrl+r reloads it (what you typed stays until then)", 1)
			return msgCmd(errorMsg{op: "save", err: msg.err, quiet: true})
		}
	case errors.Is(msg.err, domain.ErrForbidden):
		// A refusal says why; trying again would not change the answer.
		f.banner = userMessage(msg.err)
	case errors.Is(msg.err, domain.ErrUnavailable):
		f.banner = "the database cannot be reached — nothing was lost; this form says when it is back"
		f.stopWatch()
		return tea.Batch(reportError("save", msg.err), f.watchDB(watchFirst))
	default:
		f.banner = userMessage(msg.err) + " — nothing was lost: ctrl+s tries again"
	}
	return reportError("save", msg.err)
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

func (f *formScreen) focusFirstError() {
	for i, fl := range f.fields {
		if f.errs[fl.name] != "" {
			if i != f.focus {
				f.setFocus(i)
			}
			return
		}
	}
}

func (f *formScreen) reload() tea.Cmd {
	if f.spec.reload == nil {
		return nil
	}
	return f.spec.reload(f)
}
