//go:build !tinygo

package main

import (
	"fmt"

	sim "github.com/gohal/gohal/sim/esp32c3"
	"github.com/gohal/gohal/sim/simrun"
)

// main runs the firmware on the ESP32-C3 simulator with an AT24C32 on the I2C bus at
// 0x50: UART0's TX line is printed on standard output; the simulator's summary goes to
// standard error.
func main() {
	var rom *sim.AT24C
	simrun.Main(firmware, simrun.Options{
		Setup: func(c *sim.Chip) { rom = attachEEPROM(c) },
		Summary: func(*simrun.Result) string {
			return fmt.Sprintf("the AT24C32 holds %q at %#04x", rom.Contents()[pageAddr:pageAddr+pageSize], pageAddr)
		},
	})
}

// newChip returns a simulated ESP32-C3 with an erased AT24C32 at the EEPROM's address.
func newChip(opts ...sim.Option) (*sim.Chip, *sim.AT24C) {
	c := sim.New(opts...)
	return c, attachEEPROM(c)
}

// attachEEPROM attaches an erased AT24C32 (4 KiB, 32-byte pages, a 5 ms write cycle) to
// c's I2C bus at the EEPROM's address.
func attachEEPROM(c *sim.Chip) *sim.AT24C {
	rom := sim.NewAT24C(4096, pageSize)
	c.I2C0().Attach(eepromAddr, rom)
	return rom
}
