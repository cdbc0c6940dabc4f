// Package irqstraight is gohalvet's analyzer for straight-line tasks on interrupt-mode
// executors: a task made with async.Go or async.GoNamed needs a goroutine switch at every
// await, which cannot happen inside an interrupt handler, so an interrupt-mode executor
// (hal/executor.Interrupt, or async.New with Config.Interrupt set) refuses it at its first
// poll with a panic, on the chip and on the simulator. This finds the spawn before it runs.
//
// It follows, within one declaration and the closures in it, in source order, the executor a Spawner comes from (hi.Spawner(), or a
// variable holding one) and the task passed to Spawn, SpawnNamed or SpawnPriority (a call
// of async.Go/GoNamed, or a variable assigned one).
package irqstraight

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const (
	asyncPath    = "github.com/gohal/gohal/async"
	executorPath = "github.com/gohal/gohal/hal/executor"
)

// Analyzer reports straight-line tasks spawned on interrupt-mode executors.
var Analyzer = &analysis.Analyzer{
	Name:     "irqstraight",
	Doc:      "a straight-line task (async.Go) spawned on an interrupt-mode executor panics at its first poll: spawn it on a thread-mode executor, or write it as a type with a Poll method",
	URL:      "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	// Whole declarations, closures included: an executor made in a function is often used
	// by the closures in it (a firmware function handed to a runner, a task's function).
	for _, f := range pass.Files {
		for _, d := range f.Decls {
			checkFunc(pass, d)
		}
	}
	return nil, nil
}

// What a variable was last assigned, as far as this analyzer cares.
type origin int

const (
	other        origin = iota
	irqExecutor         // an interrupt-mode executor
	irqSpawner          // the Spawner of one
	straightLine        // a task made by async.Go/GoNamed
)

func checkFunc(pass *analysis.Pass, body ast.Node) {
	vars := map[*types.Var]origin{}
	var classify func(e ast.Expr) origin
	classify = func(e ast.Expr) origin {
		e = ast.Unparen(e)
		if id, ok := e.(*ast.Ident); ok {
			if v, ok := pass.TypesInfo.Uses[id].(*types.Var); ok {
				return vars[v]
			}
			return other
		}
		call, ok := e.(*ast.CallExpr)
		if !ok {
			return other
		}
		fn := astutil.Callee(pass.TypesInfo, call)
		if fn == nil || fn.Pkg() == nil {
			return other
		}
		switch {
		case fn.Pkg().Path() == executorPath && fn.Name() == "Interrupt" && isFunc(fn):
			return irqExecutor
		case fn.Pkg().Path() == asyncPath && fn.Name() == "New" && isFunc(fn) && len(call.Args) == 1 && hasInterrupt(call.Args[0]):
			return irqExecutor
		case fn.Pkg().Path() == asyncPath && (fn.Name() == "Go" || fn.Name() == "GoNamed") && isFunc(fn):
			return straightLine
		case fn.Name() == "Spawner" && !isFunc(fn):
			if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && classify(sel.X) == irqExecutor {
				return irqSpawner
			}
		}
		return other
	}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			// x, err := executor.Interrupt(...) assigns the executor to the first variable.
			if len(n.Rhs) == 1 {
				if v := astutil.VarOf(pass.TypesInfo, n.Lhs[0]); v != nil {
					vars[v] = classify(n.Rhs[0])
				}
			} else if len(n.Lhs) == len(n.Rhs) {
				for i := range n.Lhs {
					if v := astutil.VarOf(pass.TypesInfo, n.Lhs[i]); v != nil {
						vars[v] = classify(n.Rhs[i])
					}
				}
			}
		case *ast.ValueSpec:
			if len(n.Values) == 1 && len(n.Names) >= 1 {
				if v, ok := pass.TypesInfo.Defs[n.Names[0]].(*types.Var); ok {
					vars[v] = classify(n.Values[0])
				}
			}
		case *ast.CallExpr:
			sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr)
			if !ok {
				return true
			}
			fn := astutil.Callee(pass.TypesInfo, n)
			if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != asyncPath || isFunc(fn) {
				return true
			}
			arg := -1
			switch fn.Name() {
			case "Spawn", "SpawnPriority":
				arg = 0
			case "SpawnNamed":
				arg = 1
			}
			if arg < 0 || len(n.Args) <= arg || classify(sel.X) != irqSpawner {
				return true
			}
			if classify(n.Args[arg]) == straightLine {
				suppress.Reportf(pass, n.Args[arg].Pos(), "straight-line task (async.Go) spawned on an interrupt-mode executor: it panics at its first poll (a goroutine switch cannot happen in an interrupt handler); spawn it on a thread-mode executor, or write the task as a type with a Poll method")
			}
		}
		return true
	})
}

// hasInterrupt reports whether e is an async.Config literal with a non-nil Interrupt field.
func hasInterrupt(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.CompositeLit)
	if !ok {
		return false
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		if k, ok := kv.Key.(*ast.Ident); ok && k.Name == "Interrupt" {
			if id, ok := kv.Value.(*ast.Ident); ok && id.Name == "nil" {
				return false
			}
			return true
		}
	}
	return false
}

// isFunc reports whether fn is a plain function, not a method.
func isFunc(fn *types.Func) bool { return fn.Type().(*types.Signature).Recv() == nil }
