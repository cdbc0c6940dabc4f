// Package uart drives the ESP32-C3's UART0 and UART1 as esp-hal does (esp32c3-facts.md §6):
// a Blocking driver from New, and an interrupt-driven Async driver from IntoAsync that
// keeps every blocking method and adds futures for the async executor.
//
//	p, _ := hal.Init(hal.Config{})
//	u, err := uart.New(p.UART0, uart.Config{Baud: 115200}, p.GPIO21, p.GPIO20) // TX, RX
//	if err != nil { ... }        // e.g. "uart: 6000000 baud is above ... nearest reachable rate is 5000000 baud"
//	u.Write([]byte("hello\r\n")) // blocking; io.Writer
//	ua := u.IntoAsync()          // u is consumed from here on
//	rd := ua.ReadAsync(buf)      // an async.Future[async.Outcome[int]]: poll it in a task
//
// # Configuration
//
// Config gives the frame format (Baud, DataBits, Parity, StopBits), the clock the baud rate
// is divided from (XTAL, esp-hal's default, or APB), the FIFO thresholds and RX timeout
// that drive the async futures, and the timeouts of the blocking waits. New validates all of
// it: a baud rate the divider cannot reach is a *BaudError naming the nearest rate it can
// (also when the reachable rate is more than the tolerance, 2% by default, off).
//
// The TX and RX pins are any GPIO pins, routed through the GPIO matrix; the pins the boot
// ROM and most ESP32-C3 boards use for UART0 are GPIO21 (TX) and GPIO20 (RX), DefaultTX
// and DefaultRX.
//
// # Blocking
//
// Write pushes bytes into the 128-byte TX FIFO as room appears; Read returns what the RX
// FIFO holds, waiting until at least one byte is there (or Config.ReadTimeout passes);
// ReadExact fills its buffer; Flush waits until the last stop bit has left. Blocking and
// Async are io.Reader and io.Writer. Every wait on the transmitter is bounded by
// Config.WriteTimeout (a finite default), reads by Config.ReadTimeout (by default a read
// waits for the outside world as long as it takes).
//
// # Receive errors
//
// Receive errors are reported, not lost: Read, ReadExact and their futures return them as
// RxError values (ErrFifoOverflowed, ErrGlitch, ErrFramingError, ErrParityError), as
// esp-hal's RxError variants, checked before data is taken from the FIFO, one error per
// call. Frames with a framing or parity error are not stored (CONF0.ERR_WR_MASK, as esp-hal
// sets it), so the bytes that follow a reported error are good ones. An overflow resets the
// RX FIFO (as esp-hal does): its contents are lost and the error says so.
//
// # Async
//
// IntoAsync binds the UART's interrupt handler on the current core at
// Config.InterruptPriority. The futures (ReadAsync, ReadExactAsync, WriteAsync, FlushAsync)
// follow esp-hal's pattern: a future that must wait enables its interrupt sources
// (RXFIFO_FULL with the threshold lowered to what it needs, RXFIFO_TOUT and the error
// sources for reads; TXFIFO_EMPTY for writes; TX_DONE for flushes) and registers its waker;
// the handler reads INT_ST, disables the sources that fired and wakes the waiter; the future
// sees its enable bits cleared (or the raw bits set), checks the FIFO and completes or arms
// again. Cancel disables what the future enabled. At most one read future and one write or
// flush future may be pending at a time: polling a second one while the first is pending
// (armed, not yet completed or cancelled) panics, naming the UART and both futures, since
// it would take over the first one's wake-up. Neither the handler nor a poll allocates (tested with
// testing.AllocsPerRun on the simulator; TinyGo's -print-allocs finds allocations only in
// New, IntoAsync and error paths).
//
// The futures are named XxxAsync, as esp-hal names them (read_async, ...), because the Async
// type keeps the blocking Read, Write and Flush. Two choices differ from esp-hal: a read
// lowers RXFIFO_FULL_THRHD to one less than the bytes it needs, since the hardware raises
// RXFIFO_FULL only when the FIFO holds more than the threshold; and a read does not wake on
// AT_CMD_CHAR_DET (esp-hal's does, and CHAR_NUM is 3 '+' at reset), which this driver has
// no use for.
//
// Using a driver value after IntoAsync, IntoBlocking or Close consumed it panics with a
// message saying so (see hal's package documentation).
package uart

