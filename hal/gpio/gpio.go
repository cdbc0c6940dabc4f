// Package gpio is gohal's GPIO driver for the ESP32-C3: pins as inputs, push-pull and
// open-drain outputs, and Flex pins reconfigured at run time, with pulls, drive strength
// and an initial level; blocking waits with timeouts; and, after IntoAsync, futures that
// complete on a pin's level or edge, driven by the GPIO interrupt.
//
//	p, _ := hal.Init(hal.Config{})
//	led, _ := gpio.NewOutput(p.GPIO8, gpio.Low, gpio.OutputConfig{Drive: gpio.Drive10mA})
//	btn, _ := gpio.NewInput(p.GPIO9, gpio.InputConfig{Pull: gpio.PullUp})
//	led.Toggle()
//	err := btn.WaitForLowTimeout(5 * async.Second)   // blocking, gpio.ErrTimeout after 5 s
//	abtn := btn.IntoAsync()                            // btn is consumed from here on
//	press := abtn.WaitForFallingEdge()                 // a future: poll it from a task
//
// # Registers
//
// The driver follows esp-hal's sequences (esp32c3-facts.md §5). A pin is set up with its
// output driver off, the GPIO matrix selecting the plain GPIO output (FUNC_OUT_SEL = 128)
// and IO_MUX function 1 (GPIO); outputs set their level with OUT_W1TS/OUT_W1TC before
// ENABLE_W1TS turns the driver on, so the first level the pad shows is the initial one.
// Output levels are always written through the W1TS/W1TC aliases, never by a
// read-modify-write of OUT, so pins owned by different drivers (and interrupt handlers)
// never disturb one another. Pulls, input enable and drive strength are IO_MUX's FUN_WPU,
// FUN_WPD, FUN_IE and FUN_DRV; open drain is PINn.PAD_DRIVER.
//
// # Ownership
//
// A constructor claims its pin token with periph.Claim: a pin already in use is an error
// naming the pin and its owner (*periph.InUseError). Close releases it and returns the pad
// to its reset state. GPIO12–GPIO17 are wired to the SPI flash on every ESP32-C3 module and
// are refused (a *ConfigError): reconfiguring them stops the chip fetching its program.
//
// # Blocking and async
//
// Every driver is Blocking when constructed. Input and Flex have IntoAsync, which binds
// the GPIO interrupt handler on the current core (at the priority SetInterruptPriority
// chose, 1 by default) and returns an AsyncInput or AsyncFlex; the Blocking value is
// consumed, and using it afterwards panics with a message saying so. IntoBlocking goes
// back. The async types keep every blocking method. Output and OutputOpenDrain have no
// interrupt to wait on and no async form. (esp-hal's GPIO has no into_async; gohal gives
// pins the same shape as every other driver, so a task can only wait on a pin whose
// handler is bound.)
//
// Blocking waits (WaitForHighTimeout, ..., WaitTimeout) take a timeout and return
// ErrTimeout when it passes; Forever waits without one. They poll the pin's interrupt
// status latch (PINn.INT_TYPE set, its CPU interrupt enable off), so an edge is caught
// however short the pulse, and measure time on the SYSTIMER (hal/systimer.Ticks).
//
// Async waits are esp-hal's: the future's first poll clears the pin's status, records the
// task's waker in a per-pin table, sets the pin's bit in the async mask and listens
// (PINn.INT_ENA = CPU, INT_TYPE = the event). The GPIO interrupt handler reads PCPU_INT,
// disables every pin that fired (INT_ENA = 0, INT_TYPE = 0), clears their STATUS bits,
// clears their async bits and wakes their wakers; the future sees its bit cleared and
// completes. Cancel disables the pin's interrupt. Edges are exact: a rising-edge wait armed
// while the pin is already high completes only on the next rising edge; a level wait whose
// level already holds completes on its first poll. One wait at a time per pin: polling a
// second while one is pending (armed, not yet completed or cancelled) panics, naming the
// pin and both waits, since the second would take over the first one's wake-up.
package gpio

import (
	"errors"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	gpioreg "github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/pac/esp32c3/io_mux"
	"github.com/gohal/gohal/rt"
)

