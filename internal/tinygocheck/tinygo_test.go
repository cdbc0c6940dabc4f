// Package tinygocheck type-checks gohal's firmware packages as TinyGo builds them, on a
// machine without TinyGo: the files selected by TinyGo's build tags for the ESP32-C3, against
// declarations of the TinyGo-only packages they import (runtime/volatile, runtime/interrupt,
// device/riscv) written from TinyGo's signatures in testdata/stubs. It catches the mistakes a
// host build cannot see — an API TinyGo lacks, a tinygo file that drifted from its host twin —
// before a reviewer's `tinygo build -target=esp32c3` does.
package tinygocheck

import (
	"fmt"
	"go/ast"
	"go/build"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/gohal/gohal"

// esp32c3Tags are the build tags `tinygo build -target=esp32c3` sets that gohal's files use.
var esp32c3Tags = []string{"tinygo", "esp32c3", "baremetal", "tinygo.riscv", "tinygo.riscv32"}

type tinyImporter struct {
	fset  *token.FileSet
	ctx   build.Context
	root  string
	std   types.Importer
	sizes types.Sizes
	pkgs  map[string]*types.Package
	files map[string][]string // package path → files checked, for the test's assertions
}

func newImporter(t *testing.T) *tinyImporter {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	ctx := build.Default
	ctx.GOOS, ctx.GOARCH = "linux", "arm" // TinyGo's GOOS/GOARCH for 32-bit bare metal
	ctx.BuildTags = esp32c3Tags
	ctx.CgoEnabled = false
	return &tinyImporter{
		fset: fset, ctx: ctx, root: root,
		std:   importer.ForCompiler(fset, "source", nil),
		sizes: types.SizesFor("gc", "arm"),
		pkgs:  map[string]*types.Package{},
		files: map[string][]string{},
	}
}

func (im *tinyImporter) Import(path string) (*types.Package, error) {
	if p, ok := im.pkgs[path]; ok {
		return p, nil
	}
	var dir string
	switch {
	case path == "unsafe":
		return types.Unsafe, nil
	case path == "runtime/volatile" || path == "runtime/interrupt" || path == "device/riscv":
		dir = filepath.Join("testdata", "stubs", filepath.FromSlash(path))
	case path == module || strings.HasPrefix(path, module+"/"):
		dir = filepath.Join(im.root, filepath.FromSlash(strings.TrimPrefix(path, module)))
	default:
		return im.std.Import(path)
	}
	bp, err := im.ctx.ImportDir(dir, 0)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(im.fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	im.files[path] = bp.GoFiles
	var errs []string
	conf := types.Config{Importer: im, Sizes: im.sizes, Error: func(err error) { errs = append(errs, err.Error()) }}
	pkg, _ := conf.Check(path, im.fset, files, nil)
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s (tinygo, esp32c3):\n\t%s", path, strings.Join(errs, "\n\t"))
	}
	im.pkgs[path] = pkg
	return pkg, nil
}

func TestFirmwareTypeChecksForTinyGoESP32C3(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks the esp32c3 PAC from source")
	}
	im := newImporter(t)
	for _, path := range []string{
		module + "/rt/mmio",
		module + "/rt",
		module + "/examples/blinky", // pulls in pac/esp32c3 and its peripheral packages
		// Every committed PAC, with 32-bit sizes: what a RISC-V or Cortex-M build sees.
		module + "/pac/esp32c6", module + "/pac/esp32s3", module + "/pac/esp32c2",
		module + "/pac/esp32h2", module + "/pac/esp32s2", module + "/pac/esp32",
	} {
		if _, err := im.Import(path); err != nil {
			t.Error(err)
		}
	}
	if n := len(im.pkgs); n < 200 {
		t.Errorf("only %d packages were checked; the PACs' peripheral packages are missing", n)
	}
	// The right twins were chosen: the chip files, never the host bus or the simulator.
	want := map[string]string{module + "/rt/mmio": "cell_tinygo.go", module + "/rt": "rt_esp32c3.go", module + "/examples/blinky": "start_tinygo.go"}
	for path, file := range want {
		if !contains(im.files[path], file) {
			t.Errorf("%s: TinyGo's build would compile %v, which lacks %s", path, im.files[path], file)
		}
	}
	for path := range im.pkgs {
		if strings.Contains(path, "/sim/") || strings.HasSuffix(path, "/rt/host") {
			t.Errorf("the TinyGo build imports %s, a host-only package", path)
		}
	}
}

// The stubs must not make the check vacuous: an API TinyGo lacks is an error.
func TestMissingTinyGoAPIIsAnError(t *testing.T) {
	im := newImporter(t)
	src := "package p\n\nimport \"runtime/volatile\"\n\nvar x uint64\n\nfunc f() uint64 { return volatile.LoadUint64(&x) }\n"
	f, err := parser.ParseFile(im.fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: im, Sizes: im.sizes}
	if _, err := conf.Check("p", im.fset, []*ast.File{f}, nil); err == nil || !strings.Contains(err.Error(), "LoadUint64") {
		t.Fatalf("volatile.LoadUint64 type-checked (%v); TinyGo has no such function", err)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