import (
	"errors"
	"time"
	"unsafe"

	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/uart"
	"github.com/gohal/gohal/rt"
)

// The pins of UART0 on the ESP32-C3's boot ROM and most boards.
const (
	DefaultTX = 21 // GPIO21, U0TXD
	DefaultRX = 20 // GPIO20, U0RXD
)

// FIFOSize is the size of each of the TX and RX FIFOs.
const FIFOSize = 128

// Parity is a frame's parity bit.
type Parity uint8

// Parity settings.
const (
	ParityNone Parity = iota
	ParityEven
	ParityOdd
)

// StopBits is the number of stop bits.
type StopBits uint8

// Stop-bit settings; the zero value is one stop bit.
const (
	StopBits1 StopBits = iota
	StopBits1_5
	StopBits2
)

// Clock is the UART core clock the baud rate is divided from.
type Clock uint8

// Clock sources (CLK_CONF.SCLK_SEL).
const (
	// ClockXTAL is the 40 MHz crystal, esp-hal's default: it does not change with the CPU
	// frequency.
	ClockXTAL Clock = iota
	// ClockAPB is the 80 MHz APB clock, as TinyGo's driver uses.
	ClockAPB
)

// Defaults of Config fields left zero.
const (
	DefaultBaud                 = 115200
	DefaultRxFIFOFullThreshold  = 120 // esp-hal's
	DefaultTxFIFOEmptyThreshold = 10  // esp-hal's
	DefaultRxTimeout            = 10  // symbols, esp-hal's
	DefaultInterruptPriority    = rt.Priority(1)
)

// Config configures a UART. The zero value (with Baud 0) is 115200 baud 8N1 from XTAL.
type Config struct {
	// Baud is the bit rate (default 115200). It must be reachable from Clock within
	// BaudTolerancePPM.
	Baud int
	// DataBits is 5..8 (0 means 8).
	DataBits int
	Parity   Parity
	StopBits StopBits
	// Clock is the source the baud rate is divided from (default ClockXTAL).
	Clock Clock
	// BaudTolerancePPM is the largest accepted error between Baud and the rate the divider
	// reaches, in parts per million (0 means DefaultBaudTolerancePPM, 2%).
	BaudTolerancePPM int

	// RxFIFOFullThreshold is the RX FIFO fill level, 1..128, at which the RXFIFO_FULL
	// interrupt wakes a waiting read (default 120, esp-hal's). A read that needs fewer bytes
	// lowers it while it waits. The hardware raises RXFIFO_FULL when the FIFO holds more
	// than CONF1.RXFIFO_FULL_THRHD bytes, so the register holds this value minus one.
	RxFIFOFullThreshold int
	// TxFIFOEmptyThreshold: a write waiting for room is woken when the TX FIFO holds fewer
	// than this many bytes, 1..127 (default 10, esp-hal's).
	TxFIFOEmptyThreshold int
	// RxTimeout is how long the RX line must stay idle, in symbols (frames), after a byte
	// before RXFIFO_TOUT wakes a read that is waiting for more (default 10, esp-hal's). It
	// is programmed in bit times: RxTimeout × bits per frame must fit 1023.
	RxTimeout int
	// NoRxTimeout disables the RX timeout: a waiting read then wakes only when the FIFO
	// reaches its threshold.
	NoRxTimeout bool

	// ReadTimeout bounds the blocking Read and ReadExact (0: wait as long as it takes,
	// since the data comes from outside the chip). A read that times out returns the
	// bytes it got and ErrReadTimeout.
	ReadTimeout time.Duration
	// WriteTimeout bounds each wait on the transmitter in Write and Flush (0: the time to
	// send two full FIFOs plus 10 ms). A transmitter that does not move surfaces as
	// ErrWriteTimeout.
	WriteTimeout time.Duration

	// InterruptPriority is the priority IntoAsync binds the UART interrupt at (default 1).
	InterruptPriority rt.Priority
}

