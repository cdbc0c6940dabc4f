// Package armed is gohalvet's analyzer for futures overwritten while armed, and passed by
// value. A gohal future that has been polled and is not done is linked into a queue (a
// timer heap, a channel's or a lock's waiters); assigning a new future over it, or copying
// it, leaves the queue pointing at memory that now means something else. The async package
// detects that at the next queue operation, repairs the queue and panics; this finds it
// before the code runs. Rust forbids both with Pin.
//
// It works on one function at a time, in source order (loops go around once):
//
//   - a place (a variable or a field path such as p.send) becomes armed when its Poll
//     method is called, or when its address is handed to a call (an Init or WithTimeout that
//     polls it later: the place then follows that combinator);
//   - it is done after Cancel, after async.Await on it, after a Reset/Init method, and after
//     the usual completion check "if _, ok := X.Poll(cx); !ok { return ... }" (or the same
//     with the result assigned first), which proves it completed;
//   - assigning to an armed place is reported, with the line where it was armed.
//
// A driver future (hal) passed by value to a function is reported too; async's futures carry
// a noCopy marker, so vet's copylocks reports their copies already.
package armed

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

// Analyzer reports armed futures overwritten, and futures passed by value.
var Analyzer = &analysis.Analyzer{
	Name: "armed",
	Doc:  "a polled future must complete, be cancelled or be reset before a new future is assigned over it, and futures are passed by pointer",
	URL:  "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, f := range pass.Files {
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncDecl:
				if n.Body != nil {
					checkBody(pass, n.Body)
				}
			case *ast.FuncLit:
				checkBody(pass, n.Body)
			case *ast.CallExpr:
				checkByValue(pass, n)
			}
			return true
		})
	}
	return nil, nil
}

