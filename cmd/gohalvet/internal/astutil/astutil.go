// Package astutil holds the syntax and type helpers gohalvet's analyzers share.
package astutil

import (
	"go/ast"
	"go/types"
)

// Callee returns the function or method a call invokes statically, an explicitly
// instantiated generic function included, or nil (a call through a function value).
func Callee(info *types.Info, call *ast.CallExpr) *types.Func {
	f := ast.Unparen(call.Fun)
	switch x := f.(type) {
	case *ast.IndexExpr:
		f = x.X
	case *ast.IndexListExpr:
		f = x.X
	}
	var id *ast.Ident
	switch f := f.(type) {
	case *ast.Ident:
		id = f
	case *ast.SelectorExpr:
		id = f.Sel
	}
	if id == nil {
		return nil
	}
	fn, _ := info.Uses[id].(*types.Func)
	return fn
}

// VarOf returns the variable an identifier expression defines or uses, or nil.
func VarOf(info *types.Info, e ast.Expr) *types.Var {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return nil
	}
	if v, ok := info.Defs[id].(*types.Var); ok {
		return v
	}
	v, _ := info.Uses[id].(*types.Var)
	return v
}

// InspectShallow calls f for every node of n in depth-first order without entering the
// function literals inside n (they are functions of their own).
func InspectShallow(n ast.Node, f func(ast.Node)) {
	ast.Inspect(n, func(m ast.Node) bool {
		if m == nil {
			return false
		}
		if _, ok := m.(*ast.FuncLit); ok && m != n {
			return false
		}
		f(m)
		return true
	})
}
