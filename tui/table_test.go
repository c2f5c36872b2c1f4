package tui

import (
	"strconv"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func testTable(w, h int, n int) table {
	t := newTable(newStyles(true, true), []column{
		{title: "#", min: 4, right: true, prio: 3},
		{title: "Name", min: 10, max: 20, grow: 2},
		{title: "Company", min: 10, grow: 1, prio: 1},
		{title: "Notes", min: 12, prio: 2},
	})
	t.SetSize(w, h)
	rows := make([][]string, n)
	for i := range rows {
		rows[i] = []string{itoa(i + 1), "Client " + itoa(i+1), "Acme", "note"}
	}
	t.SetRows(rows)
	return t
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestTableDropsLowPriorityColumnsWhenNarrow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		width int
		want  []string
		gone  []string
	}{
		{80, []string{"#", "Name", "Company", "Notes"}, nil},
		{36, []string{"Name", "Company", "Notes"}, []string{"#"}},
		{26, []string{"Name", "Company"}, []string{"Notes"}},
		{18, []string{"Name"}, []string{"Company", "Notes"}},
	}
	for _, tc := range tests {
		tbl := testTable(tc.width, 5, 3)
		header := ansi.Strip(strings.SplitN(tbl.View(), "\n", 2)[0])
		for _, w := range tc.want {
			if !strings.Contains(header, w) {
				t.Errorf("width %d: header %q lacks %q", tc.width, header, w)
			}
		}
		for _, g := range tc.gone {
			if strings.Contains(header, g) {
				t.Errorf("width %d: header %q still shows %q", tc.width, header, g)
			}
		}
	}
}

func TestTableRendersExactlyItsSizeAndKeepsSelectionVisible(t *testing.T) {
	t.Parallel()
	tbl := testTable(40, 6, 100)
	for i := 0; i < 30; i++ {
		tbl.Move(1)
	}
	lines := strings.Split(tbl.View(), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 6", len(lines))
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != 40 {
			t.Errorf("line %d is %d wide, want 40: %q", i, w, l)
		}
	}
	if !strings.Contains(lines[5], "Client 31") {
		t.Errorf("the selected row 31 should be the last visible line, got %q", lines[5])
	}
	tbl.SetCursor(0)
	if lines = strings.Split(tbl.View(), "\n"); !strings.Contains(lines[1], "Client 1 ") {
		t.Errorf("after home the first row should be visible, got %q", lines[1])
	}
}

func TestTableStripsControlCharactersAndTruncates(t *testing.T) {
	t.Parallel()
	tbl := testTable(40, 4, 0)
	tbl.SetRows([][]string{{"1", "Evil\x1b[2J\x07 name that is far too long", "Acme", ""}})
	out := tbl.View()
	if strings.Contains(out, "\x1b[2J") || strings.Contains(out, "\x07") {
		t.Fatalf("control characters reached the screen: %q", out)
	}
	if !strings.Contains(ansi.Strip(out), "…") {
		t.Errorf("a long cell should be cut with an ellipsis: %q", ansi.Strip(out))
	}
}

func TestTableColumnsTakeTheirContentsWidth(t *testing.T) {
	t.Parallel()
	tbl := newTable(newStyles(true, true), []column{
		{title: "#", min: 2, right: true, prio: 3},
		{title: "Name", min: 8, max: 30, grow: 1},
		{title: "Email", min: 10, max: 24, prio: 1},
		{title: "Phone", min: 8, prio: 2},
	})
	tbl.SetSize(80, 5)
	tbl.SetRows([][]string{
		{"123456", "Chloé Lefèvre", "chloe.lefevre@initech.test", "+33 6 12 34 56 78"},
		{"7", "Al", "al@x.test", "01 23 45 67 89"},
	})
	view := ansi.Strip(tbl.View())
	for _, whole := range []string{"123456", "Chloé Lefèvre", "+33 6 12 34 56 78"} {
		if !strings.Contains(view, whole) {
			t.Errorf("%q is not shown in full at 80 columns:\n%s", whole, view)
		}
	}
	// The email is capped at 24: cut, the other columns whole.
	if !strings.Contains(view, "chloe.lefevre@initech.t…") {
		t.Errorf("the email should be cut at its cap of 24:\n%s", view)
	}
	// Narrower: the phone (prio 2) drops out before the email (prio 1) is
	// cut, and the id (prio 3) before the phone.
	tbl.SetSize(44, 5)
	view = ansi.Strip(tbl.View())
	if strings.Contains(view, "Phone") || strings.Contains(view, "123456") || !strings.Contains(view, "chloe.lefevre@initech.t…") || !strings.Contains(view, "Chloé Lefèvre") {
		t.Errorf("at 44 columns want name and email whole, no id nor phone:\n%s", view)
	}
	// A wider cell in the next page widens its column.
	tbl.SetSize(80, 5)
	tbl.AppendRows([][]string{{"8", "Bartholomew Montgomery-Smythe", "b@x.test", "1"}})
	if view = ansi.Strip(tbl.View()); !strings.Contains(view, "Bartholomew Montgomery-Smythe") {
		t.Errorf("the longer name of the next page is cut:\n%s", view)
	}
}

func TestTablePrependKeepsTheSelection(t *testing.T) {
	t.Parallel()
	tbl := testTable(40, 6, 10)
	tbl.SetCursor(2)
	tbl.PrependRows([][]string{{"0", "Client 0", "Acme", ""}, {"-1", "Client -1", "Acme", ""}})
	if tbl.Cursor() != 4 || tbl.rows[4][1] != "Client 3" {
		t.Fatalf("cursor %d on %q, want 4 on Client 3", tbl.Cursor(), tbl.rows[tbl.Cursor()][1])
	}
	lines := strings.Split(ansi.Strip(tbl.View()), "\n")
	if !strings.Contains(lines[1], "Client 1 ") {
		t.Errorf("the view moved: first row %q, want Client 1", lines[1])
	}
}

func TestTableRemoveRowSelectsTheNext(t *testing.T) {
	t.Parallel()
	tbl := testTable(40, 10, 5)
	tbl.SetCursor(2)
	tbl.RemoveRow(2)
	if tbl.Cursor() != 2 || tbl.rows[2][1] != "Client 4" {
		t.Fatalf("cursor %d on %q, want 2 on Client 4", tbl.Cursor(), tbl.rows[tbl.Cursor()][1])
	}
	tbl.SetCursor(3)
	tbl.RemoveRow(3)
	if tbl.Cursor() != 2 {
		t.Fatalf("removing the last row should select the new last, got %d", tbl.Cursor())
	}
}

func TestTableEmpty(t *testing.T) {
	t.Parallel()
	tbl := testTable(40, 4, 0)
	lines := strings.Split(ansi.Strip(tbl.View()), "\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "nothing here") {
		t.Fatalf("empty table: %q", lines)
	}
}

func BenchmarkTableKeyDown(b *testing.B) {
	tbl := testTable(100, 27, 200)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%190 == 0 {
			tbl.SetCursor(0)
		}
		tbl.Move(1)
		_ = tbl.View()
	}
}
