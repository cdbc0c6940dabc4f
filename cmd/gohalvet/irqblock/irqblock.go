// Package irqblock is gohalvet's blocking-in-an-interrupt analyzer. An interrupt handler
// must not wait: a Blocking driver method (it spins until the hardware is done), a
// timer.Delay, async.Block, time.Sleep or a channel operation stalls every interrupt of
// its priority and below, and on the chip a heap allocation in a handler panics ("heap
// alloc in interrupt"; TinyGo's allocator refuses). esp-hal's handlers are checked by the
// borrow checker and the absence of an allocator; gohal's by this analyzer.
//
// Roots: functions passed to rt.Bind (or to a function that hands its argument to rt.Bind,
// such as hal/swint's Bind), and the Poll method of a task spawned on an interrupt-mode
// executor. From each root it follows static calls, across packages (as facts), and
// reports the first path to something that blocks or allocates. Calls through interfaces
// and function values are not followed. Allocation is judged as TinyGo judges it, which is
// stricter than gc: make, new, append, a composite literal whose address is taken, a
// closure that captures variables, string concatenation and []byte/string conversions.
package irqblock

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/tools/go/analysis"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const (
	rtPath       = "github.com/gohal/gohal/rt"
	asyncPath    = "github.com/gohal/gohal/async"
	executorPath = "github.com/gohal/gohal/hal/executor"
	timerPath    = "github.com/gohal/gohal/hal/timer"
	halPrefix    = "github.com/gohal/gohal/hal/"
)

// Analyzer reports blocking calls and heap allocations reachable from interrupt handlers.
var Analyzer = &analysis.Analyzer{
	Name:      "irqblock",
	Doc:       "no Blocking driver call, delay, async.Block, time.Sleep, channel operation or heap allocation may be reachable from an interrupt handler (a function given to rt.Bind, or a task of an interrupt-mode executor)",
	URL:       "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Run:       run,
	FactTypes: []analysis.Fact{new(blocksFact), new(bindsFact)},
}

// blocksFact marks a function that may block or allocate, with the path to the culprit.
type blocksFact struct{ Path string }

func (*blocksFact) AFact()           {}
func (f *blocksFact) String() string { return "blocks: " + f.Path }

// bindsFact marks a function that hands its parameter Param to rt.Bind: a handler.
type bindsFact struct{ Param int }

func (*bindsFact) AFact()           {}
func (f *bindsFact) String() string { return fmt.Sprintf("binds parameter %d", f.Param) }

func run(pass *analysis.Pass) (any, error) {
	if !followed(pass) {
		return nil, nil // a leaf: only its sinks (time.Sleep, ...) count
	}
	funcs := map[*types.Func]*ast.FuncDecl{}
	for _, f := range pass.Files {
		if hostOnly(f) {
			continue // the chip build has another file here; its code is not what runs
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				if fn, ok := pass.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					funcs[fn] = fd
				}
			}
		}
	}
	// Which functions block, to a fixpoint over the package's static calls.
	why := map[*types.Func]string{}
	for changed := true; changed; {
		changed = false
		for fn, fd := range funcs {
			if _, ok := why[fn]; ok {
				continue
			}
			if p := culprit(pass, fd.Body, why); p != "" {
				why[fn] = p
				changed = true
			}
		}
	}
	// Only what other packages can call needs a fact.
	for fn, p := range why {
		if fn.Exported() {
			pass.ExportObjectFact(fn, &blocksFact{Path: p})
		}
	}
	// Which functions bind a parameter as a handler.
	for fn, fd := range funcs {
		params := paramVars(pass, fd)
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if i := handlerArg(pass, call); i >= 0 && i < len(call.Args) {
				if id, ok := ast.Unparen(call.Args[i]).(*ast.Ident); ok {
					for k, p := range params {
						if pass.TypesInfo.Uses[id] == p {
							pass.ExportObjectFact(fn, &bindsFact{Param: k})
						}
					}
				}
			}
			return true
		})
	}
	// Roots, in firmware: a handler in a test runs on the host only.
	for _, f := range pass.Files {
		if strings.HasSuffix(pass.Fset.Position(f.Pos()).Filename, "_test.go") || hostOnly(f) {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if i := handlerArg(pass, call); i >= 0 && i < len(call.Args) {
				for _, h := range resolveHandlers(pass, call.Args[i]) {
					if p := handlerPath(pass, h, why); p != "" {
						suppress.Reportf(pass, call.Args[i].Pos(), "interrupt handler %s may block or allocate: %s; a handler must only clear the cause, record what happened and wake a task (which does the work in thread mode)", h.name, p)
					}
				}
			}
			return true
		})
		checkInterruptTasks(pass, f, why)
	}
	return nil, nil
}

