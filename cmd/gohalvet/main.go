// Command gohalvet checks gohal firmware for the misuse Rust's type system catches for
// esp-hal and Go's does not: a driver used after IntoAsync, IntoBlocking or Close consumed it,
// or a token given to two constructors (consumed); a critical section left open on some path
// (critsec); a
// straight-line task spawned on an interrupt-mode executor (irqstraight), and more to come
// (see the README's gohalvet section).
//
//	go run ./cmd/gohalvet ./...                          # standalone, on packages
//	go build -o gohalvet ./cmd/gohalvet && go vet -vettool=$PWD/gohalvet ./...
//
// Each analyzer is a package of its own under cmd/gohalvet, usable in other drivers.
package main

import (
	"golang.org/x/tools/go/analysis/multichecker"

	"github.com/gohal/gohal/cmd/gohalvet/consumed"
	"github.com/gohal/gohal/cmd/gohalvet/critsec"
	"github.com/gohal/gohal/cmd/gohalvet/irqstraight"
)

func main() {
	multichecker.Main(consumed.Analyzer, critsec.Analyzer, irqstraight.Analyzer)
}
