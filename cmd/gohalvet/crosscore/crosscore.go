// Package crosscore is gohalvet's analyzer for async drivers that cross cores. IntoAsync
// binds the driver's interrupt on the core that calls it, and its futures are woken from
// that core's handler; esp-hal makes an Async driver !Send so that it cannot move to another
// core. The seed rule: move the Blocking driver, and call IntoAsync on the core that will use
// it. This reports an Async driver (or a future of one) that code started on another core
// (rt.StartCore's entry function, and every closure inside it) captures from outside, and an
// Async driver sent through a channel (Go's or async's), which hands it to whoever receives.
package crosscore

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const (
	rtPath    = "github.com/gohal/gohal/rt"
	asyncPath = "github.com/gohal/gohal/async"
	halPrefix = "github.com/gohal/gohal/hal/"
)

// Analyzer reports async drivers captured by another core's code or sent through channels.
var Analyzer = &analysis.Analyzer{
	Name: "crosscore",
	Doc:  "an Async driver must stay on the core that called IntoAsync: move the Blocking driver instead, and call IntoAsync on the core that uses it",
	URL:  "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CallExpr:
				fn := astutil.Callee(pass.TypesInfo, n)
				if fn == nil || fn.Pkg() == nil {
					return true
				}
				switch {
				case fn.Pkg().Path() == rtPath && fn.Name() == "StartCore" && len(n.Args) == 2:
					if lit, ok := ast.Unparen(n.Args[1]).(*ast.FuncLit); ok {
						checkCaptures(pass, lit, types.ExprString(n.Args[0]))
					}
				case fn.Pkg().Path() == asyncPath && fn.Name() == "Send" && len(n.Args) == 1 && isAsyncDriver(pass.TypesInfo.TypeOf(n.Args[0])):
					suppress.Reportf(pass, n.Args[0].Pos(), "%s, an async driver, is sent through a channel: whoever receives it may run on another core, away from the interrupt IntoAsync bound; send the Blocking driver and call IntoAsync where it is used", types.ExprString(n.Args[0]))
				}
			case *ast.SendStmt:
				if isAsyncDriver(pass.TypesInfo.TypeOf(n.Value)) {
					suppress.Reportf(pass, n.Value.Pos(), "%s, an async driver, is sent through a channel: whoever receives it may run on another core, away from the interrupt IntoAsync bound; send the Blocking driver and call IntoAsync where it is used", types.ExprString(n.Value))
				}
			}
			return true
		})
	}
	return nil, nil
}

// checkCaptures reports async drivers and their futures that lit uses but that were
// declared outside it.
func checkCaptures(pass *analysis.Pass, lit *ast.FuncLit, core string) {
	seen := map[*types.Var]bool{}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok {
			return true
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || v.IsField() || seen[v] || (v.Pos() >= lit.Pos() && v.Pos() <= lit.End()) {
			return true
		}
		what := ""
		switch {
		case isAsyncDriver(v.Type()):
			what = "async driver"
		case isDriverFuture(v.Type()):
			what = "future of an async driver"
		default:
			return true
		}
		seen[v] = true
		suppress.Reportf(pass, id.Pos(), "%s %s is used by code started on core %s (rt.StartCore) but was made on another core: its interrupt is bound where IntoAsync ran, so its wake-ups would come from there; move the Blocking driver and call IntoAsync on core %s", what, v.Name(), core, core)
		return true
	})
}

// isAsyncDriver reports whether t is a pointer to a hal type whose name starts with Async.
func isAsyncDriver(t types.Type) bool {
	n := halNamed(t)
	return n != nil && strings.HasPrefix(n.Obj().Name(), "Async")
}

// isDriverFuture reports whether t is a future type of a hal package (its name ends in
// Future).
func isDriverFuture(t types.Type) bool {
	n := halNamed(t)
	return n != nil && strings.HasSuffix(n.Obj().Name(), "Future")
}

func halNamed(t types.Type) *types.Named {
	if t == nil {
		return nil
	}
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !strings.HasPrefix(n.Obj().Pkg().Path(), halPrefix) {
		return nil
	}
	return n
}
