// Package golden holds the generator's fixture SVDs (testdata/*.svd, written for these tests)
// and the packages svdgen generates from them, committed as the expected output. The tests
// compare a fresh generation with the committed files byte for byte, type-check snippets
// against the output, and read the assembly it compiles to.
package golden

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gohal/gohal/internal/codegen"
)

var update = flag.Bool("update", false, "rewrite the expected output from the fixtures")

// fixtures lists the fixture SVDs: testdata/NAME.svd generates package NAME here.
func fixtures(t *testing.T) []string {
	t.Helper()
	m, err := filepath.Glob("testdata/*.svd")
	if err != nil || len(m) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	sort.Strings(m)
	return m
}

func generate(t *testing.T, svdPath string) (string, map[string][]byte) {
	t.Helper()
	name := strings.TrimSuffix(filepath.Base(svdPath), ".svd")
	res, err := codegen.Generate(codegen.Job{SVD: svdPath, Out: name, Pkg: name, Import: "github.com/gohal/gohal/golden/" + name, Tests: true, Version: "devel"})
	if err != nil {
		t.Fatalf("%s: %v", svdPath, err)
	}
	return name, res.Files
}

// TestGolden compares the generated packages with the committed ones. Run
// `go test ./golden -update` after an intended change, and review the diff.
func TestGolden(t *testing.T) {
	for _, svdPath := range fixtures(t) {
		name, files := generate(t, svdPath)
		if err := codegen.CheckFormat(files); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if *update {
			if err := codegen.WriteTree(name, files); err != nil {
				t.Fatal(err)
			}
			continue
		}
		onDisk := map[string][]byte{}
		err := filepath.WalkDir(name, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			rel, _ := filepath.Rel(name, p)
			onDisk[filepath.ToSlash(rel)] = b
			return err
		})
		if err != nil {
			t.Fatalf("%s: %v (run go test ./golden -update)", name, err)
		}
		for f, want := range onDisk {
			got, ok := files[f]
			switch {
			case !ok:
				t.Errorf("%s/%s is no longer generated", name, f)
			case !bytes.Equal(got, want):
				t.Errorf("%s/%s differs from a fresh generation (run go test ./golden -update and review the diff)", name, f)
			}
		}
		for f := range files {
			if _, ok := onDisk[f]; !ok {
				t.Errorf("%s/%s is generated but not committed", name, f)
			}
		}
	}
}

// TestDeterministic generates every fixture twice and expects the same bytes: map order,
// goroutines or time must never show in the output.
func TestDeterministic(t *testing.T) {
	for _, svdPath := range fixtures(t) {
		_, a := generate(t, svdPath)
		_, b := generate(t, svdPath)
		if len(a) != len(b) {
			t.Fatalf("%s: %d files, then %d", svdPath, len(a), len(b))
		}
		for f := range a {
			if !bytes.Equal(a[f], b[f]) {
				t.Errorf("%s: %s differs between two generations", svdPath, f)
			}
		}
	}
}
