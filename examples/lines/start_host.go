//go:build !tinygo

package main

import (
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// script is what the host run types into UART0, a piece every 20 ms once the firmware has
// started; make qemu-c3 sends the same pieces to Espressif's QEMU.
var script = []string{"hello\n", "straight-line tasks\n", "\x04"}

// start runs the firmware on the ESP32-C3 simulator with the script on UART0's RX line.
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{Setup: func(c *sim.Chip) {
		for i, piece := range script {
			c.UART(0).FeedAt(time.Duration(i+1)*20*time.Millisecond, []byte(piece)...)
		}
	}})
}
