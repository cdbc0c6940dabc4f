package golden

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"
)

// The layout of generated code is checked at compile time: every peripheral package has a
// layout.go of constants -(got ^ want) over unsafe.Sizeof and unsafe.Offsetof, which do not
// compile unless every struct size, field offset, array size and register width is the
// SVD's. The tests here show the checks are all there, that gc and go/types accept them with
// the sizes of 32-bit targets (where a 64-bit register is only 4-byte aligned, as on every
// core TinyGo builds for), and that they reject a wrong layout. Nothing they build is run,
// so they pass on a machine that cannot execute 386 or ARM binaries.

// layoutArchs are the targets the checks are compiled for: the host's 64-bit layout, and
// two 32-bit ones.
var layoutArchs = []string{"amd64", "386", "arm"}

// TestLayoutChecksComplete reads the struct types of every golden peripheral package and
// expects layout.go to check exactly: the size of each register block and cluster and the
// offset of each of its fields, the size of each array field, the width of each register
// cell, and the size of each register type padded to an array stride. So the compile-time
// checks cannot go missing, or pass because there are none.
func TestLayoutChecksComplete(t *testing.T) {
	regs, err := filepath.Glob("*/*/registers.go")
	require.NoError(t, err)
	require.NotEmpty(t, regs)
	for _, regFile := range regs {
		dir := filepath.Dir(regFile)
		t.Run(filepath.ToSlash(dir), func(t *testing.T) {
			fset := token.NewFileSet()
			rf, err := parser.ParseFile(fset, regFile, nil, 0)
			require.NoError(t, err)
			var want []string
			for _, d := range rf.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					continue
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					want = append(want, structChecks(ts.Name.Name, st)...)
				}
			}
			require.NotEmpty(t, want, "%s declares no struct types", regFile)

			lf, err := parser.ParseFile(fset, filepath.Join(dir, "layout.go"), nil, 0)
			require.NoError(t, err, "every peripheral package has a layout.go")
			var got []string
			for _, d := range lf.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok || gd.Tok != token.CONST {
					continue
				}
				for _, spec := range gd.Specs {
					vs := spec.(*ast.ValueSpec)
					require.Len(t, vs.Values, 1)
					line := fset.Position(vs.Pos()).Line
					got = append(got, checkedExpr(t, line, vs))
				}
			}
			assert.ElementsMatch(t, want, got, "layout.go checks (unsafe.* expressions) against the types of registers.go")
		})
	}
}

// structChecks returns the unsafe expressions layout.go must check for one struct type.
func structChecks(name string, st *ast.StructType) []string {
	var out []string
	isReg := false
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == "reg" {
				isReg = true
			}
		}
	}
	if isReg {
		out = append(out, "unsafe.Sizeof("+name+"{}.reg)")
		if len(st.Fields.List) > 1 { // reg and the padding to an array stride
			out = append(out, "unsafe.Sizeof("+name+"{})")
		}
		return out
	}
	out = append(out, "unsafe.Sizeof("+name+"{})")
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == "_" {
				continue
			}
			out = append(out, "unsafe.Offsetof("+name+"{}."+n.Name+")")
			if _, ok := f.Type.(*ast.ArrayType); ok {
				out = append(out, "unsafe.Sizeof("+name+"{}."+n.Name+")")
			}
		}
	}
	return out
}

// checkedExpr returns X of a layout check `_ = -(X ^ WANT)`, failing on any other shape.
func checkedExpr(t *testing.T, line int, vs *ast.ValueSpec) string {
	t.Helper()
	require.Len(t, vs.Names, 1, "line %d", line)
	require.Equal(t, "_", vs.Names[0].Name, "line %d", line)
	neg, ok := vs.Values[0].(*ast.UnaryExpr)
	require.True(t, ok && neg.Op == token.SUB, "line %d: not -(…)", line)
	paren, ok := neg.X.(*ast.ParenExpr)
	require.True(t, ok, "line %d: not -(…)", line)
	xor, ok := paren.X.(*ast.BinaryExpr)
	require.True(t, ok && xor.Op == token.XOR, "line %d: not -(got ^ want)", line)
	lit, ok := xor.Y.(*ast.BasicLit)
	require.True(t, ok && lit.Kind == token.INT, "line %d: want is not an integer literal", line)
	return types.ExprString(xor.X)
}

