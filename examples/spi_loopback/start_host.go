//go:build !tinygo

package main

import (
	"fmt"

	"github.com/gohal/gohal/examples/internal/simrun"
	sim "github.com/gohal/gohal/sim/esp32c3"
)

// main runs the firmware on the ESP32-C3 simulator with an echo device on SPI2's CS0 (MISO
// wired to MOSI): UART0's TX line is printed on standard output; the simulator's summary
// goes to standard error.
func main() {
	var echo *sim.SPIEcho
	simrun.Run(firmware, simrun.Options{
		Chip: func(opts ...sim.Option) *sim.Chip {
			c, dev := newChip(opts...)
			echo = dev
			return c
		},
		Summary: func(*sim.Chip) string {
			return fmt.Sprintf("the echo device received %d bytes in %d chip-select assertions", len(echo.Received()), echo.Selects())
		},
	})
}

// newChip returns a simulated ESP32-C3 with a loopback echo device on SPI2's CS0.
func newChip(opts ...sim.Option) (*sim.Chip, *sim.SPIEcho) {
	c := sim.New(opts...)
	echo := sim.NewSPIEcho(true)
	c.SPI2().Attach(echo)
	return c, echo
}
