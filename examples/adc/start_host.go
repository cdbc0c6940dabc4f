//go:build !tinygo

package main

import (
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator, UART0's TX line on standard output,
// with the potentiometer turned by the host (turn).
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{Setup: setup})
}

// turn is the potentiometer: its wiper moves from 0 to 2500 mV over the first second, then
// stays there.
func turn(at time.Duration) float64 {
	if at >= time.Second {
		return 2500
	}
	return 2500 * float64(at) / float64(time.Second)
}

func setup(c *sim.Chip) { c.ADC().SetVoltageFunc(potPin, turn) }
