//go:build !tinygo

// Command button (compare) is examples/button written with TinyGo's machine package, for the
// size comparison; it builds only with TinyGo (main_tinygo.go).
package main

import "fmt"

func main() {
	fmt.Println("examples/compare/button is a TinyGo-only comparison program: tinygo build -target=esp32c3 -size short ./examples/compare/button")
}
