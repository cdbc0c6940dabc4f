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

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete; the simulator's own messages go to
// standard error.
func start(firmware func()) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	verbose := flag.Bool("v", false, "show the simulator's log (unmodelled registers) on standard error")
	flag.Parse()
	opts := []sim.Option{sim.Timeout(time.Minute)}
	if !*verbose {
		opts = append(opts, sim.Log(io.Discard))
	}
	if *realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "simulator: %v of virtual time took %v\n",
		c.Now().Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
}
