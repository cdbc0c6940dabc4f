//go:build !(tinygo && esp32c3)

// Command alarmtrace is ESP32-C3 firmware that `make tinygo` traces on Espressif's QEMU
// (main_tinygo.go says what it measures); elsewhere it says so.
package main

import "fmt"

func main() {
	fmt.Println("examples/qemu/alarmtrace is ESP32-C3 firmware for make tinygo's alarm-path trace:")
	fmt.Println("  tinygo build -target=esp32c3 -serial=uart ./examples/qemu/alarmtrace")
}
