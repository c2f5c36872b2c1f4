package cli

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/epic-events/crm/domain"
)

// Output formats of -o, as kubectl and gh users know them.
const (
	formatTable = "table"
	formatJSON  = "json"
	formatJSONL = "jsonl"
	formatCSV   = "csv"
)

var formats = []string{formatTable, formatJSON, formatJSONL, formatCSV}

// currency is the one currency amounts are kept in (SPEC §2).
const currency = "EUR"

// kind says how a cell is written in each format.
type kind int

const (
	kText  kind = iota
	kInt        // a number in JSON
	kMoney      // cents: "1500.00" in JSON/CSV, "1 500.00 €" in a table
	kTime       // RFC 3339 with the offset in JSON/CSV, local "02/01/2006 15:04" in a table
	kBool       // true/false in JSON/CSV, yes/no in a table
	kJSON       // a nested JSON value (audit changes), with its text for CSV and tables
)

// cell is one value of a record, typed so that every printer writes it its
// own way.
type cell struct {
	k    kind
	s    string // text; the text form of a kJSON value
	n    int64
	t    time.Time
	b    bool
	raw  json.RawMessage
	null bool
}

func textCell(s string) cell     { return cell{k: kText, s: s} }
func intCell(n int64) cell       { return cell{k: kInt, n: n} }
func moneyCell(cents int64) cell { return cell{k: kMoney, n: cents} }
func timeCell(t time.Time) cell  { return cell{k: kTime, t: t, null: t.IsZero()} }
func boolCell(b bool) cell       { return cell{k: kBool, b: b} }

func idCell(p *int64) cell {
	if p == nil {
		return cell{k: kInt, null: true}
	}
	return intCell(*p)
}

func optTimeCell(p *time.Time) cell {
	if p == nil {
		return cell{k: kTime, null: true}
	}
	return timeCell(*p)
}

// decimal writes cents as "1500.00".
func decimal(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// machine is the cell as JSON and CSV carry it ("" for null in CSV).
func (c cell) machine() string {
	if c.null {
		return ""
	}
	switch c.k {
	case kInt:
		return strconv.FormatInt(c.n, 10)
	case kMoney:
		return decimal(c.n)
	case kTime:
		return c.t.In(time.Local).Format(time.RFC3339)
	case kBool:
		return strconv.FormatBool(c.b)
	}
	return c.s
}

// display is the cell as a person reads it in a table: the UI's formats,
// control characters removed, one line.
func (c cell) display() string {
	if c.null {
		return "-"
	}
	switch c.k {
	case kMoney:
		return domain.FormatMoney(c.n)
	case kTime:
		return domain.FormatDateTime(c.t, time.Local)
	case kBool:
		if c.b {
			return "yes"
		}
		return "no"
	case kText, kJSON:
		return domain.StripControl(strings.Join(strings.Fields(c.s), " "))
	}
	return c.machine()
}

// appendJSON appends the cell as a JSON value.
func (c cell) appendJSON(b []byte) []byte {
	if c.null {
		return append(b, "null"...)
	}
	switch c.k {
	case kInt:
		return strconv.AppendInt(b, c.n, 10)
	case kBool:
		return strconv.AppendBool(b, c.b)
	case kJSON:
		return append(b, c.raw...)
	}
	return appendJSONString(b, c.machine())
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}

// field is one column of a resource: its JSON/CSV name, its table header,
// when it drops out of a narrow table, and its value.
type field[T any] struct {
	name   string
	header string
	// drop: 0 = always shown in a table; higher numbers drop out first
	// when the terminal is too narrow.
	drop int
	// hide: not a column of list tables (ids of related records, long
	// text); still in records, JSON and CSV.
	hide bool
	// multiline: long text shown on its own lines in a record.
	multiline bool
	get       func(T) cell
}

// schema is the columns of a resource, in output order.
type schema[T any] []field[T]

func (s schema[T]) columns() []column {
	cols := make([]column, len(s))
	for i, f := range s {
		cols[i] = column{name: f.name, header: f.header, drop: f.drop, hide: f.hide}
	}
	return cols
}

func (s schema[T]) cells(item T, buf []cell) []cell {
	buf = buf[:0]
	for _, f := range s {
		buf = append(buf, f.get(item))
	}
	return buf
}

// column is what a printer knows of a field.
type column struct {
	name, header string
	drop         int
	hide         bool
}

// printer writes rows in one format. begin is called once, then row for
// every record, then end (not after an error: a half-written JSON array
// stays visibly broken and the exit code says why).
type printer interface {
	begin(cols []column) error
	row(cells []cell) error
	end() error
}

// newPrinter returns the printer of format writing to w; width is the
// terminal's (0 = not a terminal: tables are not cut).
func newPrinter(format string, w io.Writer, width int) printer {
	bw := bufio.NewWriterSize(w, 64<<10)
	switch format {
	case formatJSON:
		return &jsonPrinter{w: bw, array: true}
	case formatJSONL:
		return &jsonPrinter{w: bw}
	case formatCSV:
		return &csvPrinter{w: csv.NewWriter(bw), bw: bw}
	}
	return &tablePrinter{w: bw, width: width}
}

// jsonPrinter writes one array (json) or one object a line (jsonl).
type jsonPrinter struct {
	w     *bufio.Writer
	array bool
	cols  []column
	n     int
	buf   []byte
}

func (p *jsonPrinter) begin(cols []column) error {
	p.cols = cols
	if p.array {
		_, err := p.w.WriteString("[")
		return err
	}
	return nil
}

func (p *jsonPrinter) object(cells []cell) []byte {
	b := append(p.buf[:0], '{')
	for i, c := range cells {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, p.cols[i].name)
		b = append(b, ':')
		b = c.appendJSON(b)
	}
	p.buf = append(b, '}')
	return p.buf
}