// Errors of New.
var (
	// ErrConfig is what configuration errors other than baud rates wrap.
	ErrConfig = errors.New("uart: invalid configuration")
	// ErrSamePin is returned when TX and RX are the same pin.
	ErrSamePin = errors.New("uart: TX and RX must be different pins")
	// ErrRegUpdate is returned when ID.REG_UPDATE never clears: the UART core clock is not
	// running.
	ErrRegUpdate = errors.New("uart: ID.REG_UPDATE did not clear within 10 ms: the UART core clock is not running")
)

// configError is a configuration error naming the field and the problem.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }
func (e *configError) Unwrap() error { return ErrConfig }

// ErrTimeout is what ErrReadTimeout and ErrWriteTimeout wrap (errors.Is(err, ErrTimeout)).
var ErrTimeout = errors.New("uart: timed out")

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }
func (e *timeoutError) Unwrap() error { return ErrTimeout }

// Timeout errors of the blocking methods.
var (
	ErrReadTimeout  error = &timeoutError{"uart: read timed out (Config.ReadTimeout) with no data"}
	ErrWriteTimeout error = &timeoutError{"uart: the transmitter did not make progress within Config.WriteTimeout"}
)

// RxError is a receive error, reported by Read, ReadExact and the read futures.
type RxError uint8

// Receive errors, as esp-hal's RxError.
const (
	// ErrFifoOverflowed: a byte arrived with the RX FIFO full (RXFIFO_OVF). The FIFO has
	// been reset, losing what it held.
	ErrFifoOverflowed RxError = iota + 1
	// ErrGlitch: the receiver saw a glitch on the line (GLITCH_DET).
	ErrGlitch
	// ErrFramingError: a frame's stop bit was low (FRM_ERR), also the sign of a break. The
	// frame was dropped.
	ErrFramingError
	// ErrParityError: a frame's parity bit was wrong (PARITY_ERR). The frame was dropped.
	ErrParityError
)

var rxErrorText = [...]string{
	"uart: receive error",
	"uart: RX FIFO overflowed (RXFIFO_OVF); the FIFO was reset and its contents lost",
	"uart: glitch on the RX line (GLITCH_DET)",
	"uart: framing error on the RX line (FRM_ERR): a stop bit was low, the frame was dropped",
	"uart: parity error on the RX line (PARITY_ERR): the frame was dropped",
}

func (e RxError) Error() string {
	if int(e) < len(rxErrorText) {
		return rxErrorText[e]
	}
	return rxErrorText[0]
}

// INT_RAW/ST/ENA/CLR bits (esp32c3-facts.md §6).
const (
	intRxFull    = 1 << 0
	intTxEmpty   = 1 << 1
	intParityErr = 1 << 2
	intFrmErr    = 1 << 3
	intRxOvf     = 1 << 4
	intRxTout    = 1 << 8
	intGlitch    = 1 << 11
	intTxDone    = 1 << 14
	intAll       = 1<<20 - 1

	rxErrorBits = intRxOvf | intGlitch | intFrmErr | intParityErr
)

// GPIO-matrix signals of the UARTs (facts §5).
var (
	rxdSignal = [2]int{6, 9}
	ctsSignal = [2]int{7, 10}
	txdSignal = [2]int{6, 9}
)

var names = [2]string{"UART0", "UART1"}

func regsOf(n uint8) *uart.UART {
	if n == 0 {
		return esp32c3.UART0
	}
	return esp32c3.UART1
}

// port is the state of one configured UART (named port, not core: core means a CPU core here), shared by whichever driver value owns it.
type port struct {
	n      uint8
	r      *uart.UART
	cfg    Config
	div    divider
	sclk   uint64
	tx, rx periph.Pin

	rxLevel   uint32        // RxFIFOFullThreshold
	writeWait time.Duration // WriteTimeout, resolved

	// The futures whose interrupt sources are armed: one read, and one write or flush.
	// (Typed pointers, not an interface: TinyGo compares interfaces through reflect.)
	async   bool
	rxOwner *ReadFuture
	txWrite *WriteFuture
	txFlush *FlushFuture

	// The futures of AwaitRead, AwaitWrite and AwaitFlush, kept here so that a straight-line task's
	// await allocates nothing (see AwaitRead).
	awaitRd ReadFuture
	awaitWr WriteFuture
	awaitFl FlushFuture
}

