//go:build !tinygo

package main

import "github.com/gohal/gohal/sim/simrun"

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete, a summary to standard error (flags:
// go doc github.com/gohal/gohal/sim/simrun Main).
func start(firmware func()) { simrun.Main(firmware, simrun.Options{}) }
