//go:build !tinygo

// Command blinky is examples/blinky written against TinyGo's machine package, for the size
// comparison; it builds only with TinyGo (main_tinygo.go). On the host it says so.
package main

import "fmt"

func main() {
	fmt.Println("examples/compare/blinky is a TinyGo-only comparison program (TinyGo's machine package):")
	fmt.Println("  tinygo build -target=esp32c3 -size short ./examples/compare/blinky")
	fmt.Println("Run the gohal version on the simulator with: go run ./examples/blinky")
}
