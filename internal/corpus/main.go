// Command corpus runs the generator over a whole directory of real SVD files: it generates
// a package for every file that resolves, builds and vets them all in a scratch module, and
// prints one table row per file. `make corpus` runs it over ../shared/svd.
//
// The scratch directory is its own Go module that requires gohal through a replace
// directive, which is also how a user's firmware module would use generated code.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/gohal/gohal/internal/codegen"
)

type row struct {
	file     string // relative to the SVD root
	dir      string // package directory, relative to the output module
	err      string // why it did not generate ("" when it did)
	regs     int
	lines    int
	gen      time.Duration
	build    string // "ok" or the first error
	vet      string
	warnings int
}

func main() {
	root := flag.String("svd", "../shared/svd", "directory of SVD files (searched recursively for .svd and .xml)")
	out := flag.String("o", ".corpus", "scratch module to generate into (replaced on every run)")
	test := flag.Bool("test", false, "also run every generated layout test")
	only := flag.String("only", "", "only SVD files whose path matches this `regexp`")
	flag.Parse()
	re, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(2)
	}
	if err := run(*root, *out, *test, re); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

func run(root, out string, test bool, only *regexp.Regexp) error {
	if _, err := os.Stat(root); err != nil {
		return fmt.Errorf("no SVD corpus: %v", err)
	}
	var files []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".svd") || strings.HasSuffix(p, ".xml")) && only.MatchString(p) {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if err := prepare(out); err != nil {
		return err
	}

	rows := make([]*row, len(files))
	start := time.Now()
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				rows[i] = generate(root, out, files[i])
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	genWall := time.Since(start)

	var ok []*row
	for _, r := range rows {
		if r.err == "" {
			ok = append(ok, r)
		}
	}
	// gofmt over everything generated: the emitters write gofmt's layout without running it.
	fmtErrs := map[string]string{}
	if b, err := exec.Command("gofmt", "-l", out).Output(); err == nil {
		for _, f := range strings.Fields(string(b)) {
			rel, _ := filepath.Rel(out, filepath.Dir(f))
			fmtErrs["corpus/"+filepath.ToSlash(rel)] = "not gofmt-formatted: " + f
		}
	} else {
		return fmt.Errorf("gofmt: %v", err)
	}
	t0 := time.Now()
	buildErrs := goTool(out, "build", "./...")
	buildWall := time.Since(t0)
	t1 := time.Now()
	vetErrs := goTool(out, "vet", "./...")
	vetWall := time.Since(t1)
	var testErrs map[string]string
	var testWall time.Duration
	if test {
		t2 := time.Now()
		testErrs = goTool(out, "test", "./...")
		testWall = time.Since(t2)
	}
	for _, r := range ok {
		r.build, r.vet = firstFor(buildErrs, r.dir), firstFor(vetErrs, r.dir)
		if e := firstFor(fmtErrs, r.dir); e != "ok" {
			r.vet += "; " + e
		}
		if test {
			if e := firstFor(testErrs, r.dir); e != "ok" {
				r.vet += "; test: " + e
			}
		}
	}

	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tREGISTERS\tLINES\tGEN\tBUILD\tVET")
	var nBuild, nVet, regs, lines int
	for _, r := range rows {
		if r.err != "" {
			// The message is left unterminated (no tab after it): it sets no column width.
			fmt.Fprintf(tw, "%s\t-\t-\t%s\tnot generated: %s\n", r.file, ms(r.gen), r.err)
			continue
		}
		if r.build == "ok" {
			nBuild++
		}
		if r.vet == "ok" {
			nVet++
		}
		regs += r.regs
		lines += r.lines
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\n", r.file, r.regs, r.lines, ms(r.gen), r.build, r.vet)
	}
	tw.Flush()
	fmt.Printf("\n%d SVD files, %d generated (%d registers, %d lines) in %.2fs wall; build ok %d/%d (%.1fs), vet ok %d/%d (%.1fs)",
		len(rows), len(ok), regs, lines, genWall.Seconds(), nBuild, len(ok), buildWall.Seconds(), nVet, len(ok), vetWall.Seconds())
	if test {
		fmt.Printf(", tests %.1fs", testWall.Seconds())
	}
	fmt.Println()
	if nBuild != len(ok) || nVet != len(ok) {
		return fmt.Errorf("%d packages failed to build, %d to vet", len(ok)-nBuild, len(ok)-nVet)
	}
	return nil
}

