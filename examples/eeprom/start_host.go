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

// main runs the firmware on the ESP32-C3 simulator with an AT24C32 on the I2C bus at
// 0x50: UART0's TX line is printed on standard output; the simulator's summary goes to
// standard error.
func main() {
	simLog := flag.Bool("simlog", false, "show the simulator's log (unmodelled registers, model notes) on standard error")
	flag.Parse()
	var log io.Writer = io.Discard
	if *simLog {
		log = os.Stderr
	}
	c, rom := newChip(log)
	c.UART(0).OnTX(func(b sim.TimedByte) { os.Stdout.Write([]byte{b.Byte}) })
	wall := time.Now()
	if err := c.Run(firmware); err != nil {
		fmt.Fprintln(os.Stderr, "simulator:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "simulator: the AT24C32 holds %q at %#04x; %v of virtual time took %v\n",
		rom.Contents()[pageAddr:pageAddr+pageSize], pageAddr, c.Now().Round(time.Microsecond), time.Since(wall).Round(time.Millisecond))
}

// newChip returns a simulated ESP32-C3 with an erased AT24C32 (4 KiB, 32-byte pages, a 5 ms
// write cycle) at the EEPROM's address.
func newChip(log io.Writer) (*sim.Chip, *sim.AT24C) {
	c := sim.New(sim.Log(log), sim.Timeout(time.Minute))
	rom := sim.NewAT24C(4096, pageSize)
	c.I2C0().Attach(eepromAddr, rom)
	return c, rom
}
