// Command gohalvet checks gohal firmware for the misuse Rust's type system catches for
// esp-hal and Go's does not: a future assigned over while armed (armed); a driver used after IntoAsync, IntoBlocking or Close consumed it,
// or a token given to two constructors (consumed); a critical section left open on some path
// (critsec); an async driver used on another core (crosscore); a blocking call or heap allocation reachable from an interrupt handler
// (irqblock); a
// straight-line task spawned on an interrupt-mode executor (irqstraight); a stackless task
// spawned as a Task interface value, which costs flash under TinyGo (spawniface); and more
// to come (see the README's gohalvet section).
//
//	go run ./cmd/gohalvet ./...                          # standalone, on packages
//	go build -o gohalvet ./cmd/gohalvet && go vet -vettool=$PWD/gohalvet ./...
//
// Each analyzer is a package of its own under cmd/gohalvet, usable in other drivers.
package main

import (
	"encoding/json"
	"os"
	"strings"

	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/gohal/gohal/cmd/gohalvet/armed"
	"github.com/gohal/gohal/cmd/gohalvet/consumed"
	"github.com/gohal/gohal/cmd/gohalvet/critsec"
	"github.com/gohal/gohal/cmd/gohalvet/crosscore"
	"github.com/gohal/gohal/cmd/gohalvet/irqblock"
	"github.com/gohal/gohal/cmd/gohalvet/irqstraight"
	"github.com/gohal/gohal/cmd/gohalvet/spawniface"
)

func main() {
	redirectVetStdout(os.Args[1:])
	multichecker.Main(armed.Analyzer, consumed.Analyzer, critsec.Analyzer, crosscore.Analyzer, irqblock.Analyzer, irqstraight.Analyzer, spawniface.Analyzer)
}

// redirectVetStdout sends the tool's standard output where go vet wants it. Since Go 1.26,
// go vet runs a vet tool with -json and a config file whose "Stdout" names the file the
// tool's output must go to; go vet reads the diagnostics from there, prints them and sets
// its exit status. The unitchecker of the x/tools gohal can require (it keeps the go line
// at 1.23) writes to the process's standard output instead, which go vet would print raw,
// as JSON, and exit 0 with the findings unseen.
func redirectVetStdout(args []string) {
	if len(args) == 0 || !strings.HasSuffix(args[len(args)-1], ".cfg") {
		return
	}
	data, err := os.ReadFile(args[len(args)-1])
	if err != nil {
		return // unitchecker reports it
	}
	var cfg struct{ Stdout string }
	if json.Unmarshal(data, &cfg) != nil || cfg.Stdout == "" {
		return
	}
	f, err := os.Create(cfg.Stdout)
	if err != nil {
		return
	}
	os.Stdout = f
}
