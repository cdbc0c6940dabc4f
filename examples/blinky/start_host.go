//go:build !tinygo

package main

import (
	"fmt"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete, a summary to standard error. With
// -vcd blinky.vcd the LED pin's edges are written for GTKWave, with -trace blinky.json the
// run for Perfetto.
func start(firmware func()) {
	rises := 0
	simrun.Main(firmware, simrun.Options{
		Setup: func(c *sim.Chip) {
			c.GPIO().OnEdge(func(e sim.Edge) {
				if e.Pin == ledPin && e.Level {
					rises++
				}
			})
		},
		Summary: func(r *simrun.Result) string {
			r.Chip.Lock()
			defer r.Chip.Unlock()
			return fmt.Sprintf("the LED pin (GPIO%d) went high %d times", ledPin, rises)
		},
	})
}
