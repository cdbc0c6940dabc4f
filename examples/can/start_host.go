//go:build !tinygo

package main

import (
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator, UART0's TX line on standard output,
// with a second node on the CAN bus that echoes every frame (echo).
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{Setup: echo})
}

// echoDelay is how long the simulated node takes to answer.
const echoDelay = 200 * time.Microsecond

// echo makes the bus's second node answer each of the chip's frames with the same data
// under the identifier + 8, 200 µs after it received it.
func echo(c *sim.Chip) {
	n := c.TWAI()
	n.OnReceive(func(f sim.TWAIFrame) {
		f.ID += echoStep
		n.SendAt(c.Now()+echoDelay, f)
	})
}