// followed reports whether the analyzer looks into a package's functions: not the standard
// library (only its blocking calls, such as time.Sleep, are sinks), and not gohal's rt and
// sim, the runtime floor and the host's chip model, whose chip build is register accesses
// and whose host build is simulator machinery.
func followed(pass *analysis.Pass) bool {
	if len(pass.Files) > 0 {
		goroot := filepath.Join(runtime.GOROOT(), "src") + string(filepath.Separator)
		if strings.HasPrefix(pass.Fset.Position(pass.Files[0].Pos()).Filename, goroot) {
			return false // standard library
		}
	}
	path := pass.Pkg.Path()
	return !strings.HasPrefix(path, "github.com/gohal/gohal/rt") && !strings.HasPrefix(path, "github.com/gohal/gohal/sim/")
}

// hostOnly reports whether a file is built for the host only (//go:build !tinygo): the
// chip runs another file's code in its place.
func hostOnly(f *ast.File) bool {
	for _, cg := range f.Comments {
		if cg.Pos() > f.Package {
			break
		}
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build ") && strings.Contains(c.Text, "!tinygo") {
				return true
			}
		}
	}
	return false
}

// handlerArg returns the index of the argument of call that becomes an interrupt handler:
// rt.Bind's second, or the parameter a bindsFact names; -1 if none.
func handlerArg(pass *analysis.Pass, call *ast.CallExpr) int {
	fn := astutil.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil {
		return -1
	}
	if fn.Pkg().Path() == rtPath && fn.Name() == "Bind" && recv(fn) == nil {
		return 1
	}
	var f bindsFact
	if pass.ImportObjectFact(fn, &f) {
		return f.Param
	}
	return -1
}

// handler is a function that runs as an interrupt handler.
type handler struct {
	name string
	fn   *types.Func  // a declared function or method
	lit  *ast.FuncLit // or a function literal
}

// resolveHandlers finds the functions an argument can be: a function, a method value, a
// function literal, or an element of a package-level array of functions.
func resolveHandlers(pass *analysis.Pass, e ast.Expr) []handler {
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return []handler{{name: "(function literal)", lit: e}}
	case *ast.Ident:
		if fn, ok := pass.TypesInfo.Uses[e].(*types.Func); ok {
			return []handler{{name: fn.Name(), fn: fn}}
		}
	case *ast.SelectorExpr:
		if fn, ok := pass.TypesInfo.Uses[e.Sel].(*types.Func); ok {
			return []handler{{name: types.ExprString(e), fn: fn}}
		}
	case *ast.IndexExpr:
		id, ok := ast.Unparen(e.X).(*ast.Ident)
		if !ok {
			return nil
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok {
			return nil
		}
		var hs []handler
		for _, el := range arrayInit(pass, v) {
			hs = append(hs, resolveHandlers(pass, el)...)
		}
		return hs
	}
	return nil
}

// arrayInit returns the elements of a package-level variable's composite-literal value.
func arrayInit(pass *analysis.Pass, v *types.Var) []ast.Expr {
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if pass.TypesInfo.Defs[name] == v && i < len(vs.Values) {
						if cl, ok := vs.Values[i].(*ast.CompositeLit); ok {
							var els []ast.Expr
							for _, el := range cl.Elts {
								if kv, ok := el.(*ast.KeyValueExpr); ok {
									el = kv.Value
								}
								els = append(els, el)
							}
							return els
						}
					}
				}
			}
		}
	}
	return nil
}

func handlerPath(pass *analysis.Pass, h handler, why map[*types.Func]string) string {
	if h.lit != nil {
		return culprit(pass, h.lit.Body, why)
	}
	return pathOf(pass, h.fn, why)
}

// pathOf returns why fn blocks: from this package's analysis or an imported fact.
func pathOf(pass *analysis.Pass, fn *types.Func, why map[*types.Func]string) string {
	fn = fn.Origin()
	if p, ok := why[fn]; ok {
		return p
	}
	var f blocksFact
	if fn.Pkg() != nil && fn.Pkg() != pass.Pkg && pass.ImportObjectFact(fn, &f) {
		return f.Path
	}
	return ""
}

