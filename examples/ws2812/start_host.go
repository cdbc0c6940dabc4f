//go:build !tinygo

package main

import (
	"fmt"
	"strings"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// chain is the simulated strip on GPIO8.
var chain *sim.WS2812Chain

// options runs the firmware with a chain of 12 WS2812s on GPIO8 and says, at the end,
// which colours it shows.
func options() simrun.Options {
	return simrun.Options{
		Setup: func(c *sim.Chip) { chain = c.AttachWS2812(ledPin, leds) },
		Summary: func(*simrun.Result) string {
			return "the chain shows " + shows(chain)
		},
	}
}

// shows lists the chain's colours, its frame count and any timing it rejected.
func shows(ch *sim.WS2812Chain) string {
	var b strings.Builder
	for i, c := range ch.Colors() {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(c.String())
	}
	fmt.Fprintf(&b, " after %d frames", ch.Frames())
	if errs := ch.Errors(); len(errs) > 0 {
		fmt.Fprintf(&b, "; %d rejected (%v)", len(errs), errs[0])
	}
	return b.String()
}

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output, a summary with the chain's colours to standard error (flags: go doc
// github.com/gohal/gohal/sim/simrun Main).
func start(firmware func()) { simrun.Main(firmware, options()) }
