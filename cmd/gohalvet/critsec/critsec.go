// Package critsec is gohalvet's critical-section analyzer: every rt.EnterCritical must be
// ended by the CS's Exit on every path out of the function, and a check-then-sleep with
// rt.WaitForInterrupt must happen inside one.
//
// On the chip a section left open keeps interrupts disabled for good: no timer, no UART, no
// wake-up ever again, and nothing printed. The usual leaks are an early return between
// EnterCritical and Exit, and a panic that a recover (the async executor recovers a task's
// panics) turns into normal flow with interrupts still off; a deferred Exit covers both.
// A condition checked outside a critical section and then slept on with WaitForInterrupt
// loses the wake-up that lands between the check and the WFI; inside a section the pending
// interrupt ends the WFI instead (rt's documented idiom).
package critsec

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const rtPath = "github.com/gohal/gohal/rt"

// Analyzer reports critical sections not exited on every path, and WaitForInterrupt after
// a condition outside a critical section.
var Analyzer = &analysis.Analyzer{
	Name:     "critsec",
	Doc:      "rt.EnterCritical must be ended by Exit on every path (or a deferred Exit), and a condition slept on with rt.WaitForInterrupt must be checked inside the critical section",
	URL:      "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	cfgs := pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs)
	ins.Preorder([]ast.Node{(*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)}, func(n ast.Node) {
		var g *cfg.CFG
		var body *ast.BlockStmt
		switch f := n.(type) {
		case *ast.FuncDecl:
			g, body = cfgs.FuncDecl(f), f.Body
		case *ast.FuncLit:
			g, body = cfgs.FuncLit(f), f.Body
		}
		if g == nil || body == nil {
			return
		}
		checkFunc(pass, g, body)
	})
	return nil, nil
}

// section is one EnterCritical whose CS is kept in a variable.
type section struct {
	v        *types.Var
	at       token.Pos
	deferred bool // a defer v.Exit() exists in the function
}

// state is the set of sections open at a point, one bit per section (at most 64 tracked
// per function; more are ignored).
type state uint64

func checkFunc(pass *analysis.Pass, g *cfg.CFG, body *ast.BlockStmt) {
	var secs []*section
	index := map[*types.Var]int{}
	// Find the sections, discarded results, and deferred exits.
	astutil.InspectShallow(body, func(n ast.Node) {
		switch n := n.(type) {
		case *ast.ExprStmt:
			if isRTCall(pass, n.X, "EnterCritical") {
				suppress.Reportf(pass, n.Pos(), "the CS returned by rt.EnterCritical is discarded, so the critical section can never be exited: interrupts stay disabled; keep it (cs := rt.EnterCritical()) and call cs.Exit()")
			}
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && len(n.Lhs) == 1 && isRTCall(pass, n.Rhs[0], "EnterCritical") {
				if v := astutil.VarOf(pass.TypesInfo, n.Lhs[0]); v != nil {
					if _, ok := index[v]; !ok && len(secs) < 64 {
						index[v] = len(secs)
						secs = append(secs, &section{v: v, at: n.Pos()})
					}
				}
			}
		case *ast.DeferStmt:
			if v := exitReceiver(pass, n.Call); v != nil {
				if i, ok := index[v]; ok {
					secs[i].deferred = true
				}
			}
		}
	})
	if len(secs) == 0 && !callsRT(pass, body, "WaitForInterrupt") {
		return
	}

	// transfer applies one CFG node to the open set, calling visit for each call in order.
	transfer := func(n ast.Node, s state, visit func(call *ast.CallExpr, s state)) state {
		astutil.InspectShallow(n, func(m ast.Node) {
			switch m := m.(type) {
			case *ast.AssignStmt:
				if len(m.Rhs) == 1 && len(m.Lhs) == 1 && isRTCall(pass, m.Rhs[0], "EnterCritical") {
					if v := astutil.VarOf(pass.TypesInfo, m.Lhs[0]); v != nil {
						if i, ok := index[v]; ok {
							s |= 1 << i
						}
					}
				}
			case *ast.ReturnStmt:
				// Returning the CS hands the section to the caller (a lock's lock method).
				for _, r := range m.Results {
					s = handOff(pass, r, index, s)
				}
			case *ast.CompositeLit:
				// Stored in a value (a guard that ends the section later): handed off too.
				for _, e := range m.Elts {
					if kv, ok := e.(*ast.KeyValueExpr); ok {
						e = kv.Value
					}
					s = handOff(pass, e, index, s)
				}
			case *ast.CallExpr:
				if visit != nil {
					visit(m, s)
				}
				if v := exitReceiver(pass, m); v != nil {
					if i, ok := index[v]; ok {
						s &^= 1 << i
					}
				}
			}
		})
		return s
	}
	// A deferred call is not a call at its defer statement: skip DeferStmt nodes' calls.
	nodeTransfer := func(n ast.Node, s state, visit func(*ast.CallExpr, state)) state {
		if _, ok := n.(*ast.DeferStmt); ok {
			return s
		}
		return transfer(n, s, visit)
	}

	// may[b]: sections open on some path into b; must[b]: open on every path.
	nb := len(g.Blocks)
	may := make([]state, nb)
	must := make([]state, nb)
	seen := make([]bool, nb)
	for i := range must {
		must[i] = ^state(0)
	}
	must[0], seen[0] = 0, true
	for changed := true; changed; {
		changed = false
		for _, b := range g.Blocks {
			if !seen[b.Index] {
				continue
			}
			outMay, outMust := may[b.Index], must[b.Index]
			for _, n := range b.Nodes {
				outMay = nodeTransfer(n, outMay, nil)
				outMust = nodeTransfer(n, outMust, nil)
			}
			for _, s := range b.Succs {
				nm, nu := may[s.Index]|outMay, must[s.Index]&outMust
				if !seen[s.Index] {
					nm, nu, seen[s.Index] = outMay, outMust, true
					changed = true
				}
				if nm != may[s.Index] || nu != must[s.Index] {
					may[s.Index], must[s.Index], changed = nm, nu, true
				}
			}
		}
	}

	reported := map[int]bool{}
	for _, b := range g.Blocks {
		if !seen[b.Index] || !b.Live {
			continue
		}
		sMay, sMust := may[b.Index], must[b.Index]
		for _, n := range b.Nodes {
			sMust = nodeTransfer(n, sMust, func(call *ast.CallExpr, open state) {
				if isRTCall(pass, call, "WaitForInterrupt") && open == 0 && afterCondition(b) {
					suppress.Reportf(pass, call.Pos(), "rt.WaitForInterrupt after a condition checked outside a critical section: an interrupt between the check and the WFI is lost and the core may sleep for good; check and sleep inside one section (cs := rt.EnterCritical(); if !ready { rt.WaitForInterrupt() }; cs.Exit())")
				}
			})
			sMay = nodeTransfer(n, sMay, nil)
		}
		if len(b.Succs) > 0 {
			continue
		}
		// An exit from the function: a return, a panic, or the end of the body.
		why := "a return"
		if isPanic(pass, b) {
			why = "a panic (which a recover, such as the async executor's, turns into normal flow)"
		}
		for i, sec := range secs {
			if sMay&(1<<i) != 0 && !sec.deferred && !reported[i] {
				reported[i] = true
				pos := pass.Fset.Position(lastPos(b))
				suppress.Reportf(pass, sec.at, "critical section %s is not exited on every path: %s at line %d leaves interrupts disabled; call %s.Exit() before it, or defer %s.Exit()", sec.v.Name(), why, pos.Line, sec.v.Name(), sec.v.Name())
			}
		}
	}
}