// portRef is a *port held as an unsafe.Pointer. The driver values and futures reach
// interfaces (a task that holds an *Async or a ReadFuture is an async.Task), and TinyGo then
// emits type information for every type reachable from their fields: through a typed *port
// that is the Config, the futures, time.Duration (and, through the interface method tables,
// its String method) and the UART's 33 register types, about 3 KB of flash. get gives the
// typed pointer back at no cost.
type portRef struct{ p unsafe.Pointer }

func refOf(c *port) portRef { return portRef{unsafe.Pointer(c)} }

func (r portRef) get() *port { return (*port)(r.p) }

// drv holds a port and is what Blocking and Async share: the blocking methods live on it.
type drv struct {
	c          portRef
	n          uint8
	consumedBy string
	mode       string // "Blocking" or "Async"
}

// Blocking is a UART driver in blocking mode. Get one with New.
type Blocking struct{ drv }

// get returns the port or panics if the driver value was consumed.
func (d *drv) get() *port {
	if d.c.p == nil {
		if d.consumedBy == "" {
			panic("uart: use of a " + d.mode + " UART driver that New did not return")
		}
		panic("uart: " + names[d.n] + " " + d.mode + " driver used after " + d.consumedBy + " consumed it")
	}
	return d.c.get()
}

// take hands the port over and marks the value consumed by op.
func (d *drv) take(op string) *port {
	c := d.get()
	d.c = portRef{}
	d.consumedBy = op
	return c
}

// New configures UART u with cfg, its TX and RX on the given pins, and returns it in
// blocking mode. It claims u and both pins (an error names a resource already in use and
// its owner) and validates cfg (an error names the field; a baud rate is checked against
// the clock, see BaudError).
func New(u periph.UART, cfg Config, tx, rx periph.Pin) (*Blocking, error) {
	n := u.Number()
	if n < 0 || n > 1 {
		return nil, periph.ErrNoSuchResource
	}
	if err := resolve(&cfg); err != nil {
		return nil, err
	}
	sclk, clockName := uint64(periph.XTALHz), "XTAL (40 MHz)"
	if cfg.Clock == ClockAPB {
		sclk, clockName = periph.APBHz, "APB (80 MHz)"
	}
	div, err := computeDivider(cfg.Baud, sclk, clockName, cfg.BaudTolerancePPM)
	if err != nil {
		return nil, err
	}
	if tx.Number() == rx.Number() {
		return nil, ErrSamePin
	}
	if tx.Number() < 0 || tx.Number() >= periph.NumPins || rx.Number() < 0 || rx.Number() >= periph.NumPins {
		return nil, periph.ErrNoSuchResource
	}
	owner, txRole, rxRole := "uart.New(UART0)", "UART0 TX", "UART0 RX" // constants: no concatenation, no table in RAM
	if n == 1 {
		owner, txRole, rxRole = "uart.New(UART1)", "UART1 TX", "UART1 RX"
	}
	if err := periph.Claim(periph.KindUART, n, owner); err != nil {
		return nil, err
	}
	if err := periph.ClaimPins([]periph.Pin{tx, rx}, []string{txRole, rxRole}); err != nil {
		periph.Release(periph.KindUART, n)
		return nil, err
	}
	c := &port{n: uint8(n), r: regsOf(uint8(n)), cfg: cfg, div: div, sclk: sclk, tx: tx, rx: rx,
		rxLevel: uint32(cfg.RxFIFOFullThreshold), writeWait: cfg.WriteTimeout}
	if err := c.init(); err != nil {
		c.release()
		return nil, err
	}
	return &Blocking{drv{c: refOf(c), n: uint8(n), mode: "Blocking"}}, nil
}

