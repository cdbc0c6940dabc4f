// Package pinroute connects peripheral signals to the ESP32-C3's pads through the GPIO
// matrix, as esp-hal's gpio interconnect does (esp32c3-facts.md §5). It is shared by the
// drivers that own pins for a peripheral (i2c, spi); they claim the pins in hal/periph
// first, so every function here touches only registers of pins its caller owns.
//
// Sequences (facts sheet §5, "esp-hal sequences"):
//
//   - Peripheral output: FUNCn_OUT_SEL_CFG = {OUT_SEL = signal, OEN_SEL = 0} (the
//     peripheral drives the output enable), the pad as a GPIO (MCU_SEL = 1) with its output
//     enabled.
//   - Peripheral input: FUNC_IN_SEL_CFG[signal] = {SIG_IN_SEL = 1, IN_SEL = pad}, FUN_IE = 1.
//   - Release: the pad back to a disabled GPIO (OUT_SEL = 128, output and input off).
package pinroute

import (
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/pac/esp32c3/io_mux"
)

// GPIO matrix signal numbers used by the drivers (facts sheet §5, signal table).
const (
	I2CEXT0SCL = 53 // I2C0 SCL, input and output
	I2CEXT0SDA = 54 // I2C0 SDA, input and output
	FSPICLK    = 63 // SPI2 clock, output
	FSPIQ      = 64 // SPI2 MISO, input
	FSPID      = 65 // SPI2 MOSI, output
	FSPICS0    = 68 // SPI2 CS0, output

	gpioOutSel = 128  // FUNC_OUT_SEL value: the GPIO OUT register drives the pad
	constHigh  = 0x1E // FUNC_IN_SEL IN_SEL value: constant 1
	constLow   = 0x1F // FUNC_IN_SEL IN_SEL value: constant 0
	mcuSelGPIO = 1    // IO_MUX MCU_SEL: function 1 is GPIO on every pad
)

// Output says how a pad carrying a peripheral output is set up.
type Output struct {
	OpenDrain bool // PIN.PAD_DRIVER: the pad only pulls low (I2C)
	PullUp    bool // IO_MUX FUN_WPU
	High      bool // the GPIO OUT latch is set high first, so the pad does not glitch low
	Input     bool // FUN_IE: the pad's level also feeds the input side (I2C's SCL and SDA)
}

// ConnectOutput routes output signal sig to pad n with the given pad setup.
func ConnectOutput(n int, sig uint32, o Output) {
	g := esp32c3.GPIO
	if o.High {
		g.OUT_W1TS.Write(gpio.OUT_W1TSValue(0).WithOUT_W1TS(1 << n))
	} else {
		g.OUT_W1TC.Write(gpio.OUT_W1TCValue(0).WithOUT_W1TC(1 << n))
	}
	// Read and Write rather than Modify with a closure: the closure would capture o, and
	// TinyGo puts captured variables on the heap.
	g.PIN[n].Write(g.PIN[n].Read().WithPAD_DRIVER(o.OpenDrain))
	mux := &esp32c3.IO_MUX.GPIO[n]
	mux.Write(mux.Read().WithMCU_SEL(mcuSelGPIO).WithFUN_WPU(o.PullUp).WithFUN_WPD(false).WithFUN_IE(o.Input))
	g.ENABLE_W1TS.Write(gpio.ENABLE_W1TSValue(0).WithENABLE_W1TS(1 << n))
	g.FUNC_OUT_SEL_CFG[n].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(sig))
}

// ConnectInput routes pad n to input signal sig through the matrix, with the pad's input
// buffer enabled. The pad's output side is left as it is.
func ConnectInput(n int, sig uint32) {
	esp32c3.IO_MUX.GPIO[n].Modify(func(v io_mux.GPIOValue) io_mux.GPIOValue {
		return v.WithMCU_SEL(mcuSelGPIO).WithFUN_IE(true)
	})
	esp32c3.GPIO.FUNC_IN_SEL_CFG[sig].Write(gpio.FUNC_IN_SEL_CFGValue(0).WithSIG_IN_SEL(true).WithFUNC_IN_SEL(uint32(n)))
}

// TieInput connects input signal sig to a constant level, as esp-hal does for a
// peripheral input no pad feeds.
func TieInput(sig uint32, high bool) {
	sel := uint32(constLow)
	if high {
		sel = constHigh
	}
	esp32c3.GPIO.FUNC_IN_SEL_CFG[sig].Write(gpio.FUNC_IN_SEL_CFGValue(0).WithSIG_IN_SEL(true).WithFUNC_IN_SEL(sel))
}

// Release returns pad n to a disabled GPIO: the matrix output back to the OUT register, the
// output driver off, push-pull, no pulls, the input buffer off.
func Release(n int) {
	g := esp32c3.GPIO
	g.ENABLE_W1TC.Write(gpio.ENABLE_W1TCValue(0).WithENABLE_W1TC(1 << n))
	g.FUNC_OUT_SEL_CFG[n].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
	g.PIN[n].Modify(func(v gpio.PINValue) gpio.PINValue { return v.WithPAD_DRIVER(false) })
	esp32c3.IO_MUX.GPIO[n].Modify(func(v io_mux.GPIOValue) io_mux.GPIOValue {
		return v.WithMCU_SEL(mcuSelGPIO).WithFUN_WPU(false).WithFUN_WPD(false).WithFUN_IE(false)
	})
}

// Drive sets the GPIO output latch of pad n, which drives the pad when it is detached from
// its peripheral (Detach) and its output is enabled.
func Drive(n int, high bool) {
	if high {
		esp32c3.GPIO.OUT_W1TS.Write(gpio.OUT_W1TSValue(0).WithOUT_W1TS(1 << n))
	} else {
		esp32c3.GPIO.OUT_W1TC.Write(gpio.OUT_W1TCValue(0).WithOUT_W1TC(1 << n))
	}
}

// Detach hands pad n's output from its peripheral signal to the GPIO output latch (Drive),
// keeping the pad's setup (open drain, output enable).
func Detach(n int) {
	esp32c3.GPIO.FUNC_OUT_SEL_CFG[n].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
}

// Attach gives pad n's output back to output signal sig.
func Attach(n int, sig uint32) {
	esp32c3.GPIO.FUNC_OUT_SEL_CFG[n].Write(gpio.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(sig))
}
