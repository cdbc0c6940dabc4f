package codegen

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/gohal/gohal/svd"
)

// Job is one SVD file to generate a chip package from.
type Job struct {
	SVD     string // path of the SVD file
	Out     string // directory of the chip package, or with Sub its parent
	Sub     bool   // write into Out/<chip package name>
	Pkg     string // chip package name; empty: from the device name
	Import  string // import path of Out; empty: from the go.mod enclosing Out
	Strict  bool   // treat SVD warnings as errors
	Tests   bool   // emit layout tests
	Version string // generator version for the headers
}

// Result is what a Job produced.
type Result struct {
	Chip      *Chip
	Out       string            // the chip package directory
	Files     map[string][]byte // relative to Out
	Diags     svd.Diagnostics
	Registers int // register instances, arrays counted element by element
	Lines     int
	Bytes     int
	Load, Gen time.Duration
}

// Generate loads, resolves and generates, without touching the disk beyond reading the SVD
// (and the go.mod that decides the import path).
func Generate(job Job) (*Result, error) {
	res := &Result{}
	data, err := os.ReadFile(job.SVD)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	t0 := time.Now()
	dev, diags, err := svd.Load(job.SVD, svd.Options{Strict: job.Strict})
	res.Diags = diags
	res.Load = time.Since(t0)
	if err != nil {
		return res, err
	}
	if dev == nil {
		return res, fmt.Errorf("%s: no device", job.SVD)
	}
	t1 := time.Now()
	chip, err := Build(dev, Options{Pkg: job.Pkg})
	if err != nil {
		return res, err
	}
	res.Chip = chip
	res.Out = job.Out
	imp := job.Import
	if job.Sub {
		res.Out = filepath.Join(job.Out, chip.Pkg)
		if imp != "" {
			imp += "/" + chip.Pkg
		}
	}
	if imp == "" {
		if imp, err = ImportPath(res.Out); err != nil {
			return res, err
		}
	}
	files, err := Emit(chip, EmitOptions{Version: job.Version, Source: filepath.Base(job.SVD), SHA256: hex.EncodeToString(sum[:]), ImportPath: imp, Tests: job.Tests})
	if err != nil {
		return res, err
	}
	res.Files = files
	res.Gen = time.Since(t1)
	for _, t := range chip.Types {
		res.Registers += countRegs(t.Block) * countInstances(chip, t)
	}
	for _, f := range files {
		res.Lines += bytes.Count(f, []byte{'\n'})
		res.Bytes += len(f)
	}
	return res, nil
}

func countInstances(c *Chip, t *PeriphType) int {
	n := 0
	for _, in := range c.Instances {
		if in.Type == t {
			n++
		}
	}
	return n
}

// ImportPath derives the import path of dir from the go.mod file of the module enclosing
// it. dir need not exist yet.
func ImportPath(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			mod := modulePath(data)
			if mod == "" {
				return "", fmt.Errorf("%s: no module line", filepath.Join(d, "go.mod"))
			}
			rel, err := filepath.Rel(d, abs)
			if err != nil {
				return "", err
			}
			if rel == "." {
				return mod, nil
			}
			return mod + "/" + filepath.ToSlash(rel), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod encloses %s: pass -import", dir)
		}
	}
}

func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "module" {
			return strings.Trim(f[1], `"`)
		}
	}
	return ""
}

// ErrNotGenerated is returned when the output directory holds files svdgen did not write.
var ErrNotGenerated = errors.New("holds files svdgen did not generate")

// CheckOwned returns nil when dir does not exist or holds only svdgen output (files that
// start with the generated header, and directories of such files).
func CheckOwned(dir string) error { return checkOwned(dir, "") }

// ErrOtherSource is returned when the output directory holds svdgen output generated from
// another SVD file: replacing it would silently delete another chip's packages (say, the
// other PACs of an earlier multi-file run into the same directory).
var ErrOtherSource = errors.New("holds svdgen output of another SVD file")

// checkOwned is CheckOwned that, when source is not empty, also requires every generated
// file in dir to come from an SVD file of that name.
func checkOwned(dir, source string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(p, ".go") {
			return fmt.Errorf("%s %w: %s", dir, ErrNotGenerated, p)
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		head := make([]byte, 512)
		n, _ := io.ReadFull(f, head)
		head = head[:n]
		if !bytes.HasPrefix(head, []byte(HeaderPrefix)) {
			return fmt.Errorf("%s %w: %s", dir, ErrNotGenerated, p)
		}
		if source != "" {
			if got := headerSource(head); got != source {
				return fmt.Errorf("%s %w (%s, from %s; this run generates from %s): choose another output directory or remove it first",
					dir, ErrOtherSource, p, got, source)
			}
		}
		return nil
	})
}

// headerSource returns the SVD file name a generated header names: the FILE of
// "// Code generated by svdgen VERSION from FILE (sha256 …)".
func headerSource(file []byte) string {
	line, _, _ := bytes.Cut(file, []byte("\n"))
	_, rest, ok := bytes.Cut(line, []byte(" from "))
	if !ok {
		return ""
	}
	if i := bytes.LastIndex(rest, []byte(" (sha256 ")); i >= 0 {
		rest = rest[:i]
	}
	return string(rest)
}

// sameTree reports whether dir holds exactly files, byte for byte.
func sameTree(dir string, files map[string][]byte) bool {
	n := 0
	same := true
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !same {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		want, ok := files[filepath.ToSlash(rel)]
		if !ok {
			same = false
			return nil
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			same = false
		}
		n++
		return nil
	})
	return err == nil && same && n == len(files)
}

// WriteTree writes files into dir as one step: everything goes into a temporary directory
// beside dir, which then replaces dir. It refuses to replace a directory that holds anything
// but earlier svdgen output of the same SVD file (by name: a newer version of the file may
// replace its own output, never another chip's).
func WriteTree(dir string, files map[string][]byte) error {
	source := ""
	for _, content := range files {
		source = headerSource(content) // every file of one run names the same SVD
		break
	}
	if err := checkOwned(dir, source); err != nil {
		return err
	}
	if sameTree(dir, files) {
		return nil // already up to date: creating files is the slow part of a big run
	}
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".svdgen-")
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(tmp, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return err
		}
	}
	var old string
	if _, err := os.Stat(dir); err == nil {
		old = tmp + ".old"
		if err := os.Rename(dir, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		if old != "" {
			os.Rename(old, dir)
		}
		return err
	}
	ok = true
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