// resolve fills in defaults and validates everything but the baud rate's reachability.
func resolve(cfg *Config) error {
	if cfg.Baud == 0 {
		cfg.Baud = DefaultBaud
	}
	if cfg.Baud < minBaud {
		return &configError{"uart: Config.Baud " + itoa.Itoa(cfg.Baud) + " is not a baud rate"}
	}
	if cfg.DataBits == 0 {
		cfg.DataBits = 8
	}
	if cfg.DataBits < 5 || cfg.DataBits > 8 {
		return &configError{"uart: Config.DataBits " + itoa.Itoa(cfg.DataBits) + " is out of range: 5..8"}
	}
	if cfg.Parity > ParityOdd {
		return &configError{"uart: Config.Parity " + itoa.Itoa(int(cfg.Parity)) + " is not a Parity"}
	}
	if cfg.StopBits > StopBits2 {
		return &configError{"uart: Config.StopBits " + itoa.Itoa(int(cfg.StopBits)) + " is not a StopBits"}
	}
	if cfg.Clock > ClockAPB {
		return &configError{"uart: Config.Clock " + itoa.Itoa(int(cfg.Clock)) + " is not a Clock"}
	}
	if cfg.BaudTolerancePPM < 0 {
		return &configError{"uart: Config.BaudTolerancePPM is negative"}
	}
	if cfg.RxFIFOFullThreshold == 0 {
		cfg.RxFIFOFullThreshold = DefaultRxFIFOFullThreshold
	}
	if cfg.RxFIFOFullThreshold < 1 || cfg.RxFIFOFullThreshold > FIFOSize {
		return &configError{"uart: Config.RxFIFOFullThreshold " + itoa.Itoa(cfg.RxFIFOFullThreshold) + " is out of range: 1..128"}
	}
	if cfg.TxFIFOEmptyThreshold == 0 {
		cfg.TxFIFOEmptyThreshold = DefaultTxFIFOEmptyThreshold
	}
	if cfg.TxFIFOEmptyThreshold < 1 || cfg.TxFIFOEmptyThreshold > FIFOSize-1 {
		return &configError{"uart: Config.TxFIFOEmptyThreshold " + itoa.Itoa(cfg.TxFIFOEmptyThreshold) + " is out of range: 1..127"}
	}
	if cfg.RxTimeout == 0 {
		cfg.RxTimeout = DefaultRxTimeout
	}
	if bits := cfg.RxTimeout * symbolBits(cfg); !cfg.NoRxTimeout && (cfg.RxTimeout < 0 || bits > 1023) {
		return &configError{"uart: Config.RxTimeout of " + itoa.Itoa(cfg.RxTimeout) + " symbols is " + itoa.Itoa(bits) +
			" bit times at " + itoa.Itoa(symbolBits(cfg)) + " bits per frame; MEM_CONF.RX_TOUT_THRHD holds at most 1023 (" +
			itoa.Itoa(1023/symbolBits(cfg)) + " symbols)"}
	}
	if cfg.ReadTimeout < 0 || cfg.WriteTimeout < 0 {
		return &configError{"uart: Config.ReadTimeout and WriteTimeout must not be negative"}
	}
	if cfg.InterruptPriority == 0 {
		cfg.InterruptPriority = DefaultInterruptPriority
	}
	if cfg.InterruptPriority > rt.MaxPriority {
		return &configError{"uart: Config.InterruptPriority " + itoa.Itoa(int(cfg.InterruptPriority)) + " is out of range: 1..15"}
	}
	return nil
}

// symbolBits is the length of one frame in whole bits, 1.5 stop bits counting as 2 (as
// esp-hal counts them).
func symbolBits(cfg *Config) int {
	n := 1 + cfg.DataBits + 1
	if cfg.Parity != ParityNone {
		n++
	}
	if cfg.StopBits != StopBits1 {
		n++
	}
	return n
}

// Baud returns the rate the divider actually produces, to the nearest baud.
func (d *drv) Baud() int {
	c := d.get()
	return c.div.rate(c.sclk)
}

