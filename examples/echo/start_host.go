//go:build !tinygo

package main

import (
	"flag"
	"fmt"
	"io"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator with standard input wired to UART0's
// RX line (once the firmware has greeted) and UART0's TX line printed on standard output;
// end of input sends an EOT (Ctrl-D), which ends the firmware. A summary goes to standard
// error. When standard input is a terminal, -realtime is the default. With -console usb
// the firmware talks through the USB-Serial-JTAG instead, and standard input and output
// go through the simulated USB host.
func start(firmware func()) {
	console := flag.String("console", "uart", "the firmware's console: uart (UART0) or usb (the USB-Serial-JTAG)")
	simrun.Main(firmware, simrun.Options{
		Stdin: simrun.Stdin,
		UART0: simrun.Port{RXEnd: []byte{eot}, RXAfterTX: true},
		Configure: func(o *simrun.Options) error {
			switch *console {
			case "uart":
			case "usb":
				usbConsole = true
				o.Console, o.USB, o.UART0 = simrun.ConsoleUSB, o.UART0, simrun.Port{}
			default:
				return fmt.Errorf("echo: -console %q: want uart or usb", *console)
			}
			return nil
		},
		Summary: func(*simrun.Result) string {
			return fmt.Sprintf("%d lines (%d bytes) echoed; LED toggled %d times", stats.Lines, stats.Bytes, stats.Toggles)
		},
	})
}

// usbConsole makes the firmware use the USB-Serial-JTAG as its console (-console usb; on
// the chip, the usbconsole build tag).
var usbConsole bool

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

// simulateUSB is simulate with the USB-Serial-JTAG as the console: in is what the host
// writes, out what it reads.
func simulateUSB(firmware func(), in io.Reader, out io.Writer, log io.Writer) (*sim.Chip, error) {
	usbConsole = true
	defer func() { usbConsole = false }()
	r, err := simrun.Run(firmware, simrun.Options{
		USB: simrun.Port{TX: out, RX: in, RXEnd: []byte{eot}, RXAfterTX: true},
		Log: log,
	})
	return r.Chip, err
}