func ms(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// prepare empties out (only if it is a corpus module or absent) and writes its go.mod.
func prepare(out string) error {
	if b, err := os.ReadFile(filepath.Join(out, "go.mod")); err == nil {
		if !bytes.HasPrefix(b, []byte("module corpus\n")) {
			return fmt.Errorf("%s/go.mod is not a corpus module; not touching it", out)
		}
		if err := os.RemoveAll(out); err != nil {
			return err
		}
	} else if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists and is not a corpus module; not touching it", out)
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	mod := fmt.Sprintf("module corpus\n\ngo 1.23\n\nrequire github.com/gohal/gohal v0.0.0\n\nreplace github.com/gohal/gohal => %s\n", repo)
	return os.WriteFile(filepath.Join(out, "go.mod"), []byte(mod), 0o644)
}

func generate(root, out, file string) *row {
	rel, _ := filepath.Rel(root, file)
	vendor := filepath.Dir(rel)
	name := codegen.PackageName(strings.TrimSuffix(filepath.Base(rel), filepath.Ext(rel)))
	r := &row{file: rel, dir: vendor + "/" + name}
	t0 := time.Now()
	res, err := codegen.Generate(codegen.Job{SVD: file, Out: filepath.Join(out, r.dir), Pkg: name, Import: "corpus/" + r.dir, Tests: true, Version: "corpus"})
	if err == nil {
		err = codegen.WriteTree(filepath.Join(out, r.dir), res.Files)
	}
	r.gen = time.Since(t0)
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		r.err = msg
		return r
	}
	r.regs, r.lines = res.Registers, res.Lines
	_, r.warnings = res.Diags.Count()
	return r
}

// goTool runs a go command over the module and returns, per package import path below
// "corpus/", the first line of error output that belongs to it.
func goTool(dir string, args ...string) map[string]string {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	outb, _ := cmd.CombinedOutput()
	errs := map[string]string{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(outb))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "# "):
			cur = strings.Trim(strings.Fields(line)[1], "[]")
		case strings.HasPrefix(line, "FAIL\t"):
			if f := strings.Fields(line); len(f) > 1 {
				errs[f[1]] = line
			}
		case strings.HasPrefix(line, "ok ") || strings.HasPrefix(line, "ok\t") || strings.HasPrefix(line, "?"):
		case cur != "" && errs[cur] == "":
			errs[cur] = strings.TrimSpace(line)
		case cur == "" && strings.TrimSpace(line) != "":
			// A path-located error without a "# pkg" line: attribute by directory.
			if i := strings.Index(line, ".go:"); i > 0 {
				d := filepath.ToSlash(filepath.Dir(strings.TrimPrefix(line[:i+3], "./")))
				if errs["corpus/"+d] == "" {
					errs["corpus/"+d] = strings.TrimSpace(line)
				}
			}
		}
	}
	return errs
}

// firstFor returns the first error of any package at or below dir, or "ok".
func firstFor(errs map[string]string, dir string) string {
	prefix := "corpus/" + dir
	var keys []string
	for k := range errs {
		if k == prefix || strings.HasPrefix(k, prefix+"/") || strings.HasPrefix(k, prefix+".") || strings.HasPrefix(k, prefix+"_test") {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return "ok"
	}
	sort.Strings(keys)
	return keys[0] + ": " + errs[keys[0]]
}
