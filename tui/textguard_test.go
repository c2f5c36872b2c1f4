package tui

import (
	"context"
	"strings"
	"testing"

	"charm.land/bubbles/v2/textarea"
	tea "charm.land/bubbletea/v2"

	"github.com/epic-events/crm/domain"
)

func altKey(r rune) tea.KeyPressMsg { return tea.KeyPressMsg{Code: r, Mod: tea.ModAlt} }

// TestAltDOnLastCharacterDoesNotPanic is the crash of bubbles v2.2.1's
// textinput (charmbracelet/bubbles#1056): "Hello", ←, alt+d.
func TestAltDOnLastCharacterDoesNotPanic(t *testing.T) {
	keys := []tea.KeyPressMsg{altKey('d'), {Code: tea.KeyDelete, Mod: tea.ModAlt}, {Code: tea.KeyDelete, Mod: tea.ModCtrl}}
	for _, k := range keys {
		t.Run(k.String(), func(t *testing.T) {
			in := newTextInput("", "")
			in.Focus()
			for _, r := range "Hello" {
				in, _, _ = updateInput(in, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
			in, _, _ = updateInput(in, tea.KeyPressMsg{Code: tea.KeyLeft})
			in, _, _ = updateInput(in, k)
			if in.Value() != "Hell" || in.Position() != 4 {
				t.Errorf("value %q cursor %d, want %q cursor 4", in.Value(), in.Position(), "Hell")
			}
		})
	}
}

func TestDeleteWordForward(t *testing.T) {
	cases := []struct {
		value  string
		cursor int
		want   string
	}{
		{"abc d", 1, "a d"},     // inside a word: the rest of it
		{"ab c", 1, "a c"},      // on a word's last letter: that letter only (bubbles also ate "c")
		{"ab", 1, "a"},          // on the value's last letter (bubbles panicked)
		{"ab  cd e", 2, "ab e"}, // before spaces: the spaces and the next word
		{"ab", 2, "ab"},         // at the end: nothing
		{"Chloé Martin", 3, "Chl Martin"},
	}
	for _, c := range cases {
		in := newTextInput("", "")
		in.Focus()
		in.SetValue(c.value)
		in.SetCursor(c.cursor)
		in, _, _ = updateInput(in, altKey('d'))
		if in.Value() != c.want || in.Position() != min(c.cursor, len([]rune(c.want))) {
			t.Errorf("%q at %d: got %q at %d, want %q", c.value, c.cursor, in.Value(), in.Position(), c.want)
		}
	}
	pw := newPasswordInput("", "")
	pw.Focus()
	pw.SetValue("two words")
	pw.SetCursor(2)
	pw, _, _ = updateInput(pw, altKey('d'))
	if pw.Value() != "tw" {
		t.Errorf("a masked input deletes to its end (word breaks stay hidden): got %q", pw.Value())
	}
}

// TestTextareaDeletionKeys tries every word and line deletion key of the
// notes field at every cursor position of a few texts, with and without a
// selection attempt before (selection keys are off: see safeAreaKeys).
func TestTextareaDeletionKeys(t *testing.T) {
	deletions := []tea.KeyPressMsg{
		altKey('d'), {Code: tea.KeyDelete, Mod: tea.ModAlt}, {Code: tea.KeyDelete, Mod: tea.ModCtrl},
		{Code: tea.KeyBackspace, Mod: tea.ModAlt}, {Code: 'w', Mod: tea.ModCtrl}, {Code: tea.KeyBackspace, Mod: tea.ModCtrl},
		{Code: 'k', Mod: tea.ModCtrl}, {Code: 'u', Mod: tea.ModCtrl}, {Code: 'h', Mod: tea.ModCtrl}, {Code: 'd', Mod: tea.ModCtrl},
		{Code: tea.KeyBackspace}, {Code: tea.KeyDelete}, {Code: 't', Mod: tea.ModCtrl},
		altKey('c'), altKey('l'), altKey('u'),
	}
	before := []tea.KeyPressMsg{{}, {Code: 'f', Mod: tea.ModAlt | tea.ModShift}}
	texts := []string{"", "a", "Hello", "ab c\n\nd  e\nlast", "  \n "}
	for _, text := range texts {
		lines := strings.Split(text, "\n")
		for row := range lines {
			for col := 0; col <= len([]rune(lines[row])); col++ {
				for _, pre := range before {
					for _, k := range deletions {
						func() {
							defer func() {
								if v := recover(); v != nil {
									t.Fatalf("%q row %d col %d, %q then %q: panic %v", text, row, col, pre.String(), k.String(), v)
								}
							}()
							ta := textarea.New()
							safeAreaKeys(&ta)
							ta.SetWidth(20)
							ta.SetHeight(4)
							ta.Focus()
							ta.SetValue(text)
							ta.MoveToBegin()
							for range row {
								ta.CursorDown()
							}
							ta.SetCursorColumn(col)
							for range 2 {
								ta, _, _ = updateArea(ta, pre)
								ta, _, _ = updateArea(ta, k)
								ta, _, _ = updateArea(ta, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
								_ = ta.View()
							}
						}()
					}
				}
			}
		}
	}
}

func TestInputRefusesControlCharacters(t *testing.T) {
	cases := []struct {
		msg  tea.Msg
		want string
	}{
		{tea.PasteMsg{Content: "a\nb"}, "a newline (U+000A) is not allowed here"},
		{tea.PasteMsg{Content: "a\rb"}, "a carriage return (U+000D) is not allowed here"},
		{tea.PasteMsg{Content: "\x1b[31mred"}, "an escape character (ESC, U+001B) is not allowed here"},
		{tea.PasteMsg{Content: "tab\there"}, "a tab (U+0009) is not allowed here"},
		{tea.PasteMsg{Content: "del\x7f"}, "a delete character (DEL, U+007F) is not allowed here"},
		{tea.PasteMsg{Content: "c1\u009b"}, "a control character (U+009B) is not allowed here"},
		{tea.PasteMsg{Content: "evil\u202egnp.exe"}, "a text direction mark (U+202E) is not allowed here"},
		{tea.KeyPressMsg{Code: 0x07, Text: "\a"}, "a control character (U+0007) is not allowed here"},
	}
	for _, c := range cases {
		in := newTextInput("", "")
		in.Focus()
		in.SetValue("typed")
		got, _, problem := updateInput(in, c.msg)
		if problem != c.want {
			t.Errorf("%q: problem %q, want %q", c.msg, problem, c.want)
		}
		if got.Value() != "typed" {
			t.Errorf("%q: the value became %q; what was typed must stay as it was", c.msg, got.Value())
		}
	}
	long := strings.Repeat("x", 300) + "@example.com"
	in := newTextInput("", "")
	in.Focus()
	in, _, problem := updateInput(in, tea.PasteMsg{Content: long})
	if problem != "" || in.Value() != long {
		t.Errorf("a 312-character paste must arrive whole (the domain says what is too long): got %d characters, %q", len(in.Value()), problem)
	}
}

func TestNotesTakeNewlinesButNotEscapes(t *testing.T) {
	ta := textarea.New()
	safeAreaKeys(&ta)
	ta.Focus()
	ta, _, problem := updateArea(ta, tea.PasteMsg{Content: "first\r\nsecond\rthird\n\tfourth"})
	if problem != "" || ta.Value() != "first\nsecond\nthird\n    fourth" {
		t.Errorf("notes paste: %q, problem %q", ta.Value(), problem)
	}
	ta, _, problem = updateArea(ta, tea.PasteMsg{Content: "\x1b]52;c;aGVsbG8=\a"})
	if problem != "an escape character (ESC, U+001B) is not allowed here" || strings.Contains(ta.Value(), "52") {
		t.Errorf("an escape sequence pasted into notes: value %q, problem %q", ta.Value(), problem)
	}
	many := strings.Repeat("line\n", 150)
	ta2 := textarea.New()
	safeAreaKeys(&ta2)
	ta2.Focus()
	ta2, _, _ = updateArea(ta2, tea.PasteMsg{Content: many})
	if ta2.Value() != many {
		t.Errorf("a 150-line paste was cut to %d lines", strings.Count(ta2.Value(), "\n"))
	}
}

func TestClipboardKeyIsOff(t *testing.T) {
	in := newTextInput("", "")
	in.Focus()
	_, cmd, _ := updateInput(in, tea.KeyPressMsg{Code: 'v', Mod: tea.ModCtrl})
	if cmd != nil {
		t.Error("ctrl+v returned a command: it would read the clipboard of the machine the app runs on")
	}
	ta := textarea.New()
	safeAreaKeys(&ta)
	ta.Focus()
	if _, cmd, _ := updateArea(ta, tea.KeyPressMsg{Code: 'v', Mod: tea.ModCtrl}); cmd != nil {
		t.Error("ctrl+v in notes returned a command")
	}
}

// TestFormRefusesPastedNewline: a newline pasted into the client's name is
// refused with a message naming the field and the character, what was
// typed stays, and nothing is saved with a space in its place.
func TestFormRefusesPastedNewline(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(w.salesSess), 100, 30)
	openClientForm(r)
	r.typeText("Eve")
	// A terminal sends the paste between its start and end markers.
	r.tm.Send(tea.PasteStartMsg{})
	r.tm.Send(tea.PasteMsg{Content: " Martin\nDROP"})
	r.tm.Send(tea.PasteEndMsg{})
	r.waitFor("full name: a newline (U+000A) is not allowed here")
	r.waitFor("Eve")
	if strings.Contains(r.o.screen(), "DROP") {
		t.Fatalf("the refused paste went into the field:\n%s", r.o.screen())
	}
	r.tm.Send(tea.PasteMsg{Content: " Martin"})
	r.waitFor("Eve Martin")
	r.waitGone("is not allowed here")
	page := must(w.svc.Clients.List(context.Background(), w.mgrSess, domain.ListQuery{Search: "DROP", Limit: 10}))
	if len(page.Items) != 0 {
		t.Errorf("a client was saved from the refused paste: %+v", page.Items)
	}
}

// TestLoginAltDKeepsWorking drives the whole app: the crash happened on the
// login screen's email field, locally and over serve.
func TestLoginAltDKeepsWorking(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(nil), 100, 30)
	r.waitFor("Log in")
	r.typeText("Hello")
	r.press(tea.KeyLeft)
	r.press('d', tea.ModAlt)
	r.typeText("!")
	r.waitFor("Hell!")
}

// TestLoginRefusesPastedNewline: the login screen says so, and the paste's
// end marker that follows does not wipe the message.
func TestLoginRefusesPastedNewline(t *testing.T) {
	w := newWorld(t)
	r := start(t, w.options(nil), 100, 30)
	r.waitFor("Log in")
	r.typeText("sam")
	r.tm.Send(tea.PasteStartMsg{})
	r.tm.Send(tea.PasteMsg{Content: "@epic.test\r"})
	r.tm.Send(tea.PasteEndMsg{})
	r.waitFor("email: a carriage return (U+000D) is not allowed here")
	r.tm.Send(tea.PasteStartMsg{})
	r.tm.Send(tea.PasteMsg{Content: "@epic.test"})
	r.tm.Send(tea.PasteEndMsg{})
	r.waitFor("sam@epic.test")
	r.waitGone("is not allowed here")
}