// Config returns the configuration in effect, with defaults filled in.
func (d *drv) Config() Config { return d.get().cfg }

// Name returns "UART0" or "UART1".
func (d *drv) Name() string { return names[d.n] }

// Close disables the UART (its interrupt, if async), disconnects its pins and releases
// the UART and the pins for other drivers. The driver value is consumed.
func (d *drv) Close() error {
	c := d.take("Close")
	if c.async {
		c.unbind()
	}
	c.release()
	return nil
}

// release undoes New: interrupts off, pins disconnected, UART1's clock gated, claims freed.
func (c *port) release() {
	c.r.INT_ENA.Write(0)
	c.r.INT_CLR.Write(intAll)
	c.disconnectPins()
	if c.n == 1 {
		clockGate(1, false)
	}
	periph.Release(periph.KindPin, c.tx.Number())
	periph.Release(periph.KindPin, c.rx.Number())
	periph.Release(periph.KindUART, int(c.n))
}

// init is esp-hal's UART initialisation (esp32c3-facts.md §6), step by step. Registers
// whose new value depends on a variable are updated with Read and Write, not Modify with a
// closure: TinyGo would put each such closure's captured variables on the heap.
func (c *port) init() error {
	r := c.r
	cfg := &c.cfg
	// 1. Tie RX to a constant 1 (an idle line) and CTS to 0 until the pins are connected.
	tieInput(rxdSignal[c.n], true)
	tieInput(ctsSignal[c.n], false)
	// 2. The clock guard: UART1 is clocked and pulsed through reset; UART0 is one of the
	// peripherals esp-hal's init keeps clocked, so its guard never resets it.
	clockGate(c.n, true)
	if c.n == 1 {
		pulseReset(1)
	}
	// 3. The core clock: source, no pre-divider yet, enabled; 100 µs to settle.
	sel := uint32(3) // XTAL
	if cfg.Clock == ClockAPB {
		sel = 1
	}
	r.CLK_CONF.Write(r.CLK_CONF.Read().WithSCLK_SEL(sel).WithSCLK_DIV_NUM(0).WithSCLK_DIV_A(0).WithSCLK_DIV_B(0).
		WithSCLK_EN(true).WithTX_SCLK_EN(true).WithRX_SCLK_EN(true))
	spin(100 * time.Microsecond)
	// 4. No interrupts.
	r.INT_ENA.Write(0)
	r.INT_CLR.Write(intAll)
	// 5. Baud rate, then the frame format with flow control off, each followed by a sync.
	r.CLK_CONF.Write(r.CLK_CONF.Read().WithSCLK_DIV_NUM(c.div.divNum))
	r.CLKDIV.Write(uart.CLKDIVValue(0).WithCLKDIV(c.div.clkDiv).WithFRAG(c.div.frag))
	if err := c.sync(); err != nil {
		return err
	}
	r.CONF0.Write(r.CONF0.Read().WithBIT_NUM(uint32(cfg.DataBits - 5)).
		WithPARITY_EN(cfg.Parity != ParityNone).WithPARITY(cfg.Parity == ParityOdd).
		WithSTOP_BIT_NUM(uint32(cfg.StopBits) + 1).
		WithTX_FLOW_EN(false).WithLOOPBACK(false))
	r.CONF1.Modify(func(v uart.CONF1Value) uart.CONF1Value { return v.WithRX_FLOW_EN(false) })
	if err := c.sync(); err != nil {
		return err
	}
	r.INT_CLR.Write(intAll)
	// 6. Receiver: full threshold, RX timeout, errored frames kept out of the FIFO; then an
	// RX FIFO reset.
	tout := uint32(cfg.RxTimeout * symbolBits(cfg))
	if cfg.NoRxTimeout {
		tout = 0
	}
	r.CONF1.Write(r.CONF1.Read().WithRXFIFO_FULL_THRHD(c.rxLevel - 1).WithRX_TOUT_EN(!cfg.NoRxTimeout))
	r.MEM_CONF.Write(r.MEM_CONF.Read().WithRX_TOUT_THRHD(tout))
	r.CONF0.Modify(func(v uart.CONF0Value) uart.CONF0Value { return v.WithERR_WR_MASK(true) })
	if err := c.sync(); err != nil {
		return err
	}
	if err := c.resetFIFO(true); err != nil {
		return err
	}
	// 7. Transmitter: empty threshold, then a TX FIFO reset.
	r.CONF1.Write(r.CONF1.Read().WithTXFIFO_EMPTY_THRHD(uint32(cfg.TxFIFOEmptyThreshold)))
	if err := c.resetFIFO(false); err != nil {
		return err
	}
	// 8. No idle gap between transfers; 15 µs; clear everything that happened meanwhile.
	r.IDLE_CONF.Modify(func(v uart.IDLE_CONFValue) uart.IDLE_CONFValue { return v.WithTX_IDLE_NUM(0) })
	if err := c.sync(); err != nil {
		return err
	}
	spin(15 * time.Microsecond)
	r.INT_CLR.Write(intAll)
	// 9. The pins: TX driven high before it is routed, then RX.
	c.connectPins()
	if c.writeWait == 0 {
		// Two full FIFOs at this rate, plus 10 ms.
		frameNs := int64(symbolBits(cfg)) * 1_000_000_000 / int64(cfg.Baud)
		c.writeWait = time.Duration(2*FIFOSize*frameNs) + 10*time.Millisecond
	}
	return nil
}

