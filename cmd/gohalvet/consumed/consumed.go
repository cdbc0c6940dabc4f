// Package consumed is gohalvet's use-after-consume analyzer. A gohal driver is consumed by
// IntoAsync and IntoBlocking (which return the driver in its other mode) and by Close; the
// consumed value panics when used again, with a message saying what consumed it. esp-hal
// gets this from Rust's moves; here the analyzer finds it before the board does:
//
//	ua := u.IntoAsync()
//	u.Write(msg)          // u was consumed by IntoAsync: use ua
//
// It follows every variable holding a driver (a pointer to a type of a gohal hal package
// with an IntoAsync, IntoBlocking or Close method) along the function's control flow,
// branches included: a use on any path after a consuming call is reported, and assigning
// the variable a new driver makes it usable again.
//
// It also reports a peripheral token (hal/periph: p.GPIO5, p.UART0, ...) passed to a second
// constructor while the first driver may still own it (no Close between them).
package consumed

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/cfg"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const (
	halPrefix  = "github.com/gohal/gohal/hal/"
	periphPath = "github.com/gohal/gohal/hal/periph"
)

// Analyzer reports drivers used after IntoAsync, IntoBlocking or Close consumed them, and
// tokens given to two constructors.
var Analyzer = &analysis.Analyzer{
	Name:     "consumed",
	Doc:      "a gohal driver used after IntoAsync, IntoBlocking or Close consumed it, or a peripheral token passed to a second constructor",
	URL:      "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer, ctrlflow.Analyzer},
	Run:      run,
}

var consuming = map[string]bool{"IntoAsync": true, "IntoBlocking": true, "Close": true}

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
		if g != nil && body != nil {
			checkDrivers(pass, g)
			checkTokens(pass, body)
		}
	})
	return nil, nil
}

// event is a use of a driver variable or its consumption, at a position.
type event struct {
	pos     token.Pos
	v       *types.Var
	consume string // the consuming method's name; "" for a use
	revive  bool   // the variable is assigned a new value
}

