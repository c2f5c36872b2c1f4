package tui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/epic-events/crm/domain"
)

// rolesScreen is the permission matrix: one row per permission, one
// column per role. Arrows or hjkl move, space grants or revokes the cell;
// the service decides (management keeps role:grant:any) and the line under
// the matrix says what happened or why not.
type rolesScreen struct {
	e        *env
	m        domain.RoleMatrix
	loaded   bool
	row, col int
	offset   int
	busy     bool
	result   string
	resultOK bool
	w, h     int
	keys     struct{ Up, Down, Left, Right, Toggle, Reload, PageUp, PageDown key.Binding }
}

type matrixMsg struct {
	m   domain.RoleMatrix
	err error
}

type roleChangedMsg struct {
	role  domain.Role
	code  string
	grant bool
	err   error
}

func newRolesScreen(e *env) Screen {
	s := &rolesScreen{e: e}
	s.keys.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	s.keys.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	s.keys.Left = key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left"))
	s.keys.Right = key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right"))
	s.keys.PageUp = key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up"))
	s.keys.PageDown = key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down"))
	s.keys.Toggle = key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "grant/revoke"))
	s.keys.Reload = key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload"))
	return s
}

// Init implements Screen.
func (s *rolesScreen) Init() tea.Cmd { return s.load() }

func (s *rolesScreen) load() tea.Cmd {
	svc, sess := s.e.svc, s.e.sess
	return func() tea.Msg {
		ctx, cancel := callCtx()
		defer cancel()
		m, err := svc.Roles.Matrix(ctx, sess)
		return matrixMsg{m, err}
	}
}

// SetSize implements Screen.
func (s *rolesScreen) SetSize(w, h int) { s.w, s.h = w, h }

// KeyMap implements Screen.
func (s *rolesScreen) KeyMap() help.KeyMap {
	actions := []key.Binding{}
	if domain.CanGrant(s.e.actor) == nil {
		actions = append(actions, s.keys.Toggle)
	}
	actions = append(actions, s.keys.Reload)
	nav := []key.Binding{s.keys.Up, s.keys.Down, s.keys.Left, s.keys.Right, s.keys.PageUp, s.keys.PageDown}
	return keyMap{short: append(nav[:4:4], actions...), full: [][]key.Binding{nav, actions}}
}

// Update implements Screen.
func (s *rolesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case matrixMsg:
		if msg.err != nil {
			return s, reportError("load permissions", msg.err)
		}
		s.m, s.loaded = msg.m, true
		s.row = min(s.row, max(len(s.m.Permissions)-1, 0))
	case focusMsg:
		return s, s.load()
	case changesMsg:
		// Another manager's grant or revoke shows at once (on focus otherwise).
		if msg.onTop && !s.busy && msg.touches("role") {
			return s, s.load()
		}
	case roleChangedMsg:
		s.busy = false
		if msg.err != nil {
			s.result, s.resultOK = userMessage(msg.err), false
			return s, reportError("change permission", msg.err)
		}
		if s.m.Granted[msg.role] == nil {
			s.m.Granted[msg.role] = map[string]bool{}
		}
		s.m.Granted[msg.role][msg.code] = msg.grant
		s.result, s.resultOK = msg.code+" granted to "+string(msg.role), true
		if !msg.grant {
			s.result = msg.code + " revoked from " + string(msg.role)
		}
		return s, tea.Batch(info(s.result+" — effective at their next action"), refreshActor(s.e.svc, s.e.sess))
	case tea.KeyPressMsg:
		return s, s.key(keyString(msg.String()))
	}
	return s, nil
}

