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

// start runs the firmware on the ESP32-C3 simulator, UART0's TX line printed on standard
// output and its RX line left silent.
func start(firmware func()) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	flag.Parse()
	opts := []sim.Option{sim.Log(io.Discard), sim.Timeout(time.Minute)}
	if *realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	c.UART(0).Mirror(os.Stdout)
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "simulator: %v of virtual time took %v\n",
		c.Now().Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
}
