package cli

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/epic-events/crm/domain"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// sampleContracts are records with every kind of value: money, times with
// and without a value, text needing CSV quotes and JSON escapes.
func sampleContracts() []domain.Contract {
	paris := time.FixedZone("CET", 3600)
	signed := time.Date(2025, 3, 4, 15, 30, 0, 0, paris)
	ev := int64(7)
	sales := int64(3)
	return []domain.Contract{
		{ID: 1, ClientID: 11, ClientName: "Kevin Casey", CompanyName: "Cool Startup LLC", SalesContactID: &sales, SalesContactName: "Léa Martin",
			TotalCents: 1234567, RemainingCents: 50, Status: domain.ContractSigned, CreatedAt: time.Date(2025, 1, 2, 9, 0, 0, 0, time.UTC),
			SignedAt: &signed, SignedByName: "Camille Laurent", EventID: &ev, Version: 4},
		{ID: 2, ClientID: 12, ClientName: `Jean "JJ" Dupont, fils`, CompanyName: "Hôtel\tBonnet", TotalCents: 0, RemainingCents: 0,
			Status: domain.ContractDraft, CreatedAt: time.Date(2025, 12, 31, 23, 59, 0, 0, time.UTC), Version: 1},
	}
}

func sampleSeq(items []domain.Contract) func(func(domain.Contract, error) bool) {
	return func(yield func(domain.Contract, error) bool) {
		for _, k := range items {
			if !yield(k, nil) {
				return
			}
		}
	}
}

// withLocal runs the test in a fixed zone, so times print the same anywhere.
func withLocal(t *testing.T) {
	old := time.Local
	time.Local = time.FixedZone("CET", 3600)
	t.Cleanup(func() { time.Local = old })
}

func TestOutputFormatsGolden(t *testing.T) {
	withLocal(t)
	emailsOf := &emails{clients: map[int64]string{11: "kevin@startup.io", 12: "jj@dupont.fr"}, users: map[int64]string{}}
	s := contractSchema(emailsOf)
	for _, c := range []struct {
		format string
		width  int
		file   string
	}{
		{formatTable, 0, "contracts.table"},
		{formatTable, 60, "contracts-60.table"},
		{formatJSON, 0, "contracts.json"},
		{formatJSONL, 0, "contracts.jsonl"},
		{formatCSV, 0, "contracts.csv"},
	} {
		t.Run(c.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := printRows(output{format: c.format, w: &b, width: c.width}, s, sampleSeq(sampleContracts())); err != nil {
				t.Fatal(err)
			}
			golden(t, c.file, b.Bytes())
		})
	}
	t.Run("record", func(t *testing.T) {
		var b bytes.Buffer
		if err := printRecord(output{format: formatTable, w: &b}, eventSchema(), domain.Event{ID: 5, Name: "Gala", Notes: "line one\nline two",
			Start: time.Date(2026, 6, 20, 15, 0, 0, 0, time.UTC), End: time.Date(2026, 6, 21, 1, 0, 0, 0, time.UTC), Status: domain.EventPlanned}); err != nil {
			t.Fatal(err)
		}
		golden(t, "event.record", b.Bytes())
	})
}

// The machine formats must parse back with the standard library, with the
// values a script expects: money as "12345.67", times in RFC 3339 with the
// offset, null for nothing.
func TestMachineFormatsParse(t *testing.T) {
	withLocal(t)
	s := contractSchema(&emails{clients: map[int64]string{11: "kevin@startup.io", 12: "jj@dupont.fr"}, users: map[int64]string{}})
	var js bytes.Buffer
	if err := printRows(output{format: formatJSON, w: &js}, s, sampleSeq(sampleContracts())); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatalf("-o json is not one JSON array: %v\n%s", err, js.String())
	}
	if len(got) != 2 || got[0]["total"] != "12345.67" || got[0]["remaining"] != "0.50" || got[0]["currency"] != "EUR" ||
		got[0]["signed_at"] != "2025-03-04T15:30:00+01:00" || got[1]["signed_at"] != nil || got[0]["id"] != float64(1) {
		t.Errorf("json values: %v", got)
	}

	var empty bytes.Buffer
	if err := printRows(output{format: formatJSON, w: &empty}, s, sampleSeq(nil)); err != nil || strings.TrimSpace(empty.String()) != "[]" {
		t.Errorf("an empty list is %q (%v), want []", empty.String(), err)
	}

	var cs bytes.Buffer
	if err := printRows(output{format: formatCSV, w: &cs}, s, sampleSeq(sampleContracts())); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cs.String(), "\r\n") {
		t.Error("CSV lines do not end with CRLF (RFC 4180)")
	}
	recs, err := csv.NewReader(&cs).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "id" || recs[2][2] != `Jean "JJ" Dupont, fils` {
		t.Errorf("csv records: %q", recs)
	}
}

func TestTableFitsTheTerminal(t *testing.T) {
	withLocal(t)
	s := contractSchema(&emails{clients: map[int64]string{11: "kevin@startup.io", 12: "jj@dupont.fr"}, users: map[int64]string{}})
	for _, width := range []int{40, 60, 80, 200} {
		var b bytes.Buffer
		if err := printRows(output{format: formatTable, w: &b, width: width}, s, sampleSeq(sampleContracts())); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(b.String(), "\n"), "\n")
		if len(lines) != 3 {
			t.Fatalf("width %d: %d lines", width, len(lines))
		}
		for _, l := range lines {
			if w := len([]rune(l)); w > width {
				t.Errorf("width %d: line of %d cells: %q", width, w, l)
			}
		}
		if !strings.HasPrefix(lines[0], "ID") || !strings.Contains(lines[0], "TOTAL") {
			t.Errorf("width %d: the id and the total must stay: %q", width, lines[0])
		}
	}
}

// A table streams: past its first rows it writes each row as it comes,
// so memory does not grow with the list.
func TestTableStreamsPastTheFirstRows(t *testing.T) {
	var b bytes.Buffer
	p := newPrinter(formatTable, &b, 0).(*tablePrinter)
	cols := companySchema().columns()
	if err := p.begin(cols); err != nil {
		t.Fatal(err)
	}
	for i := range tableRows + 5 {
		if err := p.row([]cell{intCell(int64(i)), textCell("Acme"), timeCell(time.Time{})}); err != nil {
			t.Fatal(err)
		}
	}
	if len(p.pending) != 0 || !p.started {
		t.Errorf("rows still held after %d: %d", tableRows, len(p.pending))
	}
	if err := p.end(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), "\n"); n != tableRows+6 {
		t.Errorf("%d lines, want %d", n, tableRows+6)
	}
}
