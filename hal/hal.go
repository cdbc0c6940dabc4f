// Package hal is gohal's hardware abstraction layer for the ESP32-C3, on pac/esp32c3, rt and
// the async executor: drivers shaped as esp-hal shapes them, in Go.
//
// Start with Init, which sets up the chip as esp-hal's init does (watchdogs, the SYSTIMER
// time driver for async) and returns every peripheral and pin token once:
//
//	p, err := hal.Init(hal.Config{})
//	led, err := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{})
//	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20)
//	ua := u.IntoAsync() // u is consumed; ua keeps the blocking methods
//
// # The shape of every driver
//
//   - A constructor takes tokens (periph.Pin, periph.UART, ...) and a Config struct, validates
//     the configuration against the chip (an unreachable baud rate, a pin already in use)
//     and returns an error naming the problem; it never panics on bad configuration.
//   - Constructors return the Blocking driver. IntoAsync returns a distinct Async type that
//     binds the peripheral's interrupt handler on the current core; the Blocking value is
//     consumed. IntoBlocking goes back. The Async type keeps every blocking method.
//   - Using a consumed driver panics with a message naming the driver and saying it was
//     consumed by IntoAsync/IntoBlocking/Close: it is a programming error, like using a
//     closed channel, and cannot be handled meaningfully at run time.
//   - Interrupts follow esp-hal's pattern: the handler reads the status, disables the sources
//     that fired and wakes the waiting task; the future sees its enable bit cleared and
//     completes; Cancel disables whatever the future enabled.
//   - Every blocking wait has a timeout (a Config field, with a finite default for waits on
//     the hardware itself), and a hardware timeout surfaces as an error.
//   - Close releases the peripheral and its pins so they can be used again.
//
// Drivers live in subpackages: gpio, uart, i2c, spi, timer, swint (software interrupts),
// systimer (the async time driver), executor (executors wired to software interrupts),
// rmt (pulse trains; rmt/ws2812 drives WS2812 LEDs), ledc (PWM with hardware fades) and adc
// (ADC1 one-shot readings in mV); twai drives the CAN 2.0 controller.
package hal

import (
	"errors"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/boot"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/rtc_cntl"
	"github.com/gohal/gohal/pac/esp32c3/timg"
	"github.com/gohal/gohal/rt"
)

// Watchdogs says what Init does with the chip's watchdogs.
type Watchdogs uint8

const (
	// DisableWatchdogs (the default) does what esp-hal's init does: the RTC watchdog and
	// both timer-group watchdogs off, the super watchdog fed automatically.
	DisableWatchdogs Watchdogs = iota
	// KeepWatchdogs leaves them as the boot left them; the firmware feeds them.
	KeepWatchdogs
)

// Config configures Init. The zero Config is esp-hal's default.
type Config struct {
	Watchdogs Watchdogs
	// NoTimeDriver leaves SYSTIMER alone: no async timers (async.Now panics). The time
	// driver is started only in a program that imports hal/executor, as every async program
	// does: a program of blocking drivers links none of the async machinery whatever this
	// says (a program running its own async.New executors starts it with systimer.Start).
	NoTimeDriver bool
	// TimeDriverPriority is the alarm interrupt's priority (default systimer.DefaultPriority).
	TimeDriverPriority rt.Priority
}

