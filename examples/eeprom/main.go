// Command eeprom writes one page of an AT24C32 EEPROM over I2C0 and reads it back, with
// gohal's blocking I2C driver: a 34-byte write (two address bytes and the 32-byte page,
// which the driver sends in two chunks joined by an END), acknowledge polling through the
// EEPROM's write cycle (it does not answer its address while it programs the page: the
// driver reports that as i2c.ErrAddressNACK), then a random read of the page (a write of
// the address, a repeated START and a 32-byte read). The report goes out on UART0.
//
//	go run ./examples/eeprom                        # on the simulator, with a simulated AT24C32
//	tinygo build -target=esp32c3 ./examples/eeprom  # the same source for the chip
//
// Wiring on the chip: the EEPROM's SDA on GPIO5, SCL on GPIO6, with pull-ups; A0..A2 low
// (address 0x50).
package main

import (
	"github.com/gohal/gohal/examples/internal/console"
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/i2c"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/hal/uart"
)

const (
	eepromAddr = 0x50   // AT24C32 with A2..A0 low
	pageAddr   = 0x0100 // the page written: page 8 of 32-byte pages
	pageSize   = 32
	maxPolls   = 1000 // acknowledge polls before giving up (the datasheet's tWR is 10 ms at most)
)

// page is what the firmware writes: exactly one 32-byte page.
const page = "gohal: one EEPROM page, 32 bytes"

// Result is what the last run did, for the tests.
type Result struct {
	Polls    int // acknowledge polls until the EEPROM answered again
	Readback [pageSize]byte
	Verified bool
	Err      error
}

var result Result

func firmware() {
	result = Result{}
	p, err := hal.Init(hal.Config{})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	out := console.New(u)
	bus, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6) // SDA, SCL
	check(err)
	out.S("eeprom: AT24C32 at ").X(eepromAddr).S(" on I2C0 (SDA GPIO5, SCL GPIO6) at ").D(int64(bus.Frequency() / 1000)).S(" kHz").NL()

	// The page write: the page's address, high byte first, then the data.
	var msg [2 + pageSize]byte
	msg[0], msg[1] = pageAddr>>8, pageAddr&0xFF
	copy(msg[2:], page)
	if result.Err = bus.Write(eepromAddr, msg[:]); result.Err != nil {
		fail(out, "write", result.Err)
		return
	}
	out.S("eeprom: wrote ").D(pageSize).S(" bytes at ").X(pageAddr).NL()

	// Acknowledge polling: during its write cycle the EEPROM leaves its address
	// unacknowledged, so the random read fails until the page is programmed.
	t0 := systimer.Ticks()
	for {
		result.Err = bus.WriteRead(eepromAddr, msg[:2], result.Readback[:])
		if result.Err == nil || result.Polls == maxPolls {
			break
		}
		result.Polls++
	}
	if result.Err != nil {
		fail(out, "read", result.Err)
		return
	}
	us := (systimer.Ticks() - t0) / systimer.TicksPerMicrosecond
	out.S("eeprom: write cycle over after ").D(int64(result.Polls)).S(" acknowledge polls (").D(int64(us)).S(" us)").NL()
	out.S("eeprom: read back \"").S(string(result.Readback[:])).S("\"").NL()
	result.Verified = string(result.Readback[:]) == page
	if result.Verified {
		out.S("eeprom: page verified").NL()
	} else {
		out.S("eeprom: MISMATCH").NL()
	}
	u.Flush()
	bus.Close()
	u.Close()
	systimer.Stop()
}

func fail(out *console.Console, what string, err error) {
	out.S("eeprom: ").S(what).S(" failed: ").S(err.Error()).NL()
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