// NumPins is the number of GPIO pads of the ESP32-C3: GPIO0..GPIO21.
const NumPins = periph.NumPins

// Level is a logic level.
type Level bool

// The two levels.
const (
	Low  Level = false
	High Level = true
)

// Pull selects a pad's internal pull resistor.
type Pull uint8

// Pull resistors (IO_MUX FUN_WPU / FUN_WPD).
const (
	PullNone Pull = iota
	PullUp
	PullDown
)

// DriveStrength is an output's drive strength (IO_MUX FUN_DRV).
type DriveStrength uint8

// Drive strengths. The zero value is the pad's reset setting, 20 mA.
const (
	DriveDefault DriveStrength = iota // 20 mA, the reset value of FUN_DRV
	Drive5mA                          // FUN_DRV = 0
	Drive10mA                         // FUN_DRV = 1
	Drive20mA                         // FUN_DRV = 2
	Drive40mA                         // FUN_DRV = 3
)

// Event is what a wait waits for. The values are PINn.INT_TYPE's.
type Event uint8

// Events.
const (
	RisingEdge  Event = 1
	FallingEdge Event = 2
	AnyEdge     Event = 3
	LowLevel    Event = 4
	HighLevel   Event = 5
)

// Mode is what a Flex pin is configured as.
type Mode uint8

// Flex modes.
const (
	ModeInput     Mode = iota // input, output driver off
	ModeOutput                // push-pull output (input buffer on, so the level reads back)
	ModeOpenDrain             // open-drain output with input
)

// InputConfig configures an input.
type InputConfig struct {
	Pull Pull
}

// OutputConfig configures a push-pull or open-drain output.
type OutputConfig struct {
	Drive DriveStrength
	// Pull is the pad's pull resistor; an open-drain line usually wants PullUp (or an
	// external one).
	Pull Pull
}

// Forever, as a blocking wait's timeout, waits with no deadline.
const Forever async.Duration = -1

// ErrTimeout is the error of a blocking wait whose timeout passed.
var ErrTimeout = errors.New("gpio: timed out waiting for the pin")

// ConfigError is a configuration the driver refuses, naming the pin (-1 for settings of
// the whole GPIO block) and the problem.
type ConfigError struct {
	Pin     int
	Problem string
}

// Error says what is wrong: "gpio: GPIO5: pull must be ...".
func (e *ConfigError) Error() string {
	if e.Pin < 0 {
		return "gpio: " + e.Problem
	}
	return "gpio: " + periph.Name(periph.KindPin, e.Pin) + ": " + e.Problem
}

func checkPull(n int, p Pull) error {
	if p > PullDown {
		return &ConfigError{n, "pull must be PullNone, PullUp or PullDown"}
	}
	return nil
}

func checkDrive(n int, d DriveStrength) error {
	if d > Drive40mA {
		return &ConfigError{n, "drive strength must be Drive5mA, Drive10mA, Drive20mA or Drive40mA"}
	}
	return nil
}

func checkPin(pin periph.Pin) error {
	n := pin.Number()
	if n < 0 || n >= NumPins {
		return periph.ErrNoSuchResource
	}
	if n >= 12 && n <= 17 {
		return &ConfigError{n, "GPIO12–GPIO17 are wired to the SPI flash the chip runs from; using one as GPIO would stop it fetching its program"}
	}
	return nil
}

// funDrv returns the FUN_DRV field for d.
func (d DriveStrength) funDrv() uint32 {
	if d == DriveDefault {
		return 2
	}
	return uint32(d) - 1
}

// handle is one driver value's claim on its pin. Converting a driver (IntoAsync,
// IntoBlocking) or closing it marks the handle gone; every method checks it.
type handle struct {
	n    uint8
	kind string // "Input", "AsyncFlex", ...
	gone string // "" while usable, else what consumed it
	// await is the typed awaits' future (AwaitEvent, ...): a local would escape.
	await WaitFuture
}

func (h *handle) check() {
	if h.gone != "" {
		msg := "gpio: " + periph.Name(periph.KindPin, int(h.n)) + " " + h.kind + " used after "
		if h.gone == "Close" {
			panic(msg + "Close")
		}
		panic(msg + h.gone + " consumed it")
	}
}

