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

// main runs the firmware on the ESP32-C3 simulator with an echo device on SPI2's CS0 (MISO
// wired to MOSI): UART0's TX line is printed on standard output; the simulator's summary
// goes to standard error.
func main() {
	simLog := flag.Bool("simlog", false, "show the simulator's log (unmodelled registers, model notes) on standard error")
	flag.Parse()
	var log io.Writer = io.Discard
	if *simLog {
		log = os.Stderr
	}
	c, echo := newChip(log)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "simulator: the echo device received %d bytes in %d chip-select assertions; %v of virtual time took %v\n",
		len(echo.Received()), echo.Selects(), c.Now().Round(time.Microsecond), time.Since(wall).Round(time.Millisecond))
}

// newChip returns a simulated ESP32-C3 with a loopback echo device on SPI2's CS0.
func newChip(log io.Writer) (*sim.Chip, *sim.SPIEcho) {
	c := sim.New(sim.Log(log), sim.Timeout(time.Minute))
	echo := sim.NewSPIEcho(true)
	c.SPI2().Attach(echo)
	return c, echo
}
