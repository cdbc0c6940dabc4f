package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"runtime"
	"strings"
	"sync"

	"github.com/gohal/gohal/svd"
)

func init() {
	commands["check"] = command{
		summary: "parse, resolve and validate SVD files; print located diagnostics",
		run:     runCheck,
	}
}

// checkResult is what one file's check produced, printed in argument order.
type checkResult struct {
	file  string
	dev   *svd.Device
	diags svd.Diagnostics
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	strict := fs.Bool("strict", false, "treat warnings as errors")
	quiet := fs.Bool("q", false, "print only errors and the summary lines (no warnings)")
	jobs := fs.Int("j", runtime.GOMAXPROCS(0), "number of files checked in parallel")
	fs.Usage = func() {
		w := fs.Output()
		fmt.Fprintln(w, "usage: svdgen check [-strict] [-q] [-j N] FILE...")
		fmt.Fprintln(w, "\nParses, resolves and validates each SVD file. Each finding is printed as")
		fmt.Fprintln(w, "FILE:LINE:COL: CODE: message (element path), then one summary line per file.")
		fmt.Fprintln(w, "Exit status: 0 when no file has errors, 1 when one has, 2 for usage errors.")
		fmt.Fprintln(w, "\nflags:")
		fs.PrintDefaults()
	}
	if asksHelp(args) {
		fs.SetOutput(stdout) // asked-for help is output, not an error
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp { // the flag package has printed the usage
			return 0
		}
		return 2
	}
	files := fs.Args()
	if len(files) == 0 {
		fmt.Fprintln(stderr, "svdgen check: no files given")
		fs.Usage()
		return 2
	}
	if *jobs < 1 {
		*jobs = 1
	}
	opt := svd.Options{Strict: *strict}

	// A worker pool checks files in parallel; results are printed in argument order as soon
	// as every earlier file is done, so output is deterministic.
	results := make([]chan checkResult, len(files))
	for i := range results {
		results[i] = make(chan checkResult, 1)
	}
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < *jobs && w < len(files); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				results[i] <- checkFile(files[i], opt)
			}
		}()
	}
	go func() {
		for i := range files {
			work <- i
		}
		close(work)
		wg.Wait()
	}()

	status := 0
	var totalErr, totalWarn, bad int
	for i := range files {
		res := <-results[i]
		for _, d := range res.diags {
			if *quiet && d.Severity != svd.Error {
				continue
			}
			fmt.Fprintln(stdout, d.String())
		}
		nerr, nwarn := res.diags.Count()
		totalErr += nerr
		totalWarn += nwarn
		s := res.dev.Count()
		verdict := "ok"
		if nerr > 0 {
			verdict = "FAILED"
			status = 1
			bad++
		}
		fmt.Fprintf(stdout, "%s: %s: %d peripherals, %d registers, %d fields, %d enums, %d interrupts; %d errors, %d warnings\n",
			res.file, verdict, s.Peripherals, s.Registers, s.Fields, s.Enums, s.Interrupts, nerr, nwarn)
	}
	if len(files) > 1 {
		fmt.Fprintf(stdout, "%d files: %d ok, %d failed; %d errors, %d warnings\n",
			len(files), len(files)-bad, bad, totalErr, totalWarn)
	}
	return status
}

func checkFile(file string, opt svd.Options) checkResult {
	dev, diags, err := svd.Load(file, opt)
	if err != nil && diags == nil {
		// A file that cannot be read (missing, a directory, no permission) is reported
		// like any other error, in the located form editors and scripts parse, and counts
		// as a failed file in the summary.
		return checkResult{file: file, diags: svd.Diagnostics{unreadable(file, err)}}
	}
	return checkResult{file: file, dev: dev, diags: diags}
}

// unreadable is the E000 diagnostic for a file that could not be read. It points at the
// file's start, as E003 does for an oversized file: there is no content to locate.
func unreadable(file string, err error) svd.Diagnostic {
	msg := err.Error()
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg = pe.Err.Error() // the path is already the diagnostic's file name
	}
	return svd.Diagnostic{Pos: svd.Pos{File: file, Line: 1, Col: 1}, Code: svd.CodeUnreadable,
		Severity: svd.Error, Message: "cannot read the file: " + msg}
}

// asksHelp reports whether the flags (the arguments before the first file) ask for help.
func asksHelp(args []string) bool {
	for _, a := range args {
		switch {
		case a == "-h" || a == "-help" || a == "--help":
			return true
		case a == "--" || !strings.HasPrefix(a, "-"):
			return false
		}
	}
	return false
}