// sync is esp-hal's sync_regs: set ID.REG_UPDATE and wait until the UART core clears it.
func (c *port) sync() error {
	r := c.r
	r.ID.Modify(func(v uart.IDValue) uart.IDValue { return v.WithREG_UPDATE(true) })
	dl := after(10 * time.Millisecond)
	for r.ID.Read().REG_UPDATE() {
		if dl.passed() {
			return ErrRegUpdate
		}
	}
	return nil
}

// resetFIFO toggles CONF0.RXFIFO_RST or TXFIFO_RST, with a sync after each edge. It runs
// on the receive path after an overflow, so it uses no closures (TinyGo would allocate them).
func (c *port) resetFIFO(rx bool) error {
	bit := uart.CONF0Value(0).WithTXFIFO_RST(true)
	if rx {
		bit = uart.CONF0Value(0).WithRXFIFO_RST(true)
	}
	c.r.CONF0.Write(c.r.CONF0.Read() | bit)
	if err := c.sync(); err != nil {
		return err
	}
	c.r.CONF0.Write(c.r.CONF0.Read() &^ bit)
	return c.sync()
}

// rxCount and txCount read STATUS.
func (c *port) rxCount() int { return int(c.r.STATUS.Read().RXFIFO_CNT()) }
func (c *port) txCount() int { return int(c.r.STATUS.Read().TXFIFO_CNT()) }

// txIdle reports whether the TX FIFO is empty and the transmitter's state machine idle.
func (c *port) txIdle() bool {
	return c.r.STATUS.Read().TXFIFO_CNT() == 0 && c.r.FSM_STATUS.Read().ST_UTX_OUT() == 0
}

// pop moves up to len(p) bytes from the RX FIFO into p.
func (c *port) pop(p []byte) int {
	n := c.rxCount()
	if n > len(p) {
		n = len(p)
	}
	for i := 0; i < n; i++ {
		p[i] = byte(c.r.FIFO.Read().RXFIFO_RD_BYTE())
	}
	return n
}

// push moves as many bytes of p into the TX FIFO as fit.
func (c *port) push(p []byte) int {
	n := FIFOSize - c.txCount()
	if n > len(p) {
		n = len(p)
	}
	for i := 0; i < n; i++ {
		c.r.FIFO.Write(uart.FIFOValue(p[i]))
	}
	return n
}