// handOff closes the section whose CS variable e is: the CS leaves the function's hands.
func handOff(pass *analysis.Pass, e ast.Expr, index map[*types.Var]int, s state) state {
	if v := astutil.VarOf(pass.TypesInfo, e); v != nil {
		if i, ok := index[v]; ok {
			s &^= 1 << i
		}
	}
	return s
}

// afterCondition reports whether block b is reached only through a condition: the body of
// an if, a for or a switch case, where a check decided to sleep.
func afterCondition(b *cfg.Block) bool {
	switch b.Kind {
	case cfg.KindIfThen, cfg.KindIfElse, cfg.KindSwitchCaseBody:
		return true
	case cfg.KindForBody:
		f, ok := b.Stmt.(*ast.ForStmt)
		return ok && f.Cond != nil // for { WFI } checks nothing
	}
	return false
}

func lastPos(b *cfg.Block) token.Pos {
	if len(b.Nodes) == 0 {
		if b.Stmt != nil {
			return b.Stmt.End()
		}
		return token.NoPos
	}
	return b.Nodes[len(b.Nodes)-1].Pos()
}

func isPanic(pass *analysis.Pass, b *cfg.Block) bool {
	if len(b.Nodes) == 0 {
		return false
	}
	es, ok := b.Nodes[len(b.Nodes)-1].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	if !ok {
		return false
	}
	_, isBuiltin := pass.TypesInfo.Uses[id].(*types.Builtin)
	return isBuiltin && id.Name == "panic"
}

func callsRT(pass *analysis.Pass, n ast.Node, name string) bool {
	found := false
	astutil.InspectShallow(n, func(m ast.Node) {
		if isRTCall(pass, m, name) {
			found = true
		}
	})
	return found
}

// isRTCall reports whether e is a call of rt's function name.
func isRTCall(pass *analysis.Pass, e ast.Node, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	fn := astutil.Callee(pass.TypesInfo, call)
	return fn != nil && fn.Name() == name && fn.Pkg() != nil && fn.Pkg().Path() == rtPath && fn.Type().(*types.Signature).Recv() == nil
}

// exitReceiver returns v for a call v.Exit() on an rt.CS variable.
func exitReceiver(pass *analysis.Pass, call *ast.CallExpr) *types.Var {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Exit" {
		return nil
	}
	fn, ok := pass.TypesInfo.Uses[sel.Sel].(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != rtPath {
		return nil
	}
	return astutil.VarOf(pass.TypesInfo, sel.X)
}