// culprit returns the first reason body blocks or allocates, as a path, or "".
func culprit(pass *analysis.Pass, body ast.Node, why map[*types.Func]string) string {
	var found string
	ast.Inspect(body, func(n ast.Node) bool {
		if found != "" {
			return false
		}
		pos := func(n ast.Node) string {
			p := pass.Fset.Position(n.Pos())
			return fmt.Sprintf("%s:%d", shortFile(p.Filename), p.Line)
		}
		switch n := n.(type) {
		case *ast.FuncLit:
			if captures(pass, n) {
				found = "a closure that captures variables (heap-allocated) at " + pos(n)
			}
			return false // its body runs when called, not here
		case *ast.GoStmt:
			found = "a go statement at " + pos(n)
		case *ast.SendStmt:
			found = "a channel send at " + pos(n)
		case *ast.UnaryExpr:
			switch n.Op {
			case token.ARROW:
				found = "a channel receive at " + pos(n)
			case token.AND:
				if _, ok := ast.Unparen(n.X).(*ast.CompositeLit); ok {
					found = "&composite literal (heap-allocated) at " + pos(n)
				}
			}
		case *ast.SelectStmt:
			found = "a select at " + pos(n)
		case *ast.BinaryExpr:
			if n.Op == token.ADD && isString(pass.TypesInfo.TypeOf(n)) && pass.TypesInfo.Types[n].Value == nil {
				found = "string concatenation (heap-allocated) at " + pos(n)
			}
		case *ast.CallExpr:
			if tv, ok := pass.TypesInfo.Types[n.Fun]; ok && tv.IsType() && len(n.Args) == 1 {
				if conversionAllocates(tv.Type, pass.TypesInfo.TypeOf(n.Args[0])) && pass.TypesInfo.Types[n].Value == nil {
					found = "a string/[]byte conversion (heap-allocated) at " + pos(n)
				}
				return true
			}
			if id, ok := ast.Unparen(n.Fun).(*ast.Ident); ok {
				if b, ok := pass.TypesInfo.Uses[id].(*types.Builtin); ok {
					switch b.Name() {
					case "make", "new", "append":
						found = b.Name() + " (heap-allocated) at " + pos(n)
					case "panic":
						return false // building a panic's message ends the program anyway
					}
					return true
				}
			}
			fn := astutil.Callee(pass.TypesInfo, n)
			if fn == nil {
				return true
			}
			if s := sink(fn); s != "" {
				found = s + " at " + pos(n)
				return false
			}
			if p := pathOf(pass, fn, why); p != "" {
				found = funcName(fn) + " (" + pos(n) + ") → " + p
				if strings.Count(found, "→") > 4 {
					found = found[:strings.Index(found, "→")] + "→ … → " + p[strings.LastIndex(p, "→")+len("→ "):]
				}
				return false
			}
		}
		return found == ""
	})
	return found
}

// sink names a call that blocks by itself, or returns "".
func sink(fn *types.Func) string {
	pkg := fn.Pkg()
	if pkg == nil {
		return ""
	}
	switch {
	case pkg.Path() == "time" && fn.Name() == "Sleep":
		return "time.Sleep"
	case pkg.Path() == asyncPath && fn.Name() == "Block" && recv(fn) == nil:
		return "async.Block"
	case strings.HasPrefix(pkg.Path(), halPrefix):
		if r := recv(fn); r != nil {
			switch {
			case r.Obj().Name() == "Blocking" && fn.Name() != "IntoAsync" && fn.Name() != "Close":
				return funcName(fn) + " (a Blocking driver method: it waits for the hardware)"
			case pkg.Path() == timerPath && (r.Obj().Name() == "Delay" || fn.Name() == "Wait") && fn.Name() != "DelayAsync":
				return funcName(fn) + " (waits)"
			}
		}
	}
	return ""
}

