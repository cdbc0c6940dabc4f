// Package spawniface is gohalvet's analyzer for stackless tasks spawned through the Task
// interface. Spawner.Spawn, SpawnPriority and SpawnNamed take an async.Task, and under
// TinyGo a value stored in an interface brings in type descriptors for every type reachable
// from it: for a task holding futures, their whole state (2.7 KB of flash in
// examples/echo). async.Spawn and async.SpawnWith take the task's pointer instead and call
// its Poll directly. The finding carries the rewrite.
//
// It reports a spawn whose task argument is a pointer to a named type (the pointer, not an
// interface value or async.Go's task, is what async.Spawn takes), outside _test.go files:
// tests run on the host, where there is no flash to save.
package spawniface

import (
	"bytes"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"

	"github.com/gohal/gohal/cmd/gohalvet/internal/astutil"
	"github.com/gohal/gohal/cmd/gohalvet/internal/suppress"
)

const asyncPath = "github.com/gohal/gohal/async"

// Analyzer reports stackless tasks spawned as Task interface values.
var Analyzer = &analysis.Analyzer{
	Name:     "spawniface",
	Doc:      "a stackless task spawned with Spawner.Spawn (a Task interface value) costs flash under TinyGo for the type information of everything it holds: spawn it with async.Spawn",
	URL:      "https://github.com/gohal/gohal/tree/main/cmd/gohalvet",
	Requires: []*analysis.Analyzer{inspect.Analyzer},
	Run:      run,
}

func run(pass *analysis.Pass) (any, error) {
	ins := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	ins.WithStack([]ast.Node{(*ast.CallExpr)(nil)}, func(n ast.Node, push bool, stack []ast.Node) bool {
		if !push {
			return true
		}
		call := n.(*ast.CallExpr)
		file := stack[0].(*ast.File)
		if strings.HasSuffix(pass.Fset.Position(file.Pos()).Filename, "_test.go") {
			return false
		}
		check(pass, file, call)
		return true
	})
	return nil, nil
}

func check(pass *analysis.Pass, file *ast.File, call *ast.CallExpr) {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return
	}
	fn := astutil.Callee(pass.TypesInfo, call)
	if fn == nil || fn.Pkg() == nil || fn.Pkg().Path() != asyncPath {
		return
	}
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil || !isNamed(recv.Type(), "Spawner") {
		return
	}
	var task, name, prio ast.Expr
	switch fn.Name() {
	case "Spawn":
		if len(call.Args) != 1 {
			return
		}
		task = call.Args[0]
	case "SpawnPriority":
		if len(call.Args) != 2 {
			return
		}
		task, prio = call.Args[0], call.Args[1]
	case "SpawnNamed":
		if len(call.Args) != 3 {
			return
		}
		name, task, prio = call.Args[0], call.Args[1], call.Args[2]
	default:
		return
	}
	ptr, ok := pass.TypesInfo.TypeOf(task).(*types.Pointer)
	if !ok {
		return
	}
	elem, ok := types.Unalias(ptr.Elem()).(*types.Named)
	if !ok {
		return
	}
	if _, isIface := elem.Underlying().(*types.Interface); isIface {
		return
	}
	d := analysis.Diagnostic{
		Pos: call.Pos(),
		End: call.End(),
		Message: "task *" + elem.Obj().Name() + " spawned as a Task interface value (" + fn.Name() +
			"): under TinyGo that brings in type information for everything reachable from it, the futures it holds included; spawn it with async.Spawn or async.SpawnWith, which keep the pointer",
	}
	if pkg := importName(file); pkg != "" {
		d.SuggestedFixes = fix(pass, pkg, call, sel.X, task, name, prio, hasTaskName(ptr))
	}
	suppress.Report(pass, d)
}

// fix rewrites the spawn as async.Spawn or async.SpawnWith, or returns nil when the task
// names itself (TaskName, which async.Spawn does not call) and naming it needs the task's
// expression twice.
func fix(pass *analysis.Pass, pkg string, call *ast.CallExpr, spawner, task, name, prio ast.Expr, named bool) []analysis.SuggestedFix {
	src := func(e ast.Expr) string {
		var b bytes.Buffer
		format.Node(&b, pass.Fset, e)
		return b.String()
	}
	var opts []string
	switch {
	case name != nil:
		opts = append(opts, "Name: "+src(name))
	case named:
		if _, ok := ast.Unparen(task).(*ast.Ident); !ok {
			return nil
		}
		opts = append(opts, "Name: "+src(task)+".TaskName()")
	}
	if prio != nil && !isZero(prio) {
		opts = append(opts, "Priority: "+src(prio))
	}
	text := pkg + ".Spawn(" + src(spawner) + ", " + src(task) + ")"
	if len(opts) > 0 {
		text = pkg + ".SpawnWith(" + src(spawner) + ", " + src(task) + ", " + pkg + ".SpawnOptions{" + strings.Join(opts, ", ") + "})"
	}
	return []analysis.SuggestedFix{{
		Message:   "spawn it with " + text,
		TextEdits: []analysis.TextEdit{{Pos: call.Pos(), End: call.End(), NewText: []byte(text)}},
	}}
}

// importName returns the name under which file imports async, or "" if it does not.
func importName(file *ast.File) string {
	for _, imp := range file.Imports {
		if strings.Trim(imp.Path.Value, `"`) != asyncPath {
			continue
		}
		if imp.Name != nil {
			if imp.Name.Name == "_" || imp.Name.Name == "." {
				return ""
			}
			return imp.Name.Name
		}
		return "async"
	}
	return ""
}

// hasTaskName reports whether t has a TaskName method (async.Named).
func hasTaskName(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "TaskName")
	_, ok := obj.(*types.Func)
	return ok
}

func isNamed(t types.Type, name string) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Name() == name
}

func isZero(e ast.Expr) bool {
	lit, ok := ast.Unparen(e).(*ast.BasicLit)
	return ok && lit.Kind == token.INT && lit.Value == "0"
}