// takeRxError returns the first pending receive error in esp-hal's order (overflow,
// glitch, framing, parity) and clears it; an overflow also resets the RX FIFO.
func (c *port) takeRxError() error {
	raw := uint32(c.r.INT_RAW.Read())
	if raw&rxErrorBits == 0 {
		return nil
	}
	var bit uint32
	var e RxError
	switch {
	case raw&intRxOvf != 0:
		bit, e = intRxOvf, ErrFifoOverflowed
		c.resetFIFO(true) // a stuck REG_UPDATE would have failed New
	case raw&intGlitch != 0:
		bit, e = intGlitch, ErrGlitch
	case raw&intFrmErr != 0:
		bit, e = intFrmErr, ErrFramingError
	default:
		bit, e = intParityErr, ErrParityError
	}
	c.r.INT_CLR.Write(uart.INT_CLRValue(bit))
	return e
}

// Read reads what the RX FIFO holds into p, waiting until it holds at least one byte or
// Config.ReadTimeout passes (ErrReadTimeout). A pending receive error is returned first,
// with no data (see RxError). It implements io.Reader.
func (d *drv) Read(p []byte) (int, error) {
	c := d.get()
	if len(p) == 0 {
		return 0, nil
	}
	dl := after(c.cfg.ReadTimeout)
	for {
		if err := c.takeRxError(); err != nil {
			return 0, err
		}
		if c.rxCount() > 0 {
			break
		}
		if dl.passed() {
			return 0, ErrReadTimeout
		}
	}
	n := c.pop(p)
	c.r.INT_CLR.Write(intRxFull)
	return n, nil
}

// ReadExact fills p, waiting for as many bytes as it takes or until Config.ReadTimeout
// (for the whole call) passes. It returns how many bytes it stored and the first error.
func (d *drv) ReadExact(p []byte) (int, error) {
	c := d.get()
	dl := after(c.cfg.ReadTimeout)
	got := 0
	for got < len(p) {
		if err := c.takeRxError(); err != nil {
			return got, err
		}
		if k := c.pop(p[got:]); k > 0 {
			got += k
			c.r.INT_CLR.Write(intRxFull)
			continue
		}
		if dl.passed() {
			return got, ErrReadTimeout
		}
	}
	return got, nil
}

// Buffered returns the number of bytes waiting in the RX FIFO.
func (d *drv) Buffered() int { return d.get().rxCount() }

// Write writes p into the TX FIFO, waiting while it is full; it returns once the last byte
// is in the FIFO (Flush waits for the line). ErrWriteTimeout means the FIFO did not drain
// for Config.WriteTimeout. It implements io.Writer.
func (d *drv) Write(p []byte) (int, error) {
	c := d.get()
	n := 0
	for n < len(p) {
		dl := after(c.writeWait)
		for c.txCount() >= FIFOSize {
			if dl.passed() {
				return n, ErrWriteTimeout
			}
		}
		n += c.push(p[n:])
	}
	return n, nil
}

// WriteByte writes one byte (io.ByteWriter).
func (d *drv) WriteByte(b byte) error {
	buf := [1]byte{b}
	_, err := d.Write(buf[:])
	return err
}

// Flush waits until everything written has left the transmitter: the TX FIFO empty, 10 µs
// (esp-hal's guard), then the transmitter's state machine idle. ErrWriteTimeout if that
// takes longer than Config.WriteTimeout.
func (d *drv) Flush() error {
	c := d.get()
	dl := after(c.writeWait)
	for c.txCount() != 0 {
		if dl.passed() {
			return ErrWriteTimeout
		}
	}
	spin(10 * time.Microsecond)
	for c.r.FSM_STATUS.Read().ST_UTX_OUT() != 0 {
		if dl.passed() {
			return ErrWriteTimeout
		}
	}
	return nil
}

// deadline is a point on SYSTIMER's 16 MHz counter, for the blocking waits: it works with or
// without the async executor and its time driver.
type deadline struct {
	end     uint64
	forever bool
}

func after(d time.Duration) deadline {
	if d <= 0 {
		return deadline{forever: true}
	}
	return deadline{end: systimer.Ticks() + uint64(d.Nanoseconds())*systimer.TicksPerMicrosecond/1000}
}

func (d deadline) passed() bool { return !d.forever && systimer.Ticks() >= d.end }

// spin busy-waits for d.
func spin(d time.Duration) {
	dl := after(d)
	for !dl.passed() {
	}
}
