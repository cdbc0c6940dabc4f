// Command svdgen checks CMSIS-SVD files and generates typed Go register packages (PACs)
// from them.
//
// Usage:
//
//	svdgen check [-strict] FILE...
//	svdgen gen -o DIR [flags] FILE...
//
// Run `svdgen help COMMAND` for a command's flags. Exit status: 0 on success, 1 when an
// input has errors, 2 for usage errors.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand. Each lives in its own file and registers itself in init.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// version is stamped into generated headers; release builds override it with -ldflags.
var version = "devel"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		usage(stderr)
		return 2
	}
	name := args[0]
	if name == "help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return c.run([]string{"-h"}, stdout, stderr)
			}
		}
		usage(stdout)
		return 0
	}
	if name == "version" {
		fmt.Fprintf(stdout, "svdgen %s\n", version)
		return 0
	}
	c, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "svdgen: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	return c.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: svdgen COMMAND [flags] FILE...")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "  version  print the generator version")
	fmt.Fprintln(w, "\nRun 'svdgen help COMMAND' for a command's flags.")
}