func (p *jsonPrinter) row(cells []cell) error {
	if p.array {
		sep := ",\n  "
		if p.n == 0 {
			sep = "\n  "
		}
		if _, err := p.w.WriteString(sep); err != nil {
			return err
		}
	}
	p.n++
	b := p.object(cells)
	if !p.array {
		b = append(b, '\n')
	}
	_, err := p.w.Write(b)
	return err
}

func (p *jsonPrinter) end() error {
	if p.array {
		end := "\n]\n"
		if p.n == 0 {
			end = "]\n"
		}
		if _, err := p.w.WriteString(end); err != nil {
			return err
		}
	}
	return p.w.Flush()
}

// csvPrinter writes RFC 4180 CSV (CRLF line ends, quotes where needed) with
// a header row of the JSON names.
type csvPrinter struct {
	w   *csv.Writer
	bw  *bufio.Writer
	rec []string
}

func (p *csvPrinter) begin(cols []column) error {
	p.w.UseCRLF = true
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	return p.w.Write(names)
}

func (p *csvPrinter) row(cells []cell) error {
	p.rec = p.rec[:0]
	for _, c := range cells {
		p.rec = append(p.rec, c.machine())
	}
	return p.w.Write(p.rec)
}

func (p *csvPrinter) end() error {
	p.w.Flush()
	if err := p.w.Error(); err != nil {
		return err
	}
	return p.bw.Flush()
}

// tableRows is how many rows a table reads before it fixes the column
// widths: enough to size them, few enough to keep memory constant.
const tableRows = 100

// tablePrinter aligns columns like kubectl get. The widths come from the
// header and the first tableRows rows; on a terminal, columns drop out
// (highest drop first) and long values are cut with "…" to fit its width.
type tablePrinter struct {
	w       *bufio.Writer
	width   int
	cols    []column
	pending [][]string
	show    []int // indexes of the shown columns
	widths  []int
	started bool
}

func (p *tablePrinter) begin(cols []column) error {
	p.cols = cols
	return nil
}

func (p *tablePrinter) row(cells []cell) error {
	texts := make([]string, len(cells))
	for i, c := range cells {
		texts[i] = c.display()
	}
	if p.started {
		return p.write(texts)
	}
	p.pending = append(p.pending, texts)
	if len(p.pending) >= tableRows {
		return p.flushPending()
	}
	return nil
}

func (p *tablePrinter) end() error {
	if !p.started {
		if err := p.flushPending(); err != nil {
			return err
		}
	}
	return p.w.Flush()
}

// layout picks the shown columns and their widths.
func (p *tablePrinter) layout() {
	natural := make([]int, len(p.cols))
	for i, c := range p.cols {
		natural[i] = ansi.StringWidth(c.header)
		for _, r := range p.pending {
			natural[i] = max(natural[i], ansi.StringWidth(r[i]))
		}
	}
	shown := make([]bool, len(p.cols))
	for i, c := range p.cols {
		shown[i] = !c.hide
	}
	total := func() int {
		t, n := 0, 0
		for i := range p.cols {
			if shown[i] {
				t += natural[i]
				n++
			}
		}
		return t + 2*max(n-1, 0)
	}
	if p.width > 0 {
		for total() > p.width {
			worst := -1
			for i, c := range p.cols {
				if shown[i] && c.drop > 0 && (worst < 0 || c.drop >= p.cols[worst].drop) {
					worst = i
				}
			}
			if worst < 0 {
				break
			}
			shown[worst] = false
		}
		// Still too wide: narrow the widest columns, down to 8 cells.
		for total() > p.width {
			widest := -1
			for i := range p.cols {
				if shown[i] && (widest < 0 || natural[i] > natural[widest]) {
					widest = i
				}
			}
			if widest < 0 || natural[widest] <= 8 {
				break
			}
			natural[widest] = max(8, natural[widest]-(total()-p.width))
		}
	}
	for i := range p.cols {
		if shown[i] {
			p.show = append(p.show, i)
			p.widths = append(p.widths, natural[i])
		}
	}
}