// TestLayoutChecksCompile32Bit compiles (never runs) the golden packages with gc for the
// layout targets, so the checks in layout.go are evaluated with 386 and ARM sizes. Then it
// compiles golden/demo/uart with its 64-bit TIMESTAMP left to natural alignment (an overlay
// shortens the padding before it), which only a 32-bit target gets wrong: gc must refuse it
// there, naming the check. The plain cells stand in for the host bus, whose simulated
// address space is 64-bit only; every cell implementation has the same size.
func TestLayoutChecksCompile32Bit(t *testing.T) {
	src, err := os.ReadFile("demo/uart/registers.go")
	require.NoError(t, err)
	require.Contains(t, string(src), naturalAlign.old, "the golden output changed: update the edit")
	edited := filepath.Join(t.TempDir(), "registers.go")
	require.NoError(t, os.WriteFile(edited, []byte(strings.Replace(string(src), naturalAlign.old, naturalAlign.new, 1)), 0o644))
	abs, err := filepath.Abs("demo/uart/registers.go")
	require.NoError(t, err)
	overlay, err := json.Marshal(map[string]map[string]string{"Replace": {abs: edited}})
	require.NoError(t, err)
	overlayFile := filepath.Join(t.TempDir(), "overlay.json")
	require.NoError(t, os.WriteFile(overlayFile, overlay, 0o644))

	for _, arch := range layoutArchs {
		t.Run(arch, func(t *testing.T) {
			build := func(args ...string) ([]byte, error) {
				cmd := exec.Command("go", append([]string{"build", "-tags", "mmio_plain"}, args...)...)
				cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0")
				return cmd.CombinedOutput()
			}
			out, err := build("./demo/...", "./names/...", "./window/...")
			require.NoError(t, err, "go build for %s:\n%s", arch, out)

			out, err = build("-overlay", overlayFile, "./demo/uart")
			if arch == "amd64" {
				require.NoError(t, err, "on amd64 the 8-byte alignment restores the offset:\n%s", out)
				return
			}
			require.Error(t, err, "go build for %s accepted TIMESTAMP at the wrong offset", arch)
			assert.Regexp(t, `layout\.go:\d+:\d+: .*unsafe\.Offsetof\(UART\{\}\.TIMESTAMP\) \^ 0x20\).* overflows uintptr`, string(out))
		})
	}
}

// naturalAlign edits golden/demo/uart/registers.go to leave the 64-bit register TIMESTAMP
// (at 0x20, after the 2-byte KEY at 0x14) to natural alignment: right on amd64, where the
// cell is 8-byte aligned, and 4 bytes early on 32-bit targets, where it is 4-byte aligned.
var naturalAlign = struct{ old, new string }{"KEY KEY\n\t_   [0xa]byte", "KEY KEY\n\t_   [0x6]byte"}

// loadGolden type-checks the golden packages from source with go/types, as TinyGo does,
// with the sizes of GOARCH arch.
func loadGolden(t *testing.T, arch string) []*packages.Package {
	t.Helper()
	cfg := &packages.Config{
		Mode:       packages.NeedName | packages.NeedFiles | packages.NeedSyntax | packages.NeedTypes | packages.NeedImports | packages.NeedDeps | packages.NeedTypesSizes,
		Env:        append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0"),
		BuildFlags: []string{"-tags", "mmio_plain"},
		Tests:      false,
	}
	pkgs, err := packages.Load(cfg, "./demo/...", "./names/...", "./window/...")
	require.NoError(t, err)
	require.NotEmpty(t, pkgs)
	return pkgs
}

