// Command uartecho is the blocking UART echo: UART0 read and written with the Blocking
// driver, no executor, no interrupts, no async time driver. It is what a program that
// only needs blocking I/O links, and the program examples/compare/uartecho writes with
// TinyGo's machine package for the size comparison `make tinygo` prints. A Ctrl-D (EOT,
// 0x04) on the line ends it.
//
//	printf 'hello\nworld\n' | go run ./examples/uartecho   # on the simulator, fed from stdin
//	tinygo build -target=esp32c3 ./examples/uartecho        # the same source for the chip
package main

import (
	"github.com/gohal/gohal/hal"
	"github.com/gohal/gohal/hal/uart"
)

const eot = 0x04 // Ctrl-D: end of transmission

// lines and nbytes are what the last run echoed, for the host's summary.
var lines, nbytes int

var buf [64]byte

func firmware() {
	lines, nbytes = 0, 0
	p, err := hal.Init(hal.Config{NoTimeDriver: true})
	check(err)
	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
	check(err)
	u.Write([]byte("uartecho: UART0 at 115200 baud; send lines, Ctrl-D to stop\r\n"))
	for done := false; !done; {
		n, err := u.Read(buf[:])
		if err != nil {
			continue // ErrReadTimeout: nothing came; a receive error: what it spoiled is gone
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
		nbytes += n
		u.Write(buf[:n])
	}
	u.Write([]byte("uartecho: "))
	writeUint(u, lines)
	u.Write([]byte(" lines, "))
	writeUint(u, nbytes)
	u.Write([]byte(" bytes; bye\r\n"))
	u.Flush()
	u.Close()
}

func writeUint(u *uart.Blocking, n int) {
	var digits [20]byte
	i := len(digits)
	for {
		i--
		digits[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	u.Write(digits[i:])
}

func check(err error) {
	if err != nil {
		panic(err.Error())
	}
}

func main() { start(firmware) }