// consume checks h and marks it consumed by op, returning a fresh handle of kind for the
// same pin.
func (h *handle) consume(op, kind string) *handle {
	h.check()
	h.gone = op
	return &handle{n: h.n, kind: kind}
}

// Method groups shared by the pin types. Each holds the owning value's handle.

type ident struct{ h *handle }

// Number returns the pin number (5 for GPIO5).
func (i ident) Number() int { i.h.check(); return int(i.h.n) }

// Pin returns the pin's token.
func (i ident) Pin() periph.Pin { i.h.check(); return periph.StealPin(int(i.h.n)) }

type reader struct{ h *handle }

// IsHigh reports whether the pad reads high (GPIO IN).
func (r reader) IsHigh() bool { r.h.check(); return padHigh(r.h.n) }

// IsLow reports whether the pad reads low.
func (r reader) IsLow() bool { r.h.check(); return !padHigh(r.h.n) }

// Level returns the pad's level.
func (r reader) Level() Level { r.h.check(); return Level(padHigh(r.h.n)) }

type writer struct{ h *handle }

// Set sets the output level (OUT_W1TS or OUT_W1TC).
func (w writer) Set(l Level) { w.h.check(); setOut(w.h.n, l) }

// SetHigh sets the output high (OUT_W1TS); an open-drain output releases the line.
func (w writer) SetHigh() { w.h.check(); setOut(w.h.n, High) }

// SetLow sets the output low (OUT_W1TC).
func (w writer) SetLow() { w.h.check(); setOut(w.h.n, Low) }

// Toggle inverts the output level: it reads the pin's OUT bit and writes OUT_W1TC or
// OUT_W1TS, so no other pin's bit is ever written.
func (w writer) Toggle() { w.h.check(); setOut(w.h.n, Level(!outHigh(w.h.n))) }

// IsSetHigh reports whether the output level is set high (OUT), whatever the line does.
func (w writer) IsSetHigh() bool { w.h.check(); return outHigh(w.h.n) }

// IsSetLow reports whether the output level is set low.
func (w writer) IsSetLow() bool { w.h.check(); return !outHigh(w.h.n) }

// OutputLevel returns the output level that is set.
func (w writer) OutputLevel() Level { w.h.check(); return Level(outHigh(w.h.n)) }

// Input is a GPIO input. Create it with NewInput.
type Input struct {
	ident
	reader
	waiter
	h *handle
}

// Output is a push-pull GPIO output. Create it with NewOutput.
type Output struct {
	ident
	writer
	h *handle
}

// OutputOpenDrain is an open-drain output: low drives the line low, high releases it to
// its pull-up. The input buffer is on, so IsHigh reads the line itself.
type OutputOpenDrain struct {
	ident
	reader
	writer
	waiter
	h *handle
}

// Flex is a pin reconfigured at run time between input, push-pull output and open-drain
// output. Its output methods set the level latch in every mode (the level appears on the
// pad when the pin becomes an output); its input methods read the pad in every mode.
type Flex struct {
	ident
	reader
	writer
	waiter
	configurer
	h *handle
}

func newHandle(pin periph.Pin, kind string) (*handle, error) {
	if err := checkPin(pin); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindPin, pin.Number(), "gpio."+kind); err != nil {
		return nil, err
	}
	return &handle{n: uint8(pin.Number()), kind: kind}, nil
}

// NewInput makes pin an input.
func NewInput(pin periph.Pin, cfg InputConfig) (*Input, error) {
	if err := checkPull(pin.Number(), cfg.Pull); err != nil {
		return nil, err
	}
	h, err := newHandle(pin, "Input")
	if err != nil {
		return nil, err
	}
	setInput(h.n, cfg.Pull)
	return &Input{ident{h}, reader{h}, waiter{h}, h}, nil
}

// NewOutput makes pin a push-pull output that starts at level initial.
func NewOutput(pin periph.Pin, initial Level, cfg OutputConfig) (*Output, error) {
	if err := checkOutput(pin.Number(), cfg); err != nil {
		return nil, err
	}
	h, err := newHandle(pin, "Output")
	if err != nil {
		return nil, err
	}
	setOutput(h.n, initial, cfg, false, false)
	return &Output{ident{h}, writer{h}, h}, nil
}

