// Package suppress is gohalvet's one way to silence a finding: a comment
//
//	//gohalvet:ignore NAME reason
//
// on the reported line or the line above it, where NAME is the analyzer's name and the
// reason is required (a suppression says why the rule does not apply there). A file whose
// purpose is the misuse (a test of the run-time detection) says so once:
//
//	//gohalvet:ignore-file NAME reason
package suppress

import (
	"go/ast"
	"go/token"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Reportf reports like pass.Reportf unless the line of pos, or the line above, carries a
// //gohalvet:ignore comment for the analyzer with a reason.
func Reportf(pass *analysis.Pass, pos token.Pos, format string, args ...any) {
	if Suppressed(pass, pos) {
		return
	}
	pass.Reportf(pos, format, args...)
}

// Report reports d unless it is suppressed (see Reportf).
func Report(pass *analysis.Pass, d analysis.Diagnostic) {
	if Suppressed(pass, d.Pos) {
		return
	}
	pass.Report(d)
}

// Suppressed reports whether a finding of pass's analyzer at pos is suppressed.
func Suppressed(pass *analysis.Pass, pos token.Pos) bool {
	p := pass.Fset.Position(pos)
	for _, f := range pass.Files {
		if pass.Fset.File(f.Pos()) != pass.Fset.File(pos) {
			continue
		}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if ignoresFile(c, pass.Analyzer.Name) {
					return true
				}
				cp := pass.Fset.Position(c.Pos())
				if cp.Line != p.Line && cp.Line != p.Line-1 {
					continue
				}
				if ignores(c, pass.Analyzer.Name) {
					return true
				}
			}
		}
	}
	return false
}

func ignores(c *ast.Comment, name string) bool {
	text, ok := strings.CutPrefix(c.Text, "//gohalvet:ignore ")
	if !ok {
		return false
	}
	fields := strings.Fields(text)
	return len(fields) >= 2 && fields[0] == name // a reason is required
}

func ignoresFile(c *ast.Comment, name string) bool {
	text, ok := strings.CutPrefix(c.Text, "//gohalvet:ignore-file ")
	if !ok {
		return false
	}
	fields := strings.Fields(text)
	return len(fields) >= 2 && fields[0] == name
}
