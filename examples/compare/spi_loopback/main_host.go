//go:build !tinygo

// Command spi_loopback is examples/spi_loopback written against TinyGo's machine package,
// for the size comparison; it builds only with TinyGo (main_tinygo.go). On the host it says
// so.
package main

import "fmt"

func main() {
	fmt.Println("examples/compare/spi_loopback is a TinyGo-only comparison program (TinyGo's machine package):")
	fmt.Println("  tinygo build -target=esp32c3 -size short ./examples/compare/spi_loopback")
	fmt.Println("Run the gohal version on the simulator with: go run ./examples/spi_loopback")
}
