//go:build tinygo

// Command uartecho is examples/uartecho written against TinyGo's own machine package, for
// the size comparison: the same blocking UART0 echo (115200 baud, GPIO21/GPIO20, ended by
// an EOT). TinyGo's UART has no blocking read: an interrupt handler fills a ring buffer,
// and the program polls it, sleeping 1 ms between polls.
//
//	tinygo build -target=esp32c3 -size short ./examples/compare/uartecho
package main

import (
	"machine"
	"time"
)

const eot = 0x04

func main() {
	uart := machine.UART0
	uart.Configure(machine.UARTConfig{BaudRate: 115200, TX: machine.GPIO21, RX: machine.GPIO20})
	uart.Write([]byte("uartecho: UART0 at 115200 baud; send lines, Ctrl-D to stop\r\n"))

	var buf [64]byte
	lines, bytes := 0, 0
	for done := false; !done; {
		n, _ := uart.Read(buf[:])
		if n == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		for i, c := range buf[:n] {
			if c == eot {
				n, done = i, true
				break
			}
			if c == '\n' {
				lines++
			}
		}
		bytes += n
		uart.Write(buf[:n])
	}
	uart.Write([]byte("uartecho: "))
	writeUint(uart, lines)
	uart.Write([]byte(" lines, "))
	writeUint(uart, bytes)
	uart.Write([]byte(" bytes; bye\r\n"))
}

func writeUint(u *machine.UART, n int) {
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
	u.Write(buf[i:])
}
