//go:build tinygo

// Command blinky is examples/blinky written against TinyGo's own machine package, for the
// size comparison: the LED on GPIO8 toggled every 500 ms, 10 times, each toggle reported on
// UART0 with the time, then a last line. TinyGo's time.Sleep stands for blinky's SYSTIMER
// alarm interrupt.
//
//	tinygo build -target=esp32c3 -size short ./examples/compare/blinky
package main

import (
	"machine"
	"time"
)

func main() {
	uart := machine.UART0
	uart.Configure(machine.UARTConfig{BaudRate: 115200, TX: machine.GPIO21, RX: machine.GPIO20})
	led := machine.GPIO8
	led.Configure(machine.PinConfig{Mode: machine.PinOutput})
	led.Low()
	uart.Write([]byte("blinky: LED on GPIO8, SYSTIMER alarm every 500 ms\r\n"))
	start := time.Now()
	for i := 1; i <= 10; i++ {
		time.Sleep(500 * time.Millisecond)
		led.Set(i%2 == 1)
		state := "off"
		if i%2 == 1 {
			state = "on "
		}
		uart.Write([]byte("blink "))
		writeUint(uart, i)
		uart.Write([]byte(": LED " + state + " at "))
		writeUint(uart, int(time.Since(start)/time.Millisecond))
		uart.Write([]byte(" ms\r\n"))
	}
	uart.Write([]byte("blinky: done after 10 blinks\r\n"))
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