// Peripherals are the chip's tokens, handed out once by Init.
type Peripherals struct {
	GPIO0, GPIO1, GPIO2, GPIO3, GPIO4, GPIO5, GPIO6, GPIO7, GPIO8, GPIO9, GPIO10 periph.Pin
	GPIO11, GPIO12, GPIO13, GPIO14, GPIO15, GPIO16, GPIO17, GPIO18, GPIO19       periph.Pin
	GPIO20, GPIO21                                                               periph.Pin

	UART0, UART1 periph.UART
	I2C0         periph.I2C
	SPI2         periph.SPI
	// TIMG0 and TIMG1's timer 0. Under TinyGo, TIMG0's timer is the runtime's clock
	// (time.Now, time.Sleep): Init marks it as in use, so a driver asking for it gets an
	// error saying so, and TinyGo's time keeps working.
	TIMG0, TIMG1 periph.TIMG
	// FROM_CPU_INTR0..3. The executors in hal/executor take one each.
	SoftwareInterrupts [periph.NumSoftwareInterrupts]periph.SoftwareInterrupt
	// RNG is the random number generator (hal/rng).
	RNG periph.RNG
	// RWDT, MWDT0 and MWDT1 are the RTC watchdog and the timer groups' main watchdogs
	// (hal/wdt). Init leaves them as Config.Watchdogs says (off by default); a hal/wdt
	// driver takes one over.
	RWDT         periph.RWDT
	MWDT0, MWDT1 periph.MWDT
	// RMT0..RMT3 are the RMT's channels (hal/rmt): 0 and 1 transmit, 2 and 3 receive.
	RMT0, RMT1, RMT2, RMT3 periph.RMTChannel
	// DMA0..DMA2 are the GDMA's channels (hal/dma: memory-to-memory copies; hal/spi:
	// SPI2 transfers through a channel).
	DMA0, DMA1, DMA2 periph.DMAChannel
	// LEDCTimer0..3 and LEDC0..LEDC5 are the LEDC's low-speed timers and PWM channels
	// (hal/ledc).
	LEDCTimer0, LEDCTimer1, LEDCTimer2, LEDCTimer3 periph.LEDCTimer
	LEDC0, LEDC1, LEDC2, LEDC3, LEDC4, LEDC5       periph.LEDCChannel
	// ADC1 is the SAR ADC 1, channels on GPIO0..GPIO4 (hal/adc).
	ADC1 periph.ADC
	// USBSerialJTAG is the USB-Serial-JTAG controller's serial port (hal/usbserial), the
	// console of boards without a USB-UART bridge.
	USBSerialJTAG periph.USBSerialJTAG
	// TWAI0 is the TWAI (CAN 2.0) controller (hal/twai).
	TWAI0 periph.TWAI
}

// ErrAlreadyInitialized is Init's error when called a second time.
var ErrAlreadyInitialized = errors.New("hal: Init called twice: the peripherals have already been handed out")

var initialized bool

// Init sets the chip up and returns its peripherals; a second call fails.
//
// Clocks: the CPU runs at the frequency the runtime started it at (TinyGo's esp32c3 runtime:
// 160 MHz, APB 80 MHz, the XTAL 40 MHz); drivers enable and reset their peripheral's clock
// when constructed, as esp-hal's clock guards do, so Init gates nothing itself.
func Init(cfg Config) (*Peripherals, error) {
	cs := rt.EnterCritical()
	if initialized {
		cs.Exit()
		return nil, ErrAlreadyInitialized
	}
	initialized = true
	cs.Exit()
	// No rt.Start here: the first driver that binds an interrupt starts rt, so a program of
	// blocking drivers links neither rt's trap vector nor its handler table (496 B of RAM).
	if cfg.Watchdogs == DisableWatchdogs {
		disableWatchdogs()
	}
	if err := reserveRuntimeTimer(); err != nil {
		return nil, err
	}
	if !cfg.NoTimeDriver && boot.StartTimeDriver != nil {
		p := cfg.TimeDriverPriority
		if p == 0 {
			p = systimer.DefaultPriority
		}
		if err := boot.StartTimeDriver(p); err != nil {
			return nil, err
		}
	}
	p := new(Peripherals)
	*p = allPeripherals // a copy of a table the compiler builds: no code per token
	return p, nil
}

