package uart

import (
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/pac/esp32c3/io_mux"
	"github.com/gohal/gohal/rt"
)

// Pin routing through the GPIO matrix and the clock guard (esp32c3-facts.md §5, §9). The
// UART's pins always go through the matrix, even GPIO20/21 whose IO_MUX function 0 is
// U0RXD/U0TXD directly (esp-hal takes that direct path when it can): at UART rates the
// matrix adds nothing that matters, and any pin works the same way.

const (
	gpioOutSelGPIO = 128  // FUNC_OUT_SEL: the GPIO OUT bit
	inConst1       = 0x1E // FUNC_IN_SEL: constant 1
	inConst0       = 0x1F // FUNC_IN_SEL: constant 0
	mcuSelGPIO     = 1    // IO_MUX MCU_SEL: the GPIO function, through the matrix
)

// tieInput connects an input signal to a constant level.
func tieInput(signal int, high bool) {
	sel := uint32(inConst0)
	if high {
		sel = inConst1
	}
	esp32c3.GPIO.FUNC_IN_SEL_CFG[signal].Write(gpio.FUNC_IN_SEL_CFGValue(0).WithSIG_IN_SEL(true).WithFUNC_IN_SEL(sel))
}

// connectPins routes TXD to the TX pin (driven high first, so the line stays idle) and the
// RX pin, an input with its pull-up, to RXD.
func (c *port) connectPins() {
	g := esp32c3.GPIO
	tx, rx := uint32(c.tx.Number()), uint32(c.rx.Number())
	g.OUT_W1TS.Write(gpio.OUT_W1TSValue(0).WithOUT_W1TS(1 << tx))
	g.ENABLE_W1TS.Write(gpio.ENABLE_W1TSValue(0).WithENABLE_W1TS(1 << tx))
	g.FUNC_OUT_SEL_CFG[tx].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(uint32(txdSignal[c.n])))
	esp32c3.IO_MUX.GPIO[tx].Modify(func(v io_mux.GPIOValue) io_mux.GPIOValue {
		return v.WithMCU_SEL(mcuSelGPIO).WithFUN_IE(false).WithFUN_WPU(false).WithFUN_WPD(false)
	})

	g.ENABLE_W1TC.Write(gpio.ENABLE_W1TCValue(0).WithENABLE_W1TC(1 << rx))
	g.FUNC_OUT_SEL_CFG[rx].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSelGPIO))
	esp32c3.IO_MUX.GPIO[rx].Modify(func(v io_mux.GPIOValue) io_mux.GPIOValue {
		return v.WithMCU_SEL(mcuSelGPIO).WithFUN_IE(true).WithFUN_WPU(true).WithFUN_WPD(false)
	})
	g.FUNC_IN_SEL_CFG[rxdSignal[c.n]].Write(gpio.FUNC_IN_SEL_CFGValue(0).WithSIG_IN_SEL(true).WithFUNC_IN_SEL(rx))
}

// disconnectPins ties RXD back to an idle 1 and returns the TX pin to a plain, disabled
// GPIO output (esp-hal's disconnect: OUT_SEL = 128).
func (c *port) disconnectPins() {
	g := esp32c3.GPIO
	tx := uint32(c.tx.Number())
	tieInput(rxdSignal[c.n], true)
	g.ENABLE_W1TC.Write(gpio.ENABLE_W1TCValue(0).WithENABLE_W1TC(1 << tx))
	g.FUNC_OUT_SEL_CFG[tx].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSelGPIO))
}

// clockGate sets or clears UARTn's bit in SYSTEM.PERIP_CLK_EN0 (UART0 bit 2, UART1 bit 5),
// and keeps UART_MEM (bit 24) clocked: the FIFOs live there. (Read and Write rather than
// Modify: a closure capturing n and on would be put on the heap by TinyGo.)
func clockGate(n uint8, on bool) {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	v := s.PERIP_CLK_EN0.Read()
	if n == 0 {
		v = v.WithUART_CLK_EN(on)
	} else {
		v = v.WithUART1_CLK_EN(on)
	}
	s.PERIP_CLK_EN0.Write(v.WithUART_MEM_CLK_EN(true))
	cs.Exit()
}

// pulseReset writes UARTn's PERIP_RST_EN0 bit 1 and then 0.
func pulseReset(n uint8) {
	setReset(n, true)
	setReset(n, false)
}

func setReset(n uint8, on bool) {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	v := s.PERIP_RST_EN0.Read()
	if n == 0 {
		v = v.WithUART_RST(on)
	} else {
		v = v.WithUART1_RST(on)
	}
	s.PERIP_RST_EN0.Write(v)
	cs.Exit()
}
