package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// styles is every style the UI uses, built once per background (light or
// dark) and colour setting. Screens read them through env.st; never build a
// lipgloss.Style in a View (it allocates on every frame).
type styles struct {
	noColor bool
	isDark  bool

	Title     lipgloss.Style // screen titles
	Tab       lipgloss.Style // inactive view tab
	TabActive lipgloss.Style // active view tab
	Header    lipgloss.Style // table header row
	Selected  lipgloss.Style // the selected table row
	Dim       lipgloss.Style // secondary text
	Label     lipgloss.Style // form / detail labels
	Value     lipgloss.Style // emphasised values (dashboard figures)
	Error     lipgloss.Style // error text (status line, field errors)
	Success   lipgloss.Style // success text
	Status    lipgloss.Style // the status line's user · role · db part
	Box       lipgloss.Style // dialogs and pickers
	Key       lipgloss.Style // key names in help
	Desc      lipgloss.Style // key descriptions in help
	Help      help.Styles
}

// newStyles builds the styles for a dark or light background. With noColor
// (NO_COLOR set) only bold, reverse and underline are used, which NO_COLOR
// allows, so the selection and the active tab stay visible.
func newStyles(isDark, noColor bool) *styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	accent := c("#5A56E0", "#8B87FF")
	dim := c("#767676", "#8A8A8A")
	errc := c("#C62828", "#FF6B6B")
	okc := c("#2E7D32", "#7BD88F")
	border := c("#BDBDBD", "#4A4A4A")

	s := &styles{noColor: noColor, isDark: isDark}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Tab = lipgloss.NewStyle().Foreground(dim)
	s.TabActive = lipgloss.NewStyle().Bold(true).Underline(true).Foreground(accent)
	s.Header = lipgloss.NewStyle().Bold(true).Foreground(dim)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	if !noColor {
		s.Selected = lipgloss.NewStyle().
			Foreground(c("#FFFFFF", "#FFFFFF")).
			Background(c("#5A56E0", "#5A56E0"))
	}
	s.Dim = lipgloss.NewStyle().Foreground(dim)
	s.Label = lipgloss.NewStyle().Foreground(dim)
	s.Value = lipgloss.NewStyle().Bold(true)
	s.Error = lipgloss.NewStyle().Foreground(errc).Bold(noColor)
	s.Success = lipgloss.NewStyle().Foreground(okc)
	s.Status = lipgloss.NewStyle().Foreground(dim)
	s.Box = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(border).Padding(0, 1)
	s.Key = lipgloss.NewStyle().Foreground(c("#4A4A4A", "#C0C0C0")).Bold(noColor)
	s.Desc = lipgloss.NewStyle().Foreground(dim)
	s.Help = help.Styles{
		Ellipsis:       s.Desc,
		ShortKey:       s.Key,
		ShortDesc:      s.Desc,
		ShortSeparator: s.Desc,
		FullKey:        s.Key,
		FullDesc:       s.Desc,
		FullSeparator:  s.Desc,
	}
	return s
}