// isFuture reports whether t (not a pointer) is a future type: *t has Poll returning
// (value, bool) and Cancel.
func isFuture(t types.Type) bool {
	if t == nil {
		return false
	}
	if _, ok := t.Underlying().(*types.Pointer); ok {
		return false
	}
	if _, ok := t.Underlying().(*types.Interface); ok {
		return false
	}
	ms := types.NewMethodSet(types.NewPointer(t))
	var poll, cancel bool
	for i := 0; i < ms.Len(); i++ {
		fn, ok := ms.At(i).Obj().(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Type().(*types.Signature)
		switch fn.Name() {
		case "Poll":
			r := sig.Results()
			if r.Len() == 2 {
				if b, ok := r.At(1).Type().(*types.Basic); ok && b.Kind() == types.Bool {
					poll = true
				}
			}
		case "Cancel":
			cancel = sig.Params().Len() == 0
		}
	}
	return poll && cancel
}

// inHAL reports whether t is declared in a gohal hal package.
func inHAL(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && strings.HasPrefix(n.Obj().Pkg().Path(), "github.com/gohal/gohal/hal/")
}

func checkByValue(pass *analysis.Pass, call *ast.CallExpr) {
	if tv, ok := pass.TypesInfo.Types[call.Fun]; ok && tv.IsType() {
		return // a conversion
	}
	for _, a := range call.Args {
		switch ast.Unparen(a).(type) {
		case *ast.CallExpr, *ast.CompositeLit:
			continue // a fresh future, from its constructor or a literal: not yet armed
		}
		if tv, ok := pass.TypesInfo.Types[a]; ok && tv.IsType() {
			continue // new(T), a type argument
		}
		// async's queue-linked futures carry a noCopy marker, so vet's copylocks already
		// reports their copies; the drivers' futures (hal) do not.
		if t := pass.TypesInfo.TypeOf(a); isFuture(t) && inHAL(t) {
			suppress.Reportf(pass, a.Pos(), "future %s passed by value: a copy of a polled future leaves its queue pointing at the original; pass a pointer (&%s)", types.ExprString(a), types.ExprString(a))
		}
	}
}

// event is something that happens to a place, at a position.
type event struct {
	pos   token.Pos
	place string
	kind  int // arm, done, assign
	link  string
	stmt  ast.Stmt // the assignment, for the suggested fix
}

const (
	arm = iota
	done
	assign
)

func checkBody(pass *analysis.Pass, body *ast.BlockStmt) {
	var evs []event
	okOf := map[types.Object]string{} // an ok variable -> the place whose Poll set it
	placeOf := func(e ast.Expr) (string, bool) {
		e = ast.Unparen(e)
		if u, ok := e.(*ast.UnaryExpr); ok && u.Op == token.AND {
			e = u.X
		}
		switch e.(type) {
		case *ast.Ident, *ast.SelectorExpr, *ast.IndexExpr:
		default:
			return "", false
		}
		if !isFuture(pass.TypesInfo.TypeOf(e)) {
			return "", false
		}
		return types.ExprString(e), true
	}
	// recordOK remembers which place the ok of "v, ok := X.Poll(cx)" speaks for.
	recordOK := func(n *ast.AssignStmt) {
		if len(n.Rhs) != 1 || len(n.Lhs) != 2 {
			return
		}
		call, ok := ast.Unparen(n.Rhs[0]).(*ast.CallExpr)
		if !ok {
			return
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || sel.Sel.Name != "Poll" {
			return
		}
		if p, ok := placeOf(sel.X); ok {
			if id, ok := n.Lhs[1].(*ast.Ident); ok {
				if obj := objOf(pass, id); obj != nil {
					okOf[obj] = p
				}
			}
		}
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its own body
		case *ast.AssignStmt:
			recordOK(n)
			for i, l := range n.Lhs {
				if p, ok := placeOf(l); ok && n.Tok != token.DEFINE && i < len(n.Rhs) {
					evs = append(evs, event{pos: n.Pos(), place: p, kind: assign, stmt: n})
				}
			}
		case *ast.IfStmt:
			// "if !ok { return ... }" (the Poll in the if's init or before it): done after.
			if as, ok := n.Init.(*ast.AssignStmt); ok {
				recordOK(as) // the init is visited after the if itself
			}
			if p, ok := completionCheck(pass, n, okOf); ok {
				evs = append(evs, event{pos: n.End(), place: p, kind: done})
			}
		case *ast.CallExpr:
			sel, isSel := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if isSel {
				if p, ok := placeOf(sel.X); ok {
					switch sel.Sel.Name {
					case "Poll":
						evs = append(evs, event{pos: n.Pos(), place: p, kind: arm})
					case "Cancel", "Reset", "ResetAfter", "Init":
						// At the call's start: what the call links in (an Init's &future
						// argument, below) is armed after, and follows the receiver.
						evs = append(evs, event{pos: n.Pos(), place: p, kind: done})
					}
				}
			}
			fn := calleeName(pass, n)
			for _, a := range n.Args {
				u, ok := ast.Unparen(a).(*ast.UnaryExpr)
				if !ok || u.Op != token.AND {
					continue
				}
				p, ok := placeOf(u.X)
				if !ok {
					continue
				}
				if fn == "async.Await" {
					evs = append(evs, event{pos: n.End(), place: p, kind: done}) // Await returns when it is done
					continue
				}
				// Handed to a combinator (X.Init(&p, ...), WithTimeout(&p, ...)): it is armed
				// from now on and done when the combinator is.
				owner := ""
				if isSel {
					if o, ok := placeOf(sel.X); ok {
						owner = o
					}
				}
				evs = append(evs, event{pos: n.Pos(), place: p, kind: arm, link: owner})
			}
		}
		return true
	})
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].pos < evs[j].pos })
	armedAt := map[string]token.Pos{}
	followers := map[string][]string{}
	var clear func(p string)
	clear = func(p string) {
		delete(armedAt, p)
		for _, f := range followers[p] {
			clear(f)
		}
		delete(followers, p)
	}
	for _, e := range evs {
		switch e.kind {
		case arm:
			if _, ok := armedAt[e.place]; !ok {
				armedAt[e.place] = e.pos
			}
			if e.link != "" {
				followers[e.link] = append(followers[e.link], e.place)
			}
		case done:
			clear(e.place)
		case assign:
			if at, ok := armedAt[e.place]; ok {
				// The mechanical fix: cancel it first (a no-op if it had completed).
				indent := strings.Repeat("\t", max(pass.Fset.Position(e.stmt.Pos()).Column-1, 0))
				suppress.Report(pass, analysis.Diagnostic{
					Pos: e.pos,
					Message: "future " + e.place + " is assigned over while it may still be armed (polled at line " +
						strconv.Itoa(pass.Fset.Position(at).Line) + " and not seen to complete or be cancelled): its queue would lose track of it; Cancel it first, or reuse it with its Reset/Init method",
					SuggestedFixes: []analysis.SuggestedFix{{
						Message:   "Cancel " + e.place + " before assigning over it",
						TextEdits: []analysis.TextEdit{{Pos: e.stmt.Pos(), End: e.stmt.Pos(), NewText: []byte(e.place + ".Cancel()\n" + indent)}},
					}},
				})
				clear(e.place)
			}
		}
	}
}

// completionCheck recognises "if !ok { ...; return }" where ok came from a place's Poll
// (in the if's init or an earlier statement), and returns that place.
func completionCheck(pass *analysis.Pass, n *ast.IfStmt, okOf map[types.Object]string) (string, bool) {
	u, ok := ast.Unparen(n.Cond).(*ast.UnaryExpr)
	if !ok || u.Op != token.NOT {
		return "", false
	}
	id, ok := ast.Unparen(u.X).(*ast.Ident)
	if !ok {
		return "", false
	}
	obj := objOf(pass, id)
	p, ok := okOf[obj]
	if !ok || len(n.Body.List) == 0 {
		return "", false
	}
	switch n.Body.List[len(n.Body.List)-1].(type) {
	case *ast.ReturnStmt, *ast.BranchStmt:
		return p, true
	}
	return "", false
}

func objOf(pass *analysis.Pass, id *ast.Ident) types.Object {
	if o := pass.TypesInfo.Defs[id]; o != nil {
		return o
	}
	return pass.TypesInfo.Uses[id]
}

func calleeName(pass *analysis.Pass, call *ast.CallExpr) string {
	fn := astutil.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil {
		return ""
	}
	return fn.Pkg().Name() + "." + fn.Name()
}
