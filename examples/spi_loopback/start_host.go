//go:build !tinygo

package main

import (
	"fmt"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// main runs the firmware on the ESP32-C3 simulator with an echo device on SPI2's CS0 (MISO
// wired to MOSI): UART0's TX line is printed on standard output; the simulator's summary
// goes to standard error.
func main() {
	var echo *sim.SPIEcho
	simrun.Main(firmware, simrun.Options{
		Setup: func(c *sim.Chip) { echo = attachEcho(c) },
		Summary: func(*simrun.Result) string {
			return fmt.Sprintf("the echo device received %d bytes in %d chip-select assertions", len(echo.Received()), echo.Selects())
		},
	})
}

// newChip returns a simulated ESP32-C3 with a loopback echo device on SPI2's CS0.
func newChip(opts ...sim.Option) (*sim.Chip, *sim.SPIEcho) {
	c := sim.New(opts...)
	return c, attachEcho(c)
}

// attachEcho attaches a loopback echo device to c's SPI2 CS0.
func attachEcho(c *sim.Chip) *sim.SPIEcho {
	echo := sim.NewSPIEcho(true)
	c.SPI2().Attach(echo)
	return echo
}