// allPeripherals is what Init hands out: every token of the chip.
var allPeripherals = Peripherals{
	GPIO0: periph.StealPin(0), GPIO1: periph.StealPin(1), GPIO2: periph.StealPin(2),
	GPIO3: periph.StealPin(3), GPIO4: periph.StealPin(4), GPIO5: periph.StealPin(5),
	GPIO6: periph.StealPin(6), GPIO7: periph.StealPin(7), GPIO8: periph.StealPin(8),
	GPIO9: periph.StealPin(9), GPIO10: periph.StealPin(10), GPIO11: periph.StealPin(11),
	GPIO12: periph.StealPin(12), GPIO13: periph.StealPin(13), GPIO14: periph.StealPin(14),
	GPIO15: periph.StealPin(15), GPIO16: periph.StealPin(16), GPIO17: periph.StealPin(17),
	GPIO18: periph.StealPin(18), GPIO19: periph.StealPin(19), GPIO20: periph.StealPin(20),
	GPIO21: periph.StealPin(21),
	UART0:  periph.StealUART(0), UART1: periph.StealUART(1),
	I2C0:  periph.StealI2C(0),
	SPI2:  periph.StealSPI(2),
	TIMG0: periph.StealTIMG(0), TIMG1: periph.StealTIMG(1),
	SoftwareInterrupts: [periph.NumSoftwareInterrupts]periph.SoftwareInterrupt{
		periph.StealSoftwareInterrupt(0), periph.StealSoftwareInterrupt(1),
		periph.StealSoftwareInterrupt(2), periph.StealSoftwareInterrupt(3),
	},
	RNG: periph.StealRNG(), RWDT: periph.StealRWDT(),
	MWDT0: periph.StealMWDT(0), MWDT1: periph.StealMWDT(1),
	RMT0: periph.StealRMTChannel(0), RMT1: periph.StealRMTChannel(1),
	RMT2: periph.StealRMTChannel(2), RMT3: periph.StealRMTChannel(3),
	DMA0: periph.StealDMAChannel(0), DMA1: periph.StealDMAChannel(1), DMA2: periph.StealDMAChannel(2),
	LEDCTimer0: periph.StealLEDCTimer(0), LEDCTimer1: periph.StealLEDCTimer(1),
	LEDCTimer2: periph.StealLEDCTimer(2), LEDCTimer3: periph.StealLEDCTimer(3),
	LEDC0: periph.StealLEDCChannel(0), LEDC1: periph.StealLEDCChannel(1), LEDC2: periph.StealLEDCChannel(2),
	LEDC3: periph.StealLEDCChannel(3), LEDC4: periph.StealLEDCChannel(4), LEDC5: periph.StealLEDCChannel(5),
	ADC1:          periph.StealADC(1),
	USBSerialJTAG: periph.StealUSBSerialJTAG(),
	TWAI0:         periph.StealTWAI(0),
}

// ResetForTest forgets that Init ran, stops the time driver and frees every resource, so a
// test process can run several firmware images one after another. Firmware never calls it.
func ResetForTest() {
	if rt.OnCore() && systimer.Started() {
		systimer.Stop()
	}
	// Off a core (a test's goroutine after the chip stopped) Stop cannot run: uninstall the
	// driver anyway, or a later async.Now would read a SYSTIMER nobody simulates.
	systimer.ResetForTest()
	cs := rt.EnterCritical()
	initialized = false
	cs.Exit()
	periph.ResetForTest()
	async.ResetTimersForTest()
}

// Write-protection keys (esp32c3-facts.md §4).
const (
	wdtKey = 0x50D83AA1
	swdKey = 0x8F1D312A
)

// disableWatchdogs is esp_hal::init's sequence: the super watchdog auto-fed, the RTC
// watchdog off, and both timer groups' watchdogs off (clock source first, then WDT_EN with a
// read-modify-write), each behind its write-protection key.
func disableWatchdogs() {
	r := esp32c3.RTC_CNTL
	r.RTC_SWD_WPROTECT.Write(rtc_cntl.RTC_SWD_WPROTECTValue(swdKey))
	r.RTC_SWD_CONF.Write(rtc_cntl.RTC_SWD_CONFReset.WithSWD_AUTO_FEED_EN(true))
	r.RTC_SWD_WPROTECT.Write(0)

	r.RTC_WDTWPROTECT.Write(rtc_cntl.RTC_WDTWPROTECTValue(0).WithWDT_WKEY(wdtKey))
	r.RTC_WDTCONFIG0.Write(0)
	r.RTC_WDTWPROTECT.Write(0)

	for _, g := range []*timg.TIMG{esp32c3.TIMG0, esp32c3.TIMG1} {
		g.WDTWPROTECT.Write(timg.WDTWPROTECTValue(0).WithWDT_WKEY(wdtKey))
		g.WDTCONFIG0.Modify(func(v timg.WDTCONFIG0Value) timg.WDTCONFIG0Value { return v.WithWDT_USE_XTAL(false) })
		g.WDTWPROTECT.Write(0)
		g.WDTWPROTECT.Write(timg.WDTWPROTECTValue(0).WithWDT_WKEY(wdtKey))
		g.WDTCONFIG0.Modify(func(v timg.WDTCONFIG0Value) timg.WDTCONFIG0Value { return v.WithWDT_EN(false) })
		g.WDTWPROTECT.Write(0)
	}
}
