//go:build !tinygo

package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	sim "github.com/gohal/gohal/sim/esp32c3"
)

// start runs the firmware on the ESP32-C3 simulator: UART0's TX line is printed to
// standard output as the simulated frames complete; the simulator's own messages go to
// standard error.
func start(firmware func()) {
	realTime := flag.Bool("realtime", false, "pace virtual time to the wall clock")
	flag.Parse()
	opts := []sim.Option{sim.Timeout(time.Minute)}
	if *realTime {
		opts = append(opts, sim.RealTime())
	}
	c := sim.New(opts...)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	rises := 0
	c.GPIO().OnEdge(func(e sim.Edge) {
		if e.Pin == ledPin && e.Level {
			rises++
		}
	})
	wall := time.Now()
	err := c.Run(firmware)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	c.Lock()
	n := rises
	c.Unlock()
	fmt.Fprintf(os.Stderr, "simulator: the LED pin (GPIO%d) went high %d times; %v of virtual time took %v\n",
		ledPin, n, c.Now().Round(time.Millisecond), time.Since(wall).Round(time.Millisecond))
}
