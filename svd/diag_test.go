package svd

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// wantRE matches an expectation in a diagnostic fixture: <!-- want CODE LINE:COL -->.
var wantRE = regexp.MustCompile(`<!-- want ([EW]\d{3}) (\d+):(\d+) -->`)

// located is a diagnostic reduced to what the fixtures pin down.
type located struct {
	code      string
	line, col int
}

func (l located) String() string {
	return l.code + " " + strconv.Itoa(l.line) + ":" + strconv.Itoa(l.col)
}

// readWants collects the expectations of a fixture: from its trailing comments, or from a
// NAME.want file beside it when a comment would change what the fixture tests (a file
// that ends in the middle of a tag).
func readWants(t *testing.T, path string, data []byte) []located {
	t.Helper()
	src := data
	if w, err := os.ReadFile(strings.TrimSuffix(path, ".svd") + ".want"); err == nil {
		src = w
	}
	var out []located
	for _, m := range wantRE.FindAllSubmatch(src, -1) {
		line, _ := strconv.Atoi(string(m[2]))
		col, _ := strconv.Atoi(string(m[3]))
		out = append(out, located{string(m[1]), line, col})
	}
	return out
}

func sortLocated(ls []located) {
	sort.Slice(ls, func(i, j int) bool {
		if ls[i].line != ls[j].line {
			return ls[i].line < ls[j].line
		}
		if ls[i].col != ls[j].col {
			return ls[i].col < ls[j].col
		}
		return ls[i].code < ls[j].code
	})
}

// TestDiagnosticFixtures loads every fixture under testdata/diag and requires exactly the
// diagnostics it declares, code and position, no more and no fewer. Every code of the
// table has at least one fixture (E003, a 64 MiB file, is tested by TestHugeFile; E000, a
// file that cannot be read, has no content to be a fixture and is tested by svdgen check).
func TestDiagnosticFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/diag/*.svd")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	covered := map[string]bool{CodeTooLarge: true, CodeUnreadable: true}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := readWants(t, path, data)
			if len(want) == 0 {
				t.Fatal("fixture declares no diagnostics")
			}
			_, diags, loadErr := Load(path, Options{})
			var got []located
			for _, d := range diags {
				if d.Pos.File != path {
					t.Errorf("diagnostic names file %q, want %q", d.Pos.File, path)
				}
				got = append(got, located{d.Code, d.Pos.Line, d.Pos.Col})
				covered[d.Code] = true
				if d.Severity != codeSeverity(d.Code) {
					t.Errorf("%s has severity %v in lenient mode", d, d.Severity)
				}
			}
			sortLocated(got)
			sortLocated(want)
			if !equalLocated(got, want) {
				t.Errorf("diagnostics:\n got  %v\n want %v\nfull:\n%s", got, want, diagText(diags))
			}
			// Load's error is non-nil exactly when an error is expected, and is located.
			hasErr := false
			for _, w := range want {
				if w.code[0] == 'E' {
					hasErr = true
				}
			}
			if hasErr != (loadErr != nil) {
				t.Errorf("Load error = %v, want error: %v", loadErr, hasErr)
			}
			if loadErr != nil && !strings.HasPrefix(loadErr.Error(), path+":") {
				t.Errorf("Load error %q does not start with the file name", loadErr)
			}
			// Strict mode: the same findings, code and position, every one an error.
			_, sdiags, serr := Load(path, Options{Strict: true})
			if serr == nil {
				t.Errorf("strict: no error (%d diagnostics)", len(sdiags))
			}
			var sgot []located
			for _, d := range sdiags {
				sgot = append(sgot, located{d.Code, d.Pos.Line, d.Pos.Col})
				if d.Severity != Error {
					t.Errorf("strict: %s is not an error", d)
				}
			}
			sortLocated(sgot)
			if !equalLocated(sgot, want) {
				t.Errorf("strict diagnostics:\n got  %v\n want %v\nfull:\n%s", sgot, want, diagText(sdiags))
			}
		})
	}
	for _, c := range Codes {
		if !covered[c.Code] {
			t.Errorf("code %s (%s) has no fixture", c.Code, c.Summary)
		}
	}
}

func equalLocated(a, b []located) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestCodesTable keeps the Codes slice, the constants and the table in the comment of
// codes.go in step: a code documented in one place and not the other is a test failure.
func TestCodesTable(t *testing.T) {
	src, err := os.ReadFile("codes.go")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^//\t([EW]\d{3})  (err |warn) `).FindAllSubmatch(src, -1)
	var doc []string
	for _, r := range rows {
		doc = append(doc, string(r[1]))
		if (r[2][0] == 'e') != (r[1][0] == 'E') {
			t.Errorf("%s: severity column %q disagrees with the code's letter", r[1], r[2])
		}
	}
	var list []string
	seen := map[string]bool{}
	for _, c := range Codes {
		list = append(list, c.Code)
		if seen[c.Code] {
			t.Errorf("code %s listed twice", c.Code)
		}
		seen[c.Code] = true
		if c.Summary == "" {
			t.Errorf("code %s has no summary", c.Code)
		}
	}
	if strings.Join(doc, " ") != strings.Join(list, " ") {
		t.Errorf("comment table %v\n   Codes %v", doc, list)
	}
}

// TestDiagnosticString pins the printed form tools and editors parse.
func TestDiagnosticString(t *testing.T) {
	d := Diagnostic{Pos: Pos{"a.svd", 12, 5}, Code: CodeNotFound, Severity: Error,
		Message: `derivedFrom "UART9" not found`, Path: "peripheral UART1"}
	eq(t, "String", d.String(), `a.svd:12:5: E201: derivedFrom "UART9" not found (peripheral UART1)`)
	d.Path = ""
	eq(t, "String without path", d.String(), `a.svd:12:5: E201: derivedFrom "UART9" not found`)
	ds := Diagnostics{{Code: CodeDupName, Severity: Warning}, d}
	eq(t, "HasErrors", ds.HasErrors(), true)
	eq(t, "HasErrors of warnings", ds[:1].HasErrors(), false)
	e, w := ds.Count()
	eq(t, "errors", e, 1)
	eq(t, "warnings", w, 1)
	eq(t, "Strict", ds.Strict()[0].Severity, Error)
	eq(t, "Strict leaves the original", ds[0].Severity, Warning)
	err := ds.Err()
	if err == nil || err.Error() != d.String() {
		t.Errorf("Err() = %v", err)
	}
	if (Diagnostics{ds[0]}).Err() != nil {
		t.Error("Err() of warnings only is not nil")
	}
}
