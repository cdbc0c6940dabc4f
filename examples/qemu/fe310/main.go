// Command fe310 is firmware for the SiFive FE310 written against pac/fe310, the PAC svdgen
// generates from SiFive's e310x.svd. It enables UART0's transmitter and prints a greeting
// and a register round trip, polling the FIFO-full flag before every byte.
//
// `make tinygo` runs it on QEMU's sifive_e machine and checks what it prints:
//
//	tinygo run -target=sifive-e-qemu ./examples/qemu/fe310
package main

import (
	"github.com/gohal/gohal/pac/fe310"
	"github.com/gohal/gohal/pac/fe310/uart"
)

func main() {
	u := fe310.UART0
	u.Txctrl.Modify(func(v uart.TxctrlValue) uart.TxctrlValue { return v.WithEnable(true).WithNstop(false) })
	print(u, "gohal pac/fe310: hello from UART0\r\n")
	// A masked setter and a typed getter on a real register: the transmit watermark
	// (txctrl.counter, 3 bits) keeps the low bits of an oversized value and nothing else.
	u.Txctrl.Modify(func(v uart.TxctrlValue) uart.TxctrlValue { return v.WithCounter(9) })
	c := u.Txctrl.Read()
	print(u, "txctrl.counter=")
	print(u, string(rune('0'+c.Counter())))
	if c.Enable() {
		print(u, " enable=on\r\n")
	} else {
		print(u, " enable=off\r\n")
	}
}

// print writes s to u, waiting while the transmit FIFO is full.
func print(u *uart.UART, s string) {
	for i := 0; i < len(s); i++ {
		for u.Txdata.Read().Full() {
		}
		u.Txdata.Write(uart.TxdataValue(0).WithData(uint32(s[i])))
	}
}
