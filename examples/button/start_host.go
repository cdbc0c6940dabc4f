//go:build !tinygo

package main

import (
	"fmt"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// start runs the firmware on the ESP32-C3 simulator, which presses the button (see
// pressButton); UART0's output goes to standard output, a summary to standard error.
func start(firmware func()) {
	simrun.Main(firmware, simrun.Options{
		Setup: pressButton,
		Summary: func(*simrun.Result) string {
			idle := 0.0
			if stats.TotalCycles > 0 {
				idle = 100 * float64(stats.IdleCycles) / float64(stats.TotalCycles)
			}
			return fmt.Sprintf("%d presses seen; the executor in WFI %.2f%% of its time", stats.Presses, idle)
		},
	})
}

// Press times: the button goes down at each of these virtual times and comes back up
// pressLength later.
var pressAt = [presses]time.Duration{100 * time.Millisecond, 400 * time.Millisecond, 700 * time.Millisecond}

const pressLength = 80 * time.Millisecond

// bounce is how a contact chatters after it closes or opens: the pad's level flips at these
// offsets before settling.
var bounce = []time.Duration{150 * time.Microsecond, 400 * time.Microsecond, 700 * time.Microsecond, 1100 * time.Microsecond}

// pressButton schedules the button presses on GPIO9: the contact to ground closes (the pad
// driven low), chatters, and opens again (the pad released to its pull-up), chattering too.
func pressButton(c *sim.Chip) {
	g := c.GPIO()
	for _, at := range pressAt {
		g.DriveAt(at, buttonPin, false)
		for i, d := range bounce {
			if i%2 == 0 {
				g.ReleaseAt(at+d, buttonPin)
			} else {
				g.DriveAt(at+d, buttonPin, false)
			}
		}
		up := at + pressLength
		g.ReleaseAt(up, buttonPin)
		for i, d := range bounce {
			if i%2 == 0 {
				g.DriveAt(up+d, buttonPin, false)
			} else {
				g.ReleaseAt(up+d, buttonPin)
			}
		}
	}
}