// TestLayoutChecksReject edits the generated registers.go of a golden package the way a
// generator bug would, type-checks the package with go/types and the sizes of each layout
// target, and expects exactly the layout checks naming the moved or resized members to fail
// ("overflows uintptr"), and nothing else: the edited package is valid Go with a wrong
// layout. The unedited packages type-check cleanly for every target.
func TestLayoutChecksReject(t *testing.T) {
	type edit struct{ old, new string }
	cases := []struct {
		name  string
		pkg   string // under golden/
		edits []edit
		// want: per GOARCH, the checked expressions that must fail, and no others. None: the
		// package type-checks.
		want map[string][]string
	}{
		{
			name:  "64-bit register left to natural alignment",
			pkg:   "demo/uart",
			edits: []edit{naturalAlign},
			// On amd64 the 8-byte alignment of a 64-bit cell restores the offset; a 32-bit
			// target puts TIMESTAMP 4 bytes early, and everything after it.
			want: map[string][]string{
				"amd64": nil,
				"386":   uartFrom("TIMESTAMP"),
				"arm":   uartFrom("TIMESTAMP"),
			},
		},
		{
			name:  "two registers swapped",
			pkg:   "demo/uart",
			edits: []edit{{"\tSTATUS STATUS\n", ""}, {"\tINT_CLR INT_CLR\n", "\tINT_CLR INT_CLR\n\tSTATUS  STATUS\n"}},
			want:  allArchs("Offsetof(UART{}.STATUS)", "Offsetof(UART{}.INT_CLR)"),
		},
		{
			name:  "register array one element short",
			pkg:   "demo/uart",
			edits: []edit{{"FIFO [4]FIFO", "FIFO [3]FIFO"}},
			// On amd64 the block's 8-byte alignment pads it back to its size.
			want: map[string][]string{
				"amd64": append(uartFrom("TXBUF_A")[1:], "Sizeof(UART{}.FIFO)"),
				"386":   append(uartFrom("TXBUF_A"), "Sizeof(UART{}.FIFO)"),
				"arm":   append(uartFrom("TXBUF_A"), "Sizeof(UART{}.FIFO)"),
			},
		},
		{
			name:  "register array element padded wrong",
			pkg:   "demo/uart",
			edits: []edit{{"type MATCH struct {\n\treg mmio.U32\n\t_   [0x4]byte\n}", "type MATCH struct {\n\treg mmio.U32\n\t_   [0xc]byte\n}"}},
			want:  allArchs(append(uartFrom("CONF1"), "Sizeof(MATCH{})", "Sizeof(UART{}.MATCH)")...),
		},
		{
			// A cell of the wrong width with the 32-bit API. Alignment keeps LEN at 4 and the
			// cluster at 8 bytes: only the width check sees it.
			name:  "register in a nested cluster of a cluster array too narrow",
			pkg:   "demo/uart",
			edits: []edit{{"type CH_SUB_ADDR struct{ reg mmio.U32 }", "type CH_SUB_ADDR struct{ reg narrow32 }" + narrow32}},
			want:  allArchs("Sizeof(CH_SUB_ADDR{}.reg)"),
		},
		{
			name:  "cluster array element short of its stride",
			pkg:   "demo/uart",
			edits: []edit{{"\tSUB CH_SUB\n\t_   [0x8]byte\n}", "\tSUB CH_SUB\n\t_   [0x4]byte\n}"}},
			want:  allArchs("Sizeof(CH{})", "Sizeof(UART{}.CH)", "Offsetof(UART{}.AUX)", "Sizeof(UART{})"),
		},
		{
			// The cluster keeps its size; the third BUF sits where the SVD has nothing.
			name:  "array in a cluster array one element long",
			pkg:   "demo/dma",
			edits: []edit{{"\tBUF [2]CH_BUF\n\t_   [0x4]byte\n}", "\tBUF [3]CH_BUF\n}"}},
			want:  allArchs("Sizeof(CH{}.BUF)"),
		},
		{
			// A 64 MiB window is checked as a whole, by the size of its array.
			name:  "memory window one word short",
			pkg:   "window/ram",
			edits: []edit{{"MEM [16777216]MEM", "MEM [16777215]MEM"}},
			want:  allArchs("Sizeof(RAM{}.MEM)", "Offsetof(RAM{}.PAIR)", "Offsetof(RAM{}.LAST)", "Sizeof(RAM{})"),
		},
		{
			name:  "register behind an accessor method too narrow",
			pkg:   "demo/uart",
			edits: []edit{{"type ID struct{ reg mmio.U32 }", "type ID struct{ reg narrow32 }" + narrow32}},
			want:  allArchs("Sizeof(ID{}.reg)"),
		},
	}
	for _, arch := range layoutArchs {
		t.Run(arch, func(t *testing.T) {
			pkgs := loadGolden(t, arch)
			byPath := map[string]*packages.Package{}
			packages.Visit(pkgs, nil, func(p *packages.Package) {
				byPath[p.PkgPath] = p
				assert.Empty(t, p.Errors, "%s does not type-check for %s", p.PkgPath, arch)
			})
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					p := byPath["github.com/gohal/gohal/golden/"+c.pkg]
					require.NotNil(t, p, "golden/%s not loaded", c.pkg)
					fails := checkEdited(t, p, func(src string) string {
						for _, e := range c.edits {
							require.Contains(t, src, e.old, "the golden output changed: update the edit")
							src = strings.Replace(src, e.old, e.new, 1)
						}
						return src
					})
					want := append([]string(nil), c.want[arch]...)
					for i := range want {
						want[i] = "unsafe." + want[i]
					}
					assert.ElementsMatch(t, want, fails, "failing layout checks")
				})
			}
		})
	}
}

