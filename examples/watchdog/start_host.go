//go:build !tinygo

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// start runs the firmware on the ESP32-C3 simulator, UART0's TX line on standard output.
// The run is meant to end with the watchdog resetting the chip: start reports that reset
// (cause and virtual time) on standard error and exits 0. A run that ends any other way
// (the firmware returned, panicked, or the time limit) exits 1. The simulator does not
// reboot after the reset; on the chip the ROM would run the firmware again.
func start(firmware func()) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	simLog := flag.Bool("simlog", false, "show the simulator's log on standard error")
	flag.Parse()
	os.Exit(runOnSimulator(firmware, os.Stdout, os.Stderr, *realTime, *simLog))
}

// runOnSimulator runs firmware on a new simulated chip and returns the exit status.
func runOnSimulator(firmware func(), stdout, stderr io.Writer, realTime, simLog bool) int {
	var log io.Writer = io.Discard
	if simLog {
		log = stderr
	}
	opts := []sim.Option{sim.Log(log), sim.Timeout(time.Minute)}
	if realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	c.UART(0).OnTX(func(b sim.TimedByte) { stdout.Write([]byte{b.Byte}) })
	err := c.Run(firmware)
	var reset *sim.ChipReset
	if errors.As(err, &reset) {
		fmt.Fprintf(stderr, "simulator: the chip reset at %v: %v (%s stage %d expired)\n",
			reset.At.Round(time.Microsecond), reset.Cause, reset.Watchdog, reset.Stage)
		return 0
	}
	if err == nil {
		err = errors.New("the firmware returned without the watchdog resetting the chip")
	}
	fmt.Fprintln(stderr, "simulator:", err)
	return 1
}