func (p *tablePrinter) flushPending() error {
	p.layout()
	p.started = true
	header := make([]string, len(p.cols))
	for i, c := range p.cols {
		header[i] = c.header
	}
	if err := p.write(header); err != nil {
		return err
	}
	for _, r := range p.pending {
		if err := p.write(r); err != nil {
			return err
		}
	}
	p.pending = nil
	return nil
}

func (p *tablePrinter) write(texts []string) error {
	var b strings.Builder
	for j, i := range p.show {
		s := texts[i]
		w := p.widths[j]
		if p.width > 0 && ansi.StringWidth(s) > w {
			s = ansi.Truncate(s, w, "…")
		}
		b.WriteString(s)
		if j < len(p.show)-1 {
			b.WriteString(strings.Repeat(" ", max(w-ansi.StringWidth(s), 0)+2))
		}
	}
	b.WriteByte('\n')
	_, err := p.w.WriteString(b.String())
	return err
}

// output is where a command's data goes: its format and the terminal width.
type output struct {
	format string
	w      io.Writer
	width  int
}

// outputFor resolves -o for the command's stdout.
func (g *globals) outputFor(e env) (output, error) {
	o := output{format: g.output, w: e.stdout}
	if o.format == "" {
		o.format = formatTable
	}
	valid := false
	for _, f := range formats {
		valid = valid || f == o.format
	}
	if !valid {
		return o, &usageError{fmt.Sprintf("-o %q: choose one of %s", g.output, strings.Join(formats, ", "))}
	}
	if f, ok := e.stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil {
			o.width = w
		}
	}
	return o, nil
}

// outputFlag adds -o to a command that prints records.
func (g *globals) outputFlag(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&g.output, "output", "o", "", "output format: table (default), json (one array), jsonl (one object a line) or csv (RFC 4180, header row)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
}

// printRows streams the records of seq in the chosen format: one row at a
// time, so that memory stays the same whatever the number of records.
func printRows[T any](o output, s schema[T], seq iter.Seq2[T, error]) error {
	p := newPrinter(o.format, o.w, o.width)
	if err := p.begin(s.columns()); err != nil {
		return err
	}
	var buf []cell
	for item, err := range seq {
		if err != nil {
			if tp, ok := p.(*tablePrinter); ok && !tp.started && len(tp.pending) > 0 {
				// Show the rows read before the error.
				_ = tp.end()
			}
			return err
		}
		buf = s.cells(item, buf)
		if err := p.row(buf); err != nil {
			return err
		}
	}
	return p.end()
}

// printRecord writes one record: a JSON object (json and jsonl), a CSV
// header and row, or "field  value" lines for a person.
func printRecord[T any](o output, s schema[T], item T) error {
	cells := s.cells(item, nil)
	switch o.format {
	case formatJSON, formatJSONL:
		p := &jsonPrinter{cols: s.columns()}
		b := append(p.object(cells), '\n')
		_, err := o.w.Write(b)
		return err
	case formatCSV:
		return printRows(o, s, func(yield func(T, error) bool) { yield(item, nil) })
	}
	width := 0
	for _, f := range s {
		width = max(width, ansi.StringWidth(f.header))
	}
	// A record reads like a form: "sales contact  Léo Blanc".
	bw := bufio.NewWriter(o.w)
	for i, f := range s {
		v := cells[i].display()
		if f.multiline {
			// Long text (notes) keeps its lines, indented under the label.
			lines := strings.Split(strings.TrimSpace(cells[i].s), "\n")
			for j, l := range lines {
				lines[j] = domain.StripControl(l)
			}
			v = strings.Join(lines, "\n"+strings.Repeat(" ", width+2))
		}
		if v == "" {
			v = "-"
		}
		fmt.Fprintf(bw, "%-*s  %s\n", width, strings.ToLower(f.header), v)
	}
	return bw.Flush()
}
