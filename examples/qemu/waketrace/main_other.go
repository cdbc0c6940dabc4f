//go:build !(tinygo && esp32c3)

// Command waketrace is ESP32-C3 firmware that `make tinygo` traces on Espressif's QEMU
// (main_tinygo.go says what it measures); elsewhere it says so.
package main

import "fmt"

func main() {
	fmt.Println("examples/qemu/waketrace is ESP32-C3 firmware for make tinygo's wake-path trace:")
	fmt.Println("  tinygo build -target=esp32c3 -serial=uart ./examples/qemu/waketrace")
}
