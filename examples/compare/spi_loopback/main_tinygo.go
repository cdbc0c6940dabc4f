//go:build tinygo

// Command spi_loopback is examples/spi_loopback written against TinyGo's own machine
// package, for the size comparison: the same SPI2 loopback at 1 MHz, mode 0 (SCK GPIO6,
// MOSI GPIO7, MISO GPIO2, CS GPIO10), a few bytes and then a 256-byte block, reported on
// UART0. TinyGo's SPI has no interrupt-driven transfer: the CPU polls the controller
// through the whole block.
//
//	tinygo build -target=esp32c3 -size short ./examples/compare/spi_loopback
package main

import "machine"

const (
	blockSize = 256
	greeting  = "gohal"
)

var uart = machine.UART0

func main() {
	uart.Configure(machine.UARTConfig{BaudRate: 115200, TX: machine.GPIO21, RX: machine.GPIO20})
	bus := machine.SPI2
	err := bus.Configure(machine.SPIConfig{Frequency: 1_000_000, Mode: 0,
		SCK: machine.GPIO6, SDO: machine.GPIO7, SDI: machine.GPIO2, CS: machine.GPIO10})
	if err != nil {
		say("spi_loopback: SPI2 configuration failed\r\n")
		return
	}
	say("spi_loopback: SPI2 at 1000 kHz, mode 0 (SCK GPIO6, MOSI GPIO7, MISO GPIO2, CS GPIO10)\r\n")

	var echo [len(greeting)]byte
	if err := bus.Tx([]byte(greeting), echo[:]); err != nil {
		say("spi_loopback: transfer failed\r\n")
		return
	}
	say("spi_loopback: sent \"" + greeting + "\", got back \"" + string(echo[:]) + "\"\r\n")

	var block, back [blockSize]byte
	for i := range block {
		block[i] = byte(i * 7)
	}
	if err := bus.Tx(block[:], back[:]); err != nil {
		say("spi_loopback: transfer failed\r\n")
		return
	}
	matched := 0
	for i := range block {
		if block[i] == back[i] {
			matched++
		}
	}
	say("spi_loopback: 256 bytes by polling: ")
	sayUint(uint64(matched))
	say(" came back\r\n")
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
