//go:build !tinygo

package main

import "github.com/gohal/gohal/examples/internal/simrun"

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete; the simulator's own messages go to
// standard error.
func start(firmware func()) { simrun.Run(firmware, simrun.Options{}) }
