// Package asmcheck is compiled by TestZeroCost with -gcflags=-S under the mmio_plain tag:
// each function is one idiom of the generated API, and the test counts the instructions it
// becomes. The peripheral arrives as a parameter so that loading a global pointer does not
// blur the count.
package asmcheck

import "github.com/gohal/gohal/golden/demo/uart"

// ModifyBit sets one bit with a closure-style Modify: one load, one or, one store.
func ModifyBit(u *uart.UART) {
	u.CONF0.Modify(func(v uart.CONF0Value) uart.CONF0Value { return v.WithPARITY_EN(true) })
}

// ModifyEnum replaces a two-bit field with a typed enum value.
func ModifyEnum(u *uart.UART) {
	u.CONF0.Modify(func(v uart.CONF0Value) uart.CONF0Value { return v.WithBIT_NUM(uart.BIT_NUM_BITS7) })
}

// ModifyW1C updates a register that has write-1-to-clear and write-0-to-clear fields: the
// neutralising masks fold into the same and/or.
func ModifyW1C(u *uart.UART) {
	u.EVENTS.Modify(func(v uart.EVENTSValue) uart.EVENTSValue { return v.WithEN(true) })
}

// WriteComposed writes a value composed from a read and several setters.
func WriteComposed(u *uart.UART) {
	u.CONF0.Write(u.CONF0.Read().WithPARITY_EN(true).WithBIT_NUM(uart.BIT_NUM_BITS8).WithWIDE(0x1234))
}

// WriteFromReset writes a value composed from the reset constant: a single store of a
// constant, no load at all.
func WriteFromReset(u *uart.UART) {
	u.CONF0.WriteWith(func(v uart.CONF0Value) uart.CONF0Value { return v.WithPARITY(uart.PARITY_ODD).WithWIDE(7) })
}

// Modify64 sets a bit of a 64-bit register.
func Modify64(u *uart.UART) {
	u.COMPARE.Modify(func(v uart.COMPAREValue) uart.COMPAREValue { return v.WithARM(true) })
}
