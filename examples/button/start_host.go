//go:build !tinygo

package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// start runs the firmware on the ESP32-C3 simulator, which presses the button (see
// pressButton); UART0's output goes to standard output, a summary to standard error.
func start(firmware func()) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	simLog := flag.Bool("simlog", false, "show the simulator's log on standard error")
	flag.Parse()
	var log io.Writer = io.Discard
	if *simLog {
		log = os.Stderr
	}
	opts := []sim.Option{sim.Log(log), sim.Timeout(time.Minute)}
	if *realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	pressButton(c)
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	idle := 0.0
	if stats.TotalCycles > 0 {
		idle = 100 * float64(stats.IdleCycles) / float64(stats.TotalCycles)
	}
	fmt.Fprintf(os.Stderr, "simulator: %d presses seen; CPU in WFI %.2f%% of the time; %v of virtual time took %v\n",
		stats.Presses, idle, c.Now().Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
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
