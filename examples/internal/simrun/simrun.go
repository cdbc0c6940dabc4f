//go:build !tinygo

// Package simrun is the host half of every ESP32-C3 example: it runs the firmware on the
// simulator (sim/esp32c3), prints UART0's TX line on standard output as the simulated frames
// complete, and closes with one line on standard error saying how much virtual time passed
// and how long it took. Each example's start_host.go calls Run; its start_tinygo.go runs the
// same firmware on the chip.
//
// Flags: -realtime paces virtual time to the wall clock; -simlog shows the simulator's own
// log (unmodelled registers, model notes) on standard error.
package simrun

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// Options tailor a run; the zero value is a plain run.
type Options struct {
	// Chip builds the simulated chip from the options Run chose (devices attached to its
	// buses, say); nil is sim.New.
	Chip func(opts ...sim.Option) *sim.Chip
	// Setup drives the outside world before the firmware starts (button presses, bytes on
	// a line).
	Setup func(c *sim.Chip)
	// FeedStdin makes -realtime also feed what is typed, a line at a time, into UART0 RX.
	FeedStdin bool
	// Summary, if set, returns what the closing line says before the time figures.
	Summary func(c *sim.Chip) string
}

// Run parses the flags, runs firmware on a simulated ESP32-C3 and exits the process with
// status 1 if the simulator reports an error.
func Run(firmware func(), o Options) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	simLog := flag.Bool("simlog", false, "show the simulator's log (unmodelled registers, model notes) on standard error")
	flag.Parse()
	var log io.Writer = io.Discard
	if *simLog {
		log = os.Stderr
	}
	opts := []sim.Option{sim.Log(log), sim.Timeout(time.Minute)}
	if *realTime {
		opts = append(opts, sim.RealTime())
	}
	newChip := o.Chip
	if newChip == nil {
		newChip = sim.New
	}
	c := newChip(opts...)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	if o.Setup != nil {
		o.Setup(c)
	}
	if o.FeedStdin && *realTime {
		go feedLines(c.UART(0), os.Stdin)
	}
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	summary := ""
	if o.Summary != nil {
		summary = o.Summary(c) + "; "
	}
	fmt.Fprintf(os.Stderr, "simulator: %s%v of virtual time took %v\n",
		summary, c.Now().Round(time.Microsecond), time.Since(wall).Round(time.Millisecond))
}

// feedLines sends each line read from r, without its newline, to u's RX line.
func feedLines(u *sim.UART, r io.Reader) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 1 {
			u.Feed(line[:len(line)-1]...)
		}
		if err != nil {
			return
		}
	}
}
