package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const fixtures = "../../svd/testdata/"

func runCmd(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

// diagLine is the printed form of a diagnostic: FILE:LINE:COL: CODE: message (path).
var diagLine = regexp.MustCompile(`^(.+):(\d+):(\d+): ([EW]\d{3}): .+$`)

func TestCheckClean(t *testing.T) {
	f := fixtures + "features.svd"
	code, out, errOut := runCmd("check", f)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := f + ": ok: 4 peripherals, 32 registers, 10 fields, 4 enums, 2 interrupts; 0 errors, 0 warnings\n"
	if out != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}

func TestCheckErrors(t *testing.T) {
	f := fixtures + "diag/E201_not_found.svd"
	code, out, _ := runCmd("check", f)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("want 4 diagnostics and a summary, got:\n%s", out)
	}
	for _, l := range lines[:4] {
		m := diagLine.FindStringSubmatch(l)
		if m == nil || m[1] != f || m[4] != "E201" {
			t.Errorf("not a located E201 line: %q", l)
		}
	}
	if lines[0] != f+`:9:5: E201: derivedFrom "NOPE": no peripheral of that name (peripheral P)` {
		t.Errorf("first line %q", lines[0])
	}
	if !strings.HasPrefix(lines[4], f+": FAILED: ") || !strings.HasSuffix(lines[4], "; 4 errors, 0 warnings") {
		t.Errorf("summary %q", lines[4])
	}
}

func TestCheckStrictAndQuiet(t *testing.T) {
	f := fixtures + "diag/W311_duplicate_names.svd"
	if code, _, _ := runCmd("check", f); code != 0 {
		t.Errorf("lenient: exit %d, want 0 (warnings only)", code)
	}
	code, out, _ := runCmd("check", "-strict", f)
	if code != 1 || !strings.Contains(out, "FAILED") || !strings.Contains(out, "; 3 errors, 0 warnings") {
		t.Errorf("strict: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd("check", "-q", f)
	if code != 0 || strings.Contains(out, ": W311:") || !strings.Contains(out, "0 errors, 3 warnings") {
		t.Errorf("-q: exit %d\n%s", code, out)
	}
}

func TestCheckBadInputs(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin.svd")
	os.WriteFile(bin, []byte{0x7f, 'E', 'L', 'F', 0, 1, 2, 3}, 0o644)
	for _, f := range []string{bin, fixtures + "diag/E001_truncated.svd", fixtures + "diag/E002_binary.svd", fixtures + "diag/E004_root.svd"} {
		code, out, errOut := runCmd("check", f)
		if code != 1 {
			t.Errorf("%s: exit %d, want 1", f, code)
		}
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f) + `:\d+:\d+: E00\d: `).MatchString(out) {
			t.Errorf("%s: no located error:\n%s%s", f, out, errOut)
		}
	}
	// Files that cannot be read: a located E000 line and a FAILED summary, like any other
	// error, and the other files are still checked.
	missing := filepath.Join(dir, "absent.svd")
	for _, f := range []string{missing, dir} {
		code, out, errOut := runCmd("check", f, fixtures+"features.svd")
		if code != 1 || errOut != "" {
			t.Errorf("%s: exit %d, stderr %q", f, code, errOut)
		}
		lines := strings.Split(out, "\n")
		if m := diagLine.FindStringSubmatch(lines[0]); m == nil || m[1] != f || m[4] != "E000" ||
			strings.Count(lines[0], f) != 1 {
			t.Errorf("%s: first line %q, want one located E000 naming the file once", f, lines[0])
		}
		if !strings.HasPrefix(lines[1], f+": FAILED: ") || !strings.Contains(out, "2 files: 1 ok, 1 failed; 1 errors") {
			t.Errorf("%s: summary lines:\n%s", f, out)
		}
	}
}

// TestCheckManyFiles: results come in argument order whatever the parallelism, then a total.
func TestCheckManyFiles(t *testing.T) {
	files := []string{fixtures + "diag/W305_register_overlap.svd", fixtures + "features.svd",
		fixtures + "diag/E203_wrong_kind.svd", fixtures + "derive.svd"}
	code, out, _ := runCmd(append([]string{"check", "-j", "3"}, files...)...)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var order []string
	for _, l := range strings.Split(out, "\n") {
		for _, f := range files {
			if strings.HasPrefix(l, f+": ") {
				order = append(order, f)
			}
		}
	}
	if strings.Join(order, " ") != strings.Join(files, " ") {
		t.Errorf("summary order %v", order)
	}
	if !strings.HasSuffix(out, "4 files: 3 ok, 1 failed; 1 errors, 1 warnings\n") {
		t.Errorf("total line:\n%s", out)
	}
}

func TestCheckUsage(t *testing.T) {
	if code, _, errOut := runCmd("check"); code != 2 || !strings.Contains(errOut, "usage: svdgen check") {
		t.Errorf("no files: exit %d, stderr %q", code, errOut)
	}
	if code, _, _ := runCmd("check", "-nope", "x.svd"); code != 2 {
		t.Errorf("bad flag: exit %d", code)
	}
	if code, out, _ := runCmd("check", "-h"); code != 0 || !strings.Contains(out, "-strict") {
		t.Errorf("-h: exit %d, %q", code, out)
	}
}
