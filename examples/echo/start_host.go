//go:build !tinygo

package main

import (
	"fmt"
	"io"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator with standard input wired to UART0's
// RX line (once the firmware has greeted) and UART0's TX line printed on standard output;
// end of input sends an EOT (Ctrl-D), which ends the firmware. A summary goes to standard
// error. When standard input is a terminal, -realtime is the default.
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{
		Stdin: simrun.Stdin,
		UART0: simrun.Port{RXEnd: []byte{eot}, RXAfterTX: true},
		Summary: func(*simrun.Result) string {
			return fmt.Sprintf("%d lines (%d bytes) echoed; LED toggled %d times", stats.Lines, stats.Bytes, stats.Toggles)
		},
	})
}

// simulate is what start does, with in and out for standard input and output, for the
// tests: it returns the chip when the firmware has returned.
func simulate(firmware func(), in io.Reader, out io.Writer, log io.Writer, realTime bool) (*sim.Chip, error) {
	r, err := simrun.Run(firmware, simrun.Options{
		UART0:    simrun.Port{TX: out, RX: in, RXEnd: []byte{eot}, RXAfterTX: true},
		Log:      log,
		RealTime: realTime,
	})
	return r.Chip, err
}
