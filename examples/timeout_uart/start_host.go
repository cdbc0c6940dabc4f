//go:build !tinygo

package main

import "github.com/gohal/gohal/examples/internal/simrun"

// start runs the firmware on the ESP32-C3 simulator, UART0's TX line printed on standard
// output and its RX line left silent.
func start(firmware func()) { simrun.Run(firmware, simrun.Options{}) }
