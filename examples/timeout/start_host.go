//go:build !tinygo

package main

import "github.com/gohal/gohal/sim/simrun"

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete. With -realtime, what you type (a line at
// a time) arrives on UART0's RX line; in virtual time the line stays silent.
func start(firmware func()) { simrun.Main(firmware, simrun.Options{Stdin: simrun.StdinRealTime}) }