func (s *rolesScreen) key(k keyString) tea.Cmd {
	n := len(s.m.Permissions)
	if !key.Matches(k, s.keys.Toggle) {
		s.result = ""
	}
	switch {
	case key.Matches(k, s.keys.Up):
		s.row = max(s.row-1, 0)
	case key.Matches(k, s.keys.Down):
		s.row = max(min(s.row+1, n-1), 0)
	case key.Matches(k, s.keys.PageUp):
		s.row = max(s.row-s.rows(), 0)
	case key.Matches(k, s.keys.PageDown):
		s.row = max(min(s.row+s.rows(), n-1), 0)
	case key.Matches(k, s.keys.Left):
		s.col = max(s.col-1, 0)
	case key.Matches(k, s.keys.Right):
		s.col = min(s.col+1, len(domain.Roles)-1)
	case key.Matches(k, s.keys.Reload):
		return s.load()
	case key.Matches(k, s.keys.Toggle):
		if !s.loaded || n == 0 || s.busy {
			return nil
		}
		s.busy = true
		role, code := domain.Roles[s.col], s.m.Permissions[s.row].Code
		grant := !s.m.Granted[role][code]
		svc, sess := s.e.svc, s.e.sess
		return func() tea.Msg {
			ctx, cancel := callCtx()
			defer cancel()
			var err error
			if grant {
				err = svc.Roles.Grant(ctx, sess, role, code)
			} else {
				err = svc.Roles.Revoke(ctx, sess, role, code)
			}
			return roleChangedMsg{role: role, code: code, grant: grant, err: err}
		}
	}
	return nil
}

// rows is how many permission rows fit.
func (s *rolesScreen) rows() int { return max(s.h-3, 1) }

const roleColWidth = 12

// View implements Screen.
func (s *rolesScreen) View() string {
	st := s.e.st
	if !s.loaded {
		return fit(st.Dim.Render("loading permissions…"), s.w, s.h)
	}
	codeW := 28
	for _, p := range s.m.Permissions {
		codeW = max(codeW, len(p.Code)+1)
	}
	codeW = min(codeW, max(s.w-len(domain.Roles)*roleColWidth, 12))
	descW := s.w - codeW - len(domain.Roles)*roleColWidth - 1
	var b strings.Builder
	b.WriteString(st.Title.Render("Roles & permissions"))
	b.WriteString(st.Dim.Render("  space grants or revokes the selected cell"))
	b.WriteByte('\n')
	hdr := padCell("Permission", codeW)
	for _, r := range domain.Roles {
		hdr += centre(string(r), roleColWidth)
	}
	if descW > 10 {
		hdr += " Description"
	}
	b.WriteString(st.Header.Render(hdr))
	rows := s.rows()
	if s.row < s.offset {
		s.offset = s.row
	}
	if s.row >= s.offset+rows {
		s.offset = s.row - rows + 1
	}
	for i := s.offset; i < len(s.m.Permissions) && i < s.offset+rows; i++ {
		p := s.m.Permissions[i]
		b.WriteByte('\n')
		line := padCell(p.Code, codeW)
		if i == s.row {
			line = st.Value.Render(line)
		}
		for j, r := range domain.Roles {
			mark := "·"
			if s.m.Granted[r][p.Code] {
				mark = "✓"
			}
			cell := centre(mark, roleColWidth)
			if i == s.row && j == s.col {
				cell = st.Selected.Render(cell)
			}
			line += cell
		}
		if descW > 10 {
			line += " " + st.Dim.Render(ansi.Truncate(domain.StripControl(p.Description), descW, "…"))
		}
		b.WriteString(line)
	}
	for i := min(len(s.m.Permissions)-s.offset, rows); i < rows; i++ {
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	switch {
	case s.busy:
		b.WriteString(st.Dim.Render("saving…"))
	case s.result != "" && s.resultOK:
		b.WriteString(st.Success.Render(s.result))
	case s.result != "":
		b.WriteString(st.Error.Render(s.result))
	case len(s.m.Permissions) > 0:
		p := s.m.Permissions[s.row]
		b.WriteString(st.Dim.Render(domain.StripControl(p.Code) + " — " + domain.StripControl(p.Description)))
	}
	return fit(b.String(), s.w, s.h)
}

func padCell(s string, w int) string {
	s = ansi.Truncate(domain.StripControl(s), w-1, "…")
	return s + strings.Repeat(" ", max(w-ansi.StringWidth(s), 0))
}

func centre(s string, w int) string {
	sw := ansi.StringWidth(s)
	left := max((w-sw)/2, 0)
	return strings.Repeat(" ", left) + s + strings.Repeat(" ", max(w-sw-left, 0))
}