func checkDrivers(pass *analysis.Pass, g *cfg.CFG) {
	index := map[*types.Var]int{}
	var vars []*types.Var
	track := func(v *types.Var) (int, bool) {
		if i, ok := index[v]; ok {
			return i, true
		}
		if !isDriver(v.Type()) || len(vars) == 64 {
			return 0, false
		}
		index[v] = len(vars)
		vars = append(vars, v)
		return len(vars) - 1, true
	}
	// successor[v] is the variable that received what consumed v returned (ua in
	// "ua := u.IntoAsync()"): the suggested fix for a later use of v.
	successor := map[*types.Var]*types.Var{}
	events := func(n ast.Node) []event {
		var evs []event
		if _, ok := n.(*ast.DeferStmt); ok {
			return nil // runs at the function's end, not here
		}
		skip := map[*ast.Ident]bool{}
		astutil.InspectShallow(n, func(m ast.Node) {
			switch m := m.(type) {
			case *ast.AssignStmt:
				if len(m.Lhs) == 1 && len(m.Rhs) == 1 {
					if call, ok := ast.Unparen(m.Rhs[0]).(*ast.CallExpr); ok {
						if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && (sel.Sel.Name == "IntoAsync" || sel.Sel.Name == "IntoBlocking") {
							if from, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
								if to, ok := m.Lhs[0].(*ast.Ident); ok && to.Name != "_" {
									v, tv := astutil.VarOf(pass.TypesInfo, from), astutil.VarOf(pass.TypesInfo, to)
									if v != nil && tv != nil {
										if _, seen := successor[v]; !seen {
											successor[v] = tv
										}
									}
								}
							}
						}
					}
				}
				for _, l := range m.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if v := astutil.VarOf(pass.TypesInfo, id); v != nil {
							if _, ok := track(v); ok {
								skip[id] = true
								evs = append(evs, event{pos: m.End(), v: v, revive: true})
							}
						}
					}
				}
			case *ast.CallExpr:
				sel, ok := ast.Unparen(m.Fun).(*ast.SelectorExpr)
				if !ok || !consuming[sel.Sel.Name] {
					return
				}
				fn, ok := pass.TypesInfo.Uses[sel.Sel].(*types.Func)
				if !ok || fn.Pkg() == nil || !strings.HasPrefix(fn.Pkg().Path(), halPrefix) {
					return
				}
				if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
					if v := astutil.VarOf(pass.TypesInfo, id); v != nil {
						if _, ok := track(v); ok {
							skip[id] = true // the consuming call's own receiver
							evs = append(evs, event{pos: m.End(), v: v, consume: sel.Sel.Name})
						}
					}
				}
			case *ast.Ident:
				if skip[m] {
					return
				}
				if v, ok := pass.TypesInfo.Uses[m].(*types.Var); ok {
					if _, ok := track(v); ok {
						evs = append(evs, event{pos: m.Pos(), v: v})
					}
				}
			}
		})
		// The assignment's and the consumption's events sit at their statements' ends, so
		// "u = u.IntoAsync()"-style code and uses on the right-hand side come first.
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].pos < evs[j].pos })
		return evs
	}
	// Pass 1: find the variables. Pass 2: may-dataflow of consumed variables.
	for _, b := range g.Blocks {
		for _, n := range b.Nodes {
			events(n)
		}
	}
	if len(vars) == 0 {
		return
	}
	type state uint64
	where := map[*types.Var]string{} // how it was consumed, for the message
	apply := func(evs []event, s state, report bool) state {
		for _, e := range evs {
			i := index[e.v]
			switch {
			case e.revive:
				s &^= 1 << i
			case e.consume != "":
				if report && s&(1<<i) != 0 {
					suppress.Reportf(pass, e.pos, "%s used after %s consumed it (a second %s on a consumed driver panics)", e.v.Name(), where[e.v], e.consume)
				}
				s |= 1 << i
			default:
				if report && s&(1<<i) != 0 {
					d := analysis.Diagnostic{Pos: e.pos, Message: e.v.Name() + " used after " + where[e.v] + " consumed it: the driver panics when used again; use the value " +
						consumerWord(where[e.v]) + " returned, or assign " + e.v.Name() + " a new driver"}
					// The mechanical fix, where the returned driver's variable is in scope here.
					if to, ok := successor[e.v]; ok && to.Parent() != nil && to.Parent().Contains(e.pos) && to.Pos() < e.pos {
						d.SuggestedFixes = []analysis.SuggestedFix{{
							Message:   "use " + to.Name() + ", which " + consumerWord(where[e.v]) + " returned",
							TextEdits: []analysis.TextEdit{{Pos: e.pos, End: e.pos + token.Pos(len(e.v.Name())), NewText: []byte(to.Name())}},
						}}
					}
					suppress.Report(pass, d)
				}
			}
		}
		return s
	}
	nb := len(g.Blocks)
	in := make([]state, nb)
	seen := make([]bool, nb)
	seen[0] = true
	nodeEvents := make([][][]event, nb)
	for _, b := range g.Blocks {
		for _, n := range b.Nodes {
			nodeEvents[b.Index] = append(nodeEvents[b.Index], events(n))
		}
	}
	// Record where each variable is consumed first (source order) for the messages.
	var all []event
	for _, bs := range nodeEvents {
		for _, evs := range bs {
			all = append(all, evs...)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].pos < all[j].pos })
	for _, e := range all {
		if e.consume != "" {
			if _, ok := where[e.v]; !ok {
				where[e.v] = e.v.Name() + "." + e.consume + "() at line " + strconv.Itoa(pass.Fset.Position(e.pos).Line)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, b := range g.Blocks {
			if !seen[b.Index] {
				continue
			}
			s := in[b.Index]
			for _, evs := range nodeEvents[b.Index] {
				s = apply(evs, s, false)
			}
			for _, succ := range b.Succs {
				if !seen[succ.Index] || in[succ.Index]|s != in[succ.Index] {
					in[succ.Index] |= s
					seen[succ.Index] = true
					changed = true
				}
			}
		}
	}
	for _, b := range g.Blocks {
		if !seen[b.Index] || !b.Live {
			continue
		}
		s := in[b.Index]
		for _, evs := range nodeEvents[b.Index] {
			s = apply(evs, s, true)
		}
	}
}

func consumerWord(how string) string {
	if strings.Contains(how, ".Close()") {
		return "a new constructor"
	}
	return strings.SplitN(strings.SplitN(how, ".", 2)[1], "(", 2)[0]
}

// checkTokens reports a hal/periph token expression passed to a second hal function with
// no Close call between the two.
func checkTokens(pass *analysis.Pass, body *ast.BlockStmt) {
	type use struct {
		call string
		line int
	}
	first := map[string]use{}
	// A constructor whose driver is assigned to _ is expected to fail (tests of the
	// ownership errors do this): it does not count as taking its tokens.
	expectFail := map[*ast.CallExpr]bool{}
	astutil.InspectShallow(body, func(n ast.Node) {
		if as, ok := n.(*ast.AssignStmt); ok && len(as.Rhs) == 1 && len(as.Lhs) >= 1 {
			if call, ok := ast.Unparen(as.Rhs[0]).(*ast.CallExpr); ok {
				if id, ok := as.Lhs[0].(*ast.Ident); ok && id.Name == "_" {
					expectFail[call] = true
				}
			}
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return
		}
		if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && sel.Sel.Name == "Close" {
			for k := range first {
				delete(first, k) // a driver was closed: its tokens may be free again
			}
			return
		}
		fn := astutil.Callee(pass.TypesInfo, call)
		if fn == nil || fn.Pkg() == nil || !strings.HasPrefix(fn.Pkg().Path(), halPrefix) || fn.Pkg().Path() == periphPath {
			return
		}
		for _, a := range call.Args {
			if !isToken(pass.TypesInfo.TypeOf(a)) {
				continue
			}
			key := types.ExprString(a)
			name := fn.Pkg().Name() + "." + fn.Name()
			if u, ok := first[key]; ok {
				suppress.Reportf(pass, a.Pos(), "%s is passed to %s after %s took it at line %d: a token belongs to the driver made from it until that driver is closed", key, name, u.call, u.line)
				continue
			}
			if !expectFail[call] {
				first[key] = use{name, pass.Fset.Position(a.Pos()).Line}
			}
		}
	})
}

func isToken(t types.Type) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == periphPath && n.Obj().Name() != "Kind"
}

// isDriver reports whether t is a pointer to a named type of a gohal hal package that has a
// consuming method.
func isDriver(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !strings.HasPrefix(n.Obj().Pkg().Path(), halPrefix) {
		return false
	}
	ms := types.NewMethodSet(p)
	for name := range consuming {
		if ms.Lookup(n.Obj().Pkg(), name) != nil {
			return true
		}
	}
	return false
}
