package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/gohal/gohal/internal/codegen"
	"github.com/gohal/gohal/svd"
)

func init() {
	commands["gen"] = command{summary: "generate typed Go register packages (PACs) from SVD files", run: runGen}
}

// largeSVD is the size above which gen reports progress before it starts on a file.
const largeSVD = 1 << 20

func runGen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	for _, a := range args {
		if a == "-h" || a == "-help" || a == "--help" {
			fs.SetOutput(stdout) // asked for: the usage is the output
		}
	}
	out := fs.String("o", "", "output `DIR`: the chip package (one FILE), or the parent of one chip package per FILE")
	pkg := fs.String("pkg", "", "chip package `NAME` (one FILE only; default: from the SVD device name)")
	imp := fs.String("import", "", "import `PATH` of the output directory (default: from the enclosing go.mod)")
	strict := fs.Bool("strict", false, "treat SVD warnings as errors")
	tests := fs.Bool("tests", false, "also write layout_test.go into every peripheral package")
	quiet := fs.Bool("q", false, "no progress or summary lines on stderr")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "generate up to `N` files at once")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: svdgen gen -o DIR [-pkg NAME] [-import PATH] [-strict] [-tests] [-q] FILE...")
		fmt.Fprintln(w, "\nWrites a chip package into DIR (with several FILEs, one per FILE into DIR/<chip>), with")
		fmt.Fprintln(w, "one subpackage per peripheral type. DIR is replaced as a whole; svdgen refuses to")
		fmt.Fprintln(w, "touch a directory that holds anything it did not generate.")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	files := fs.Args()
	if *out == "" || len(files) == 0 {
		fs.Usage()
		return 2
	}
	if len(files) > 1 && *pkg != "" {
		fmt.Fprintln(stderr, "svdgen gen: -pkg needs exactly one FILE")
		return 2
	}
	if *jobs < 1 {
		*jobs = 1
	}
	var mu sync.Mutex // serialises output and claims
	claimed := map[string]string{}
	failed := 0
	start := time.Now()
	var total codegen.Result
	work := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < *jobs && i < len(files); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for file := range work {
				if st, err := os.Stat(file); err == nil && st.Size() > largeSVD && !*quiet {
					mu.Lock()
					fmt.Fprintf(stderr, "svdgen: %s: generating (%d KiB)…\n", file, st.Size()>>10)
					mu.Unlock()
				}
				job := codegen.Job{SVD: file, Out: *out, Sub: len(files) > 1, Pkg: *pkg, Import: *imp, Strict: *strict, Tests: *tests, Version: version}
				res, err := codegen.Generate(job)
				mu.Lock()
				if err == nil {
					if prev, dup := claimed[res.Out]; dup {
						err = fmt.Errorf("chip package %s is also generated from %s", res.Out, prev)
					} else {
						claimed[res.Out] = file
					}
				}
				mu.Unlock()
				if err == nil {
					err = codegen.WriteTree(res.Out, res.Files)
				}
				mu.Lock()
				report(stderr, file, res, err, *quiet)
				if err != nil {
					failed++
				} else {
					total.Registers += res.Registers
					total.Lines += res.Lines
					total.Bytes += res.Bytes
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		work <- f
	}
	close(work)
	wg.Wait()
	if len(files) > 1 && !*quiet {
		fmt.Fprintf(stderr, "svdgen: %d of %d files generated, %d registers, %d lines, in %.2fs\n",
			len(files)-failed, len(files), total.Registers, total.Lines, time.Since(start).Seconds())
	}
	if failed > 0 {
		return 1
	}
	return 0
}

func report(w io.Writer, file string, res *codegen.Result, err error, quiet bool) {
	if res != nil {
		// Errors only: warnings are many in vendor files, and svdgen check lists them.
		for _, d := range res.Diags {
			if d.Severity == svd.Error {
				fmt.Fprintln(w, d.String())
			}
		}
	}
	if err != nil {
		fmt.Fprintf(w, "svdgen: %s: %v\n", file, err)
		return
	}
	if quiet {
		return
	}
	for _, warn := range res.Chip.Warnings {
		fmt.Fprintf(w, "%s (generator)\n", warn)
	}
	_, warns := res.Diags.Count()
	rel := res.Out
	if r, err := filepath.Rel(".", res.Out); err == nil {
		rel = r
	}
	fmt.Fprintf(w, "svdgen: %s → %s: %d packages, %d registers, %d lines, %d SVD warnings (svdgen check lists them), %.0f ms\n",
		file, rel, len(res.Chip.Types)+1, res.Registers, res.Lines, warns, float64((res.Load+res.Gen).Microseconds())/1000)
}