// checkInterruptTasks reports tasks spawned on an interrupt-mode executor whose Poll
// blocks: the executor polls them inside its software interrupt's handler.
func checkInterruptTasks(pass *analysis.Pass, f *ast.File, why map[*types.Func]string) {
	irq := map[*types.Var]bool{}
	isIRQ := func(e ast.Expr) bool {
		e = ast.Unparen(e)
		if id, ok := e.(*ast.Ident); ok {
			v, _ := pass.TypesInfo.Uses[id].(*types.Var)
			return v != nil && irq[v]
		}
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return false
		}
		fn := astutil.Callee(pass.TypesInfo, call)
		return fn != nil && fn.Pkg() != nil && fn.Pkg().Path() == executorPath && fn.Name() == "Interrupt" && recv(fn) == nil
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			if len(n.Rhs) == 1 && len(n.Lhs) >= 1 {
				if id, ok := n.Lhs[0].(*ast.Ident); ok {
					v, _ := pass.TypesInfo.Defs[id].(*types.Var)
					if v == nil {
						v, _ = pass.TypesInfo.Uses[id].(*types.Var)
					}
					if v != nil {
						irq[v] = isIRQ(n.Rhs[0])
					}
				}
			}
		case *ast.CallExpr:
			spawner, task := spawnArgs(pass, n)
			if task == nil {
				return true
			}
			sp, ok := ast.Unparen(spawner).(*ast.CallExpr)
			if !ok {
				return true
			}
			ssel, ok := ast.Unparen(sp.Fun).(*ast.SelectorExpr)
			if !ok || ssel.Sel.Name != "Spawner" || !isIRQ(ssel.X) {
				return true
			}
			t := pass.TypesInfo.TypeOf(task)
			ms := types.NewMethodSet(t)
			sel2 := ms.Lookup(nil, "Poll")
			if sel2 == nil {
				return true
			}
			poll, ok := sel2.Obj().(*types.Func)
			if !ok {
				return true
			}
			if p := pathOf(pass, poll, why); p != "" {
				suppress.Reportf(pass, task.Pos(), "task %s runs on an interrupt-mode executor, inside its interrupt handler, and may block or allocate: %s; move the work to a thread-mode executor's task, or make it wait with a future", types.TypeString(t, types.RelativeTo(pass.Pkg)), p)
			}
		}
		return true
	})
}

// spawnArgs returns the Spawner and the task of a spawn: the methods Spawn, SpawnPriority
// and SpawnNamed of an async.Spawner, or the functions async.Spawn and SpawnWith; nil for
// another call.
func spawnArgs(pass *analysis.Pass, call *ast.CallExpr) (spawner, task ast.Expr) {
	fn := astutil.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != asyncPath {
		return nil, nil
	}
	if recv(fn) == nil {
		if (fn.Name() == "Spawn" || fn.Name() == "SpawnWith") && len(call.Args) >= 2 {
			return call.Args[0], call.Args[1]
		}
		return nil, nil
	}
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil, nil
	}
	arg := map[string]int{"Spawn": 0, "SpawnPriority": 0, "SpawnNamed": 1}
	i, ok := arg[fn.Name()]
	if !ok || len(call.Args) <= i {
		return nil, nil
	}
	return sel.X, call.Args[i]
}

// captures reports whether a function literal refers to variables of enclosing functions.
func captures(pass *analysis.Pass, lit *ast.FuncLit) bool {
	found := false
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, ok := n.(*ast.Ident)
		if !ok || found {
			return !found
		}
		v, ok := pass.TypesInfo.Uses[id].(*types.Var)
		if !ok || v.IsField() || v.Pkg() != pass.Pkg || v.Parent() == v.Pkg().Scope() {
			return true
		}
		if v.Pos() < lit.Pos() || v.Pos() > lit.End() {
			found = true
		}
		return true
	})
	return found
}

func conversionAllocates(to, from types.Type) bool {
	if from == nil {
		return false
	}
	return (isString(to) && isBytes(from)) || (isBytes(to) && isString(from))
}

func isString(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsString != 0
}

func isBytes(t types.Type) bool {
	s, ok := t.Underlying().(*types.Slice)
	if !ok {
		return false
	}
	b, ok := s.Elem().Underlying().(*types.Basic)
	return ok && (b.Kind() == types.Byte || b.Kind() == types.Rune)
}

func paramVars(pass *analysis.Pass, fd *ast.FuncDecl) []*types.Var {
	var vs []*types.Var
	for _, f := range fd.Type.Params.List {
		for _, n := range f.Names {
			v, _ := pass.TypesInfo.Defs[n].(*types.Var)
			vs = append(vs, v)
		}
	}
	return vs
}

// recv returns the named type of fn's receiver, or nil for a function.
func recv(fn *types.Func) *types.Named {
	r := fn.Type().(*types.Signature).Recv()
	if r == nil {
		return nil
	}
	t := r.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, _ := t.(*types.Named)
	return n
}

func funcName(fn *types.Func) string {
	if r := recv(fn); r != nil {
		return r.Obj().Pkg().Name() + "." + r.Obj().Name() + "." + fn.Name()
	}
	if fn.Pkg() != nil {
		return fn.Pkg().Name() + "." + fn.Name()
	}
	return fn.Name()
}

func shortFile(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[i+1:]
	}
	return path
}
