//go:build tinygo

// Command eeprom is examples/eeprom written against TinyGo's own machine package, for the
// size comparison: the same page write to an AT24C32 at 0x50 on I2C0 (SDA GPIO5, SCL
// GPIO6, 400 kHz), acknowledge polling through the write cycle, the read-back and the
// report on UART0 (115200 baud, GPIO21/GPIO20).
//
//	tinygo build -target=esp32c3 -size short ./examples/compare/eeprom
package main

import (
	"machine"
	"time"
)

const (
	eepromAddr = 0x50
	pageAddr   = 0x0100
	pageSize   = 32
	maxPolls   = 1000
	page       = "gohal: one EEPROM page, 32 bytes"
)

var uart = machine.UART0

func main() {
	uart.Configure(machine.UARTConfig{BaudRate: 115200, TX: machine.GPIO21, RX: machine.GPIO20})
	bus := machine.I2C0
	if err := bus.Configure(machine.I2CConfig{Frequency: 400 * machine.KHz, SDA: machine.GPIO5, SCL: machine.GPIO6}); err != nil {
		say("eeprom: I2C0 configuration failed\r\n")
		return
	}
	say("eeprom: AT24C32 at 0x50 on I2C0 (SDA GPIO5, SCL GPIO6) at 400 kHz\r\n")

	var msg [2 + pageSize]byte
	msg[0], msg[1] = pageAddr>>8, pageAddr&0xFF
	copy(msg[2:], page)
	if err := bus.Tx(eepromAddr, msg[:], nil); err != nil {
		say("eeprom: write failed: " + err.Error() + "\r\n")
		return
	}
	say("eeprom: wrote 32 bytes at 0x100\r\n")

	var back [pageSize]byte
	polls := 0
	t0 := time.Now()
	var err error
	for {
		err = bus.Tx(eepromAddr, msg[:2], back[:])
		if err == nil || polls == maxPolls {
			break
		}
		polls++
	}
	if err != nil {
		say("eeprom: read failed: " + err.Error() + "\r\n")
		return
	}
	us := time.Since(t0).Microseconds()
	say("eeprom: write cycle over after ")
	sayUint(uint64(polls))
	say(" acknowledge polls (")
	sayUint(uint64(us))
	say(" us)\r\n")
	say("eeprom: read back \"" + string(back[:]) + "\"\r\n")
	if string(back[:]) == page {
		say("eeprom: page verified\r\n")
	} else {
		say("eeprom: MISMATCH\r\n")
	}
}

func say(s string) { uart.Write([]byte(s)) }

func sayUint(n uint64) {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	uart.Write(buf[i:])
}