// NewOutputOpenDrain makes pin an open-drain output that starts at level initial (High
// releases the line).
func NewOutputOpenDrain(pin periph.Pin, initial Level, cfg OutputConfig) (*OutputOpenDrain, error) {
	if err := checkOutput(pin.Number(), cfg); err != nil {
		return nil, err
	}
	h, err := newHandle(pin, "OutputOpenDrain")
	if err != nil {
		return nil, err
	}
	setOutput(h.n, initial, cfg, true, true)
	return &OutputOpenDrain{ident{h}, reader{h}, writer{h}, waiter{h}, h}, nil
}

// NewFlex makes pin a Flex pin, starting as an input without pull and with its output
// latch low.
func NewFlex(pin periph.Pin) (*Flex, error) {
	h, err := newHandle(pin, "Flex")
	if err != nil {
		return nil, err
	}
	setOut(h.n, Low)
	setInput(h.n, PullNone)
	return &Flex{ident{h}, reader{h}, writer{h}, waiter{h}, configurer{h}, h}, nil
}

func checkOutput(n int, cfg OutputConfig) error {
	if err := checkPull(n, cfg.Pull); err != nil {
		return err
	}
	return checkDrive(n, cfg.Drive)
}

type configurer struct{ h *handle }

// SetAsInput makes the pin an input (output driver off).
func (c configurer) SetAsInput(cfg InputConfig) error {
	c.h.check()
	if err := checkPull(int(c.h.n), cfg.Pull); err != nil {
		return err
	}
	setInput(c.h.n, cfg.Pull)
	return nil
}

// SetAsOutput makes the pin a push-pull output driving the level latch (set it first with
// Set to choose the first level). The input buffer stays on, so IsHigh reads the pad.
func (c configurer) SetAsOutput(cfg OutputConfig) error {
	c.h.check()
	if err := checkOutput(int(c.h.n), cfg); err != nil {
		return err
	}
	setOutput(c.h.n, Level(outHigh(c.h.n)), cfg, false, true)
	return nil
}

// SetAsOpenDrain makes the pin an open-drain output with input.
func (c configurer) SetAsOpenDrain(cfg OutputConfig) error {
	c.h.check()
	if err := checkOutput(int(c.h.n), cfg); err != nil {
		return err
	}
	setOutput(c.h.n, Level(outHigh(c.h.n)), cfg, true, true)
	return nil
}

// Mode returns what the pin is configured as, read back from the registers.
func (c configurer) Mode() Mode {
	c.h.check()
	n := c.h.n
	if esp32c3.GPIO.ENABLE.Read().DATA()&(1<<n) == 0 {
		return ModeInput
	}
	if esp32c3.GPIO.PIN[n].Read().PAD_DRIVER() {
		return ModeOpenDrain
	}
	return ModeOutput
}

// ApplyConfig changes the input's pull.
func (p *Input) ApplyConfig(cfg InputConfig) error {
	p.h.check()
	if err := checkPull(int(p.h.n), cfg.Pull); err != nil {
		return err
	}
	setInput(p.h.n, cfg.Pull)
	return nil
}

// ApplyConfig changes the output's drive strength and pull; the level stays.
func (p *Output) ApplyConfig(cfg OutputConfig) error {
	p.h.check()
	if err := checkOutput(int(p.h.n), cfg); err != nil {
		return err
	}
	setOutput(p.h.n, Level(outHigh(p.h.n)), cfg, false, false)
	return nil
}

// ApplyConfig changes the output's drive strength and pull; the level stays.
func (p *OutputOpenDrain) ApplyConfig(cfg OutputConfig) error {
	p.h.check()
	if err := checkOutput(int(p.h.n), cfg); err != nil {
		return err
	}
	setOutput(p.h.n, Level(outHigh(p.h.n)), cfg, true, true)
	return nil
}

// Close returns the pad to its reset state and releases the pin.
func (p *Input) Close() { closeHandle(p.h) }

// Close turns the output driver off, returns the pad to its reset state and releases the
// pin.
func (p *Output) Close() { closeHandle(p.h) }

// Close turns the output driver off, returns the pad to its reset state and releases the
// pin.
func (p *OutputOpenDrain) Close() { closeHandle(p.h) }

