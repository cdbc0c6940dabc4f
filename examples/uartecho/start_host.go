//go:build !tinygo

package main

import (
	"fmt"

	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator with standard input wired to UART0's
// RX line (once the firmware has greeted) and its TX line printed on standard output; end
// of input sends an EOT (Ctrl-D), which ends the firmware.
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{
		Stdin: simrun.Stdin,
		UART0: simrun.Port{RXEnd: []byte{eot}, RXAfterTX: true},
		Summary: func(*simrun.Result) string {
			return fmt.Sprintf("%d lines (%d bytes) echoed", lines, nbytes)
		},
	})
}
