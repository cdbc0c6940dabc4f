// Command stm32f4 is firmware for an STM32F4 written against pac/stm32f407, the PAC svdgen
// generates from ST's STM32F407.svd. It clocks and enables USART1 and prints a greeting and a
// register round trip, waiting for TXE before every byte.
//
// `make tinygo` runs it on QEMU's netduino2 machine, whose STM32F205 has the same USART1 and
// RCC registers, and checks what it prints:
//
//	tinygo run -target=netduino2-qemu ./examples/qemu/stm32f4
package main

import (
	"github.com/gohal/gohal/pac/stm32f407"
	"github.com/gohal/gohal/pac/stm32f407/rcc"
	"github.com/gohal/gohal/pac/stm32f407/usart"
)

func main() {
	stm32f407.RCC.APB2ENR.Modify(func(v rcc.APB2ENRValue) rcc.APB2ENRValue { return v.WithUSART1EN(true) })
	u := stm32f407.USART1
	// 115200 baud from a 16 MHz HSI: USARTDIV = 8.6875 → mantissa 8, fraction 11.
	u.BRR.Write(usart.BRRValue(0).WithDIV_Mantissa(8).WithDIV_Fraction(11))
	u.CR1.Write(usart.CR1Value(0).WithUE(true).WithTE(true))
	print(u, "gohal pac/stm32f407: hello from USART1\r\n")
	b := u.BRR.Read()
	print(u, "brr.mantissa=")
	print(u, string(rune('0'+b.DIV_Mantissa())))
	print(u, " cr1.te=")
	if u.CR1.Read().TE() {
		print(u, "on\r\n")
	} else {
		print(u, "off\r\n")
	}
}

// print writes s to u, waiting for the transmit data register to empty before each byte.
func print(u *usart.USART, s string) {
	for i := 0; i < len(s); i++ {
		for !u.SR.Read().TXE() {
		}
		u.DR.Write(usart.DRValue(0).WithDR(uint32(s[i])))
	}
}