// Close returns the pad to its reset state and releases the pin.
func (p *Flex) Close() { closeHandle(p.h) }

func closeHandle(h *handle) {
	h.check()
	h.gone = "Close"
	resetPin(h.n)
	periph.Release(periph.KindPin, int(h.n))
}

// Registers.

const gpioOutSel = 128 // FUNC_OUT_SEL value: the pad follows the OUT/ENABLE bits

func padHigh(n uint8) bool { return esp32c3.GPIO.IN.Read().DATA_NEXT()&(1<<n) != 0 }

func outHigh(n uint8) bool { return esp32c3.GPIO.OUT.Read().DATA_ORIG()&(1<<n) != 0 }

func setOut(n uint8, l Level) {
	if l {
		esp32c3.GPIO.OUT_W1TS.Write(gpioreg.OUT_W1TSValue(0).WithOUT_W1TS(1 << n))
	} else {
		esp32c3.GPIO.OUT_W1TC.Write(gpioreg.OUT_W1TCValue(0).WithOUT_W1TC(1 << n))
	}
}

// modifyPin read-modify-writes PINn inside a critical section: the GPIO interrupt handler
// writes the same register when the pin's interrupt fires.
func modifyPin(n uint8, f func(gpioreg.PINValue) gpioreg.PINValue) {
	cs := rt.EnterCritical()
	esp32c3.GPIO.PIN[n].Modify(f)
	cs.Exit()
}

func pushPull(v gpioreg.PINValue) gpioreg.PINValue  { return v.WithPAD_DRIVER(false) }
func openDrain(v gpioreg.PINValue) gpioreg.PINValue { return v.WithPAD_DRIVER(true) }

func ioMux(input bool, pull Pull, drive DriveStrength) io_mux.GPIOValue {
	return io_mux.GPIOValue(0).WithMCU_SEL(1).WithFUN_IE(input).
		WithFUN_WPU(pull == PullUp).WithFUN_WPD(pull == PullDown).WithFUN_DRV(drive.funDrv())
}

// setInput is esp-hal's pin init followed by its input configuration: output driver off,
// plain GPIO output selected in the matrix, IO_MUX function 1 with the input buffer and
// the pull.
func setInput(n uint8, pull Pull) {
	g := esp32c3.GPIO
	g.ENABLE_W1TC.Write(gpioreg.ENABLE_W1TCValue(0).WithENABLE_W1TC(1 << n))
	g.FUNC_OUT_SEL_CFG[n].Write(gpioreg.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
	esp32c3.IO_MUX.GPIO[n].Write(ioMux(true, pull, DriveDefault))
}

// setOutput configures an output: the level first, then the matrix, open drain, IO_MUX,
// and the output driver last, so the pad never shows another level.
func setOutput(n uint8, initial Level, cfg OutputConfig, od, input bool) {
	g := esp32c3.GPIO
	setOut(n, initial)
	g.FUNC_OUT_SEL_CFG[n].Write(gpioreg.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
	if od {
		modifyPin(n, openDrain)
	} else {
		modifyPin(n, pushPull)
	}
	esp32c3.IO_MUX.GPIO[n].Write(ioMux(input, cfg.Pull, cfg.Drive))
	g.ENABLE_W1TS.Write(gpioreg.ENABLE_W1TSValue(0).WithENABLE_W1TS(1 << n))
}

// resetPin disarms the pin's interrupt and returns the pad to its reset state: output
// driver off, PINn zero, the matrix on the plain GPIO output, IO_MUX at its reset value.
func resetPin(n uint8) {
	disarm(n)
	g := esp32c3.GPIO
	g.ENABLE_W1TC.Write(gpioreg.ENABLE_W1TCValue(0).WithENABLE_W1TC(1 << n))
	cs := rt.EnterCritical()
	g.PIN[n].Write(0)
	g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(1 << n))
	cs.Exit()
	g.FUNC_OUT_SEL_CFG[n].Write(gpioreg.FUNC_OUT_SEL_CFGValue(0).WithFUNC_OUT_SEL(gpioOutSel))
	esp32c3.IO_MUX.GPIO[n].Reset()
}
