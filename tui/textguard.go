package tui

import (
	"strconv"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// Every text field of the UI (login, setup, forms, list search, picker
// filter, notes) goes through updateInput or updateArea instead of calling
// the bubbles component directly. They stand between the terminal and the
// component for two reasons:
//
//   - what a key or a paste would insert is checked first: a control
//     character (C0 including ESC, so no escape sequence; DEL; C1) or a
//     bidirectional override is refused with a sentence naming it, and the
//     field keeps what was typed so far. The components would silently turn
//     such characters into spaces and save something else than what the
//     user sees in their clipboard (SPEC §2).
//   - bubbles v2.2.1's textinput panics on "delete word forward" (alt+d,
//     alt+delete, ctrl+delete) when the cursor is on the last character
//     (charmbracelet/bubbles#1056, no fixed release): that key is done here.
//
// The components' own length limits are lifted (CharLimit 0, no textarea
// line limit below maxFieldRunes): a field never cuts what was typed or
// pasted, the domain's length message speaks instead.

// maxFieldRunes bounds what one field holds, far above every domain limit
// (5 000 characters for event notes): only a runaway paste reaches it, and
// it is refused whole with a message, never cut.
const maxFieldRunes = 20000

// charName names a character the way the user reads it in a message.
func charName(r rune) string {
	code := "U+" + strings.ToUpper(strconv.FormatInt(int64(r), 16))
	if len(code) < 6 {
		code = "U+" + strings.Repeat("0", 6-len(code)) + code[2:]
	}
	switch {
	case r == '\n':
		return "a newline (" + code + ")"
	case r == '\r':
		return "a carriage return (" + code + ")"
	case r == '\t':
		return "a tab (" + code + ")"
	case r == 0x1b:
		return "an escape character (ESC, " + code + ")"
	case r == 0x7f:
		return "a delete character (DEL, " + code + ")"
	case r == 0:
		return "a null character (" + code + ")"
	case r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069':
		return "a text direction mark (" + code + ")"
	}
	return "a control character (" + code + ")"
}

// refusedChar reports whether a field may not hold r: C0 (ESC included),
// DEL, C1 and the bidirectional overrides and isolates, as the domain
// refuses them; multi-line notes also take newlines and tabs.
func refusedChar(r rune, multiline bool) bool {
	if multiline && (r == '\n' || r == '\t') {
		return false
	}
	return r < 0x20 || r >= 0x7f && r <= 0x9f ||
		r >= '\u202a' && r <= '\u202e' || r >= '\u2066' && r <= '\u2069'
}

// inserted returns the text msg would insert into a field and whether msg
// inserts text at all (a typed character or a paste). A notes field reads
// a pasted "\r\n" or "\r" as a newline: terminals send line breaks in a
// paste as carriage returns.
func inserted(msg tea.Msg, multiline bool) (string, bool) {
	var s string
	switch m := msg.(type) {
	case tea.KeyPressMsg:
		if m.Text == "" {
			return "", false
		}
		s = m.Text
	case tea.PasteMsg:
		s = m.Content
	default:
		return "", false
	}
	if multiline {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	}
	return s, true
}

// insertProblem returns why text may not go into a field ("" when it may),
// given the number of characters the field already holds.
func insertProblem(text string, multiline bool, have int) string {
	for _, r := range text {
		if refusedChar(r, multiline) {
			return charName(r) + " is not allowed here"
		}
	}
	if n := have + len([]rune(text)); n > maxFieldRunes {
		return "this would make " + strconv.Itoa(n) + " characters, far more than the field takes; nothing was pasted"
	}
	return ""
}

// fieldMessage prefixes a problem with the field's name for the status
// line: "name: a newline (U+000A) is not allowed here".
func fieldMessage(label, problem string) string {
	label = strings.ToLower(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(label), ":")))
	if label == "" {
		return problem
	}
	return label + ": " + problem
}

// noKeys is a binding that matches nothing.
func noKeys() key.Binding { return key.NewBinding(key.WithDisabled()) }

// safeInputKeys turns off what the app must not offer in a text input:
// ctrl+v reads the clipboard of the machine the app runs on (over `serve`,
// the server's), bypassing the paste check; the terminal's own paste
// still works.
func safeInputKeys(in *textinput.Model) {
	in.KeyMap.Paste = noKeys()
	in.CharLimit = 0
}

// safeAreaKeys does the same for a textarea and also turns off keyboard
// selection: bubbles v2.2.1 keeps a selection's rows after line deletions
// (ctrl+u, ctrl+w at a line start, ctrl+k at a line end merge lines) and
// then indexes past them, a panic our key storm found within a few
// hundred keys.
func safeAreaKeys(ta *textarea.Model) {
	km := &ta.KeyMap
	km.Paste, km.CopySelection, km.SelectAll = noKeys(), noKeys(), noKeys()
	km.SelectCharacterForward, km.SelectCharacterBackward = noKeys(), noKeys()
	km.SelectWordForward, km.SelectWordBackward = noKeys(), noKeys()
	km.SelectLineUp, km.SelectLineDown = noKeys(), noKeys()
	ta.CharLimit, ta.MaxHeight = 0, 0
}

// updateInput gives msg to a one-line input unless it would insert a
// refused character; problem says why it was refused ("" otherwise).
func updateInput(in textinput.Model, msg tea.Msg) (_ textinput.Model, cmd tea.Cmd, problem string) {
	if text, ok := inserted(msg, false); ok {
		if p := insertProblem(text, false, len([]rune(in.Value()))); p != "" {
			return in, nil, p
		}
	}
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, in.KeyMap.DeleteWordForward) {
		deleteWordForward(&in)
		return in, nil, ""
	}
	in, cmd = in.Update(msg)
	return in, cmd, ""
}

// deleteWordForward deletes from the cursor to the end of the word under
// or after it (the spaces before that word included), as readline's
// alt+d does; a masked input deletes to its end so as not to reveal where
// the words break.
func deleteWordForward(in *textinput.Model) {
	v := []rune(in.Value())
	pos := min(in.Position(), len(v))
	end := len(v)
	if in.EchoMode == textinput.EchoNormal {
		end = pos
		for end < len(v) && unicode.IsSpace(v[end]) {
			end++
		}
		for end < len(v) && !unicode.IsSpace(v[end]) {
			end++
		}
	}
	if end == pos {
		return
	}
	in.SetValue(string(v[:pos]) + string(v[end:]))
	in.SetCursor(pos)
}

// updateArea is updateInput for a multi-line notes field.
func updateArea(ta textarea.Model, msg tea.Msg) (_ textarea.Model, cmd tea.Cmd, problem string) {
	if text, ok := inserted(msg, true); ok {
		if p := insertProblem(text, true, ta.Length()); p != "" {
			return ta, nil, p
		}
		if p, isPaste := msg.(tea.PasteMsg); isPaste {
			p.Content = text
			msg = p
		}
	}
	ta, cmd = ta.Update(msg)
	return ta, cmd, ""
}