// narrow32 declares a 2-byte cell with the methods of mmio.U32, for an edit that narrows a
// register without breaking the code that uses it.
const narrow32 = "\n\ntype narrow32 struct{ _ [2]byte }\n\nfunc (narrow32) Load() uint32 { return 0 }\n\nfunc (*narrow32) Store(uint32) {}\n"

// uartFrom lists the offset checks of the uart block's fields from field on, and its size:
// what fails when field moves and everything after it moves with it.
func uartFrom(field string) []string {
	fields := []string{"DATA", "FLAGS8", "DIV", "CONF0", "STATUS", "INT_CLR", "EVENTS", "KEY", "TIMESTAMP", "COMPARE", "FIFO", "TXBUF_A", "TXBUF_B", "MATCH", "CONF1", "CH", "AUX"}
	out := []string{"Sizeof(UART{})"}
	for i, f := range fields {
		if f == field {
			for _, g := range fields[i:] {
				out = append(out, "Offsetof(UART{}."+g+")")
			}
			return out
		}
	}
	panic("no uart field " + field)
}

func allArchs(want ...string) map[string][]string {
	m := map[string][]string{}
	for _, a := range layoutArchs {
		m[a] = want
	}
	return m
}

// checkEdited type-checks package p again, from its files with registers.go passed through
// edit, with p's sizes and imports. It requires every error to be a failing layout check in
// layout.go and returns the checked expressions (X of -(X ^ WANT)) of those checks.
func checkEdited(t *testing.T, p *packages.Package, edit func(string) string) []string {
	t.Helper()
	fset := token.NewFileSet()
	var files []*ast.File
	edited := false
	for _, name := range p.GoFiles {
		b, err := os.ReadFile(name)
		require.NoError(t, err)
		src := string(b)
		if filepath.Base(name) == "registers.go" {
			src = edit(src)
			edited = true
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		require.NoError(t, err)
		files = append(files, f)
	}
	require.True(t, edited, "%s has no registers.go", p.PkgPath)
	var errs []types.Error
	conf := types.Config{
		Sizes: p.TypesSizes,
		Importer: importerFunc(func(path string) (*types.Package, error) {
			if path == "unsafe" {
				return types.Unsafe, nil
			}
			return p.Imports[path].Types, nil
		}),
		Error: func(err error) { errs = append(errs, err.(types.Error)) },
	}
	conf.Check(p.PkgPath, fset, files, nil)
	// The checks by position, to name the failing ones.
	checks := map[token.Pos]string{}
	for _, f := range files {
		if filepath.Base(fset.File(f.Pos()).Name()) != "layout.go" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok {
				checks[vs.Values[0].Pos()] = checkedExpr(t, fset.Position(vs.Pos()).Line, vs)
			}
			return true
		})
	}
	var fails []string
	for _, e := range errs {
		x, ok := checks[e.Pos]
		require.True(t, ok, "an error outside the layout checks: %v", e)
		require.Contains(t, e.Msg, "overflows uintptr", "not a failing layout check: %v", e)
		fails = append(fails, x)
	}
	return fails
}

type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
