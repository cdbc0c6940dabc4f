// Package spi is the ESP32-C3's SPI2 (GPSPI2) master driver: esp-hal's register
// sequences without DMA (esp32c3-facts.md §8) in gohal's driver shape (see package hal).
//
//	p, _ := hal.Init(hal.Config{})
//	bus, err := spi.New(p.SPI2, spi.Config{Frequency: 8_000_000, Mode: spi.Mode0},
//		spi.Pins{SCK: p.GPIO6, MOSI: &p.GPIO7, MISO: &p.GPIO2, CS: &p.GPIO10})
//	err = bus.Tx(cmd, reply)            // full duplex, blocking
//	abus := bus.IntoAsync()             // bus is consumed
//	f := abus.TransferAsync(cmd, reply) // an async.Future[error], completed by TRANS_DONE
//
// # Transfers
//
// Every transfer is full duplex, as esp-hal's: Tx (esp-hal's transfer: write w while
// reading into r; the lengths may differ, the shorter side is padded with 0x00 or its extra
// bytes dropped), TransferInPlace (the buffer is sent and replaced by what comes back), Write
// (what comes back is dropped) and Read (0x00 is sent). The controller moves at most 64
// bytes per transaction, through its W0..W15 buffer, so longer transfers are cut into
// 64-byte chunks; any length can be chunked. With a hardware chip select (Pins.CS) the chip
// select stays active from the first chunk to the last (MISC.CS_KEEP_ACTIVE), so a long
// transfer is one transaction for the device, where esp-hal's non-DMA driver releases CS
// between chunks.
//
// Transfer(b) exchanges one byte. Go has no overloading and tinygo.org/x/drivers' SPI
// interface gives that name to the one-byte exchange, so esp-hal's two-buffer transfer is
// Tx here (TransferAsync on the Async driver); the drivers satisfy drivers.SPI, and TinyGo's
// device drivers run on them unchanged.
//
// # Configuration
//
// Config gives the mode (0..3: clock polarity and phase), the bit order, and the frequency,
// divided from the 40 MHz crystal (esp-hal's default on the C3) or the 80 MHz PLL clock:
// f = source/(PRE+1)/(N+1), PRE < 16, N < 64, or the source itself. The driver picks the
// highest reachable frequency not above the one asked for; a frequency out of range, or more
// than 5% above every reachable one, is a *FrequencyError naming the nearest reachable
// frequencies.
//
// # Errors and timeouts
//
// Each wait for a chunk is bounded by Config.Timeout (100 ms by default, far above the 13 ms
// a 64-byte chunk takes at the lowest clock). A transfer that does not finish in time, as
// when the controller's clock is stopped, fails with ErrTimeout; the controller is then
// reset and configured again.
//
// # Async
//
// IntoAsync binds SPI2's interrupt on the current core. The ...Async methods return a
// Future that starts its transfer on the first Poll and, for each chunk, enables the
// TRANS_DONE interrupt and waits; the handler disables what fired and wakes the task
// (esp-hal's pattern); Cancel disables it and, if a chunk is on the bus, resets the
// controller. The Async driver keeps every blocking method. One transfer runs at a time: a
// future whose first Poll finds another transfer in progress (a future not yet completed or
// cancelled, or a blocking call it preempted) panics, naming both.
package spi

import (
	"errors"
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/rt"
)

// Mode is the SPI mode: clock polarity (CPOL, the idle level of SCK) and phase (CPHA, the
// edge data is sampled on).
type Mode uint8

// The four modes.
const (
	Mode0 Mode = iota // CPOL 0, CPHA 0
	Mode1             // CPOL 0, CPHA 1
	Mode2             // CPOL 1, CPHA 0
	Mode3             // CPOL 1, CPHA 1
)

// BitOrder is the order bits go out and come in.
type BitOrder uint8

// Bit orders.
const (
	MSBFirst BitOrder = iota
	LSBFirst
)

// Clock is the clock the SPI clock is divided from.
type Clock uint8

// Clock sources (CLK_GATE.MST_CLK_SEL).
const (
	XTAL  Clock = iota // the 40 MHz crystal: esp-hal's default on the ESP32-C3
	PLL80              // the 80 MHz PLL clock
)

// Defaults for zero Config fields.
const (
	DefaultFrequency = 1_000_000
	DefaultTimeout   = 100 * time.Millisecond
	DefaultPriority  = rt.Priority(1)
)

// ChunkSize is the most the controller moves in one transaction without DMA: its 64-byte
// W0..W15 buffer.
const ChunkSize = 64

// Config configures the controller. The zero value is esp-hal's default: 1 MHz from the
// crystal, mode 0, MSB first.
type Config struct {
	// Frequency is the SCK frequency in Hz (default 1 MHz).
	Frequency uint32
	// Mode is the SPI mode, Mode0..Mode3.
	Mode Mode
	// BitOrder applies to both directions (CTRL.RD_BIT_ORDER and WR_BIT_ORDER).
	BitOrder BitOrder
	// Clock is the source the frequency is divided from (default XTAL).
	Clock Clock
	// Timeout bounds each wait for a chunk (up to 64 bytes) to finish (default
	// DefaultTimeout). Async futures use it when the SYSTIMER time driver runs.
	Timeout time.Duration
	// Priority is the interrupt priority IntoAsync binds SPI2's interrupt at (default 1).
	Priority rt.Priority
}

// Pins are the pads SPI2's signals are routed to through the GPIO matrix. SCK is
// required; a nil MOSI, MISO or CS leaves that signal on no pad (no MISO reads zeros; with
// no CS, drive the device's chip select with a GPIO output).
type Pins struct {
	SCK  periph.Pin
	MOSI *periph.Pin
	MISO *periph.Pin
	CS   *periph.Pin
}

// Errors of transfers.
var (
	// ErrTimeout: a chunk did not finish within Config.Timeout (the controller is stuck,
	// for instance without a clock).
	ErrTimeout = errors.New("spi: timed out waiting for the transfer to finish")
	// ErrBusy: a blocking call found another transfer on this driver in progress (an async
	// future, or a blocking call it preempted). A future in that case panics instead.
	ErrBusy = errors.New("spi: another transfer is in progress on this driver")
	// ErrCanceled is what Poll returns for a cancelled future.
	ErrCanceled = errors.New("spi: transfer cancelled")
	// ErrConfig is what every configuration error wraps (errors.Is).
	ErrConfig = errors.New("spi: invalid configuration")
)

// FrequencyError is New's error for a frequency the divider cannot reach: outside
// source/1024 .. source, or more than 5% above the nearest reachable one below it.
type FrequencyError struct {
	Requested uint32 // Hz
	Source    uint32 // the clock divided from, Hz
	Below     uint32 // the highest reachable frequency below Requested (0: none)
	Above     uint32 // the lowest reachable frequency above Requested (0: none)
}

// Nearest returns the reachable frequency nearest to the one requested.
func (e *FrequencyError) Nearest() uint32 {
	switch {
	case e.Below == 0:
		return e.Above
	case e.Above == 0:
		return e.Below
	case e.Requested-e.Below <= e.Above-e.Requested:
		return e.Below
	}
	return e.Above
}

// Error returns the message.
func (e *FrequencyError) Error() string {
	msg := "spi: Config.Frequency = " + utoa(e.Requested) + " Hz is not reachable from the " + utoa(e.Source/1_000_000) + " MHz clock"
	switch {
	case e.Below == 0:
		return msg + ": the lowest reachable is " + utoa(e.Above) + " Hz"
	case e.Above == 0:
		return msg + ": the highest reachable is " + utoa(e.Below) + " Hz"
	}
	return msg + " within 5%: the nearest reachable is " + utoa(e.Nearest()) + " Hz (neighbours: " + utoa(e.Below) + " Hz below, " + utoa(e.Above) + " Hz above)"
}

// Unwrap returns the error this one refines, for errors.Is.
func (e *FrequencyError) Unwrap() error { return ErrConfig }

type configError struct{ msg string }

// Error returns the message.
func (e *configError) Error() string { return e.msg }

// Unwrap returns the error this one refines, for errors.Is.
func (e *configError) Unwrap() error { return ErrConfig }

const (
	goneAsync    = "spi: this SPI2 Blocking driver was consumed by IntoAsync; use the Async driver it returned"
	goneBlocking = "spi: this SPI2 Async driver was consumed by IntoBlocking; use the Blocking driver it returned"
	goneClosed   = "spi: this SPI2 driver was closed"
)

// Blocking is the SPI2 master driver in blocking mode. It is not safe for concurrent use.
type Blocking struct {
	c    *engine
	gone string
}

// Async is the SPI2 master driver in async mode: the ...Async methods return futures
// completed by the TRANS_DONE interrupt; the blocking methods work as on Blocking.
type Async struct {
	c    *engine
	gone string
}

// New configures SPI2 as a master on the given pins and returns the Blocking driver. It
// claims the controller and the pins (an error names any already in use) and validates cfg
// (an unreachable frequency is a *FrequencyError naming the nearest reachable ones).
func New(p periph.SPI, cfg Config, pins Pins) (*Blocking, error) {
	c, err := newEngine(p, cfg, pins)
	if err != nil {
		return nil, err
	}
	return &Blocking{c: c}, nil
}

func (b *Blocking) engine() *engine {
	if b == nil || b.c == nil {
		if b != nil && b.gone != "" {
			panic(b.gone)
		}
		panic("spi: nil Blocking driver")
	}
	return b.c
}

func (a *Async) engine() *engine {
	if a == nil || a.c == nil {
		if a != nil && a.gone != "" {
			panic(a.gone)
		}
		panic("spi: nil Async driver")
	}
	return a.c
}

// Tx writes w while reading into r, full duplex (esp-hal's transfer). The lengths may
// differ: the write is padded with 0x00 to the read's length, and bytes read beyond r's
// length are dropped. It is tinygo.org/x/drivers' SPI.Tx.
func (b *Blocking) Tx(w, r []byte) error { return b.engine().run(callTx, w, r) }

// Transfer sends one byte and returns the byte received meanwhile (tinygo.org/x/drivers'
// SPI.Transfer).
func (b *Blocking) Transfer(v byte) (byte, error) { return b.engine().transfer(v) }

// TransferInPlace sends buf and replaces its contents with the bytes received.
func (b *Blocking) TransferInPlace(buf []byte) error {
	return b.engine().run(callTransferInPlace, buf, buf)
}

// Write sends w, dropping what comes back.
func (b *Blocking) Write(w []byte) error { return b.engine().run(callWrite, w, nil) }

// Read fills r with the bytes received while 0x00 is sent.
func (b *Blocking) Read(r []byte) error { return b.engine().run(callRead, nil, r) }

// Frequency returns the SCK frequency the divider gives, in Hz.
func (b *Blocking) Frequency() uint32 { return b.engine().freq }

// IntoAsync binds SPI2's interrupt handler on the current core at Config.Priority and
// returns the Async driver. b is consumed: using it afterwards panics.
func (b *Blocking) IntoAsync() *Async {
	c := b.engine()
	b.c, b.gone = nil, goneAsync
	c.bindInterrupt()
	return &Async{c: c}
}

// Close resets the controller, releases its pins (back to disabled GPIOs) and the SPI2
// token. b cannot be used afterwards.
func (b *Blocking) Close() {
	c := b.engine()
	b.c, b.gone = nil, goneClosed
	c.close()
}

// Tx writes w while reading into r, blocking (see Blocking.Tx).
func (a *Async) Tx(w, r []byte) error { return a.engine().run(callTx, w, r) }

// Transfer exchanges one byte, blocking (see Blocking.Transfer).
func (a *Async) Transfer(v byte) (byte, error) { return a.engine().transfer(v) }

// TransferInPlace exchanges buf in place, blocking (see Blocking.TransferInPlace).
func (a *Async) TransferInPlace(buf []byte) error {
	return a.engine().run(callTransferInPlace, buf, buf)
}

// Write sends w, blocking (see Blocking.Write).
func (a *Async) Write(w []byte) error { return a.engine().run(callWrite, w, nil) }

// Read fills r, blocking (see Blocking.Read).
func (a *Async) Read(r []byte) error { return a.engine().run(callRead, nil, r) }

// Frequency returns the SCK frequency the divider gives, in Hz.
func (a *Async) Frequency() uint32 { return a.engine().freq }

// TransferAsync returns a future that writes w while reading into r (as Tx). Nothing
// happens until it is polled; keep it at one address from its first Poll on, and Cancel it
// if its result is no longer wanted.
func (a *Async) TransferAsync(w, r []byte) Future {
	return Future{c: a.engine(), w: w, r: r, call: callTransferAsync}
}

// TransferInPlaceAsync returns a future that sends buf and replaces it with what comes back.
func (a *Async) TransferInPlaceAsync(buf []byte) Future {
	return Future{c: a.engine(), w: buf, r: buf, call: callTransferInPlaceAsync}
}

// WriteAsync returns a future that sends w.
func (a *Async) WriteAsync(w []byte) Future { return Future{c: a.engine(), w: w, call: callWriteAsync} }

// ReadAsync returns a future that fills r while sending 0x00.
func (a *Async) ReadAsync(r []byte) Future { return Future{c: a.engine(), r: r, call: callReadAsync} }

// AwaitTransfer writes w while reading into r (as Tx) from a straight-line task
// (async.Go): TransferAsync and async.Await in one call, with the future kept in the
// driver, so it allocates nothing (a future in the task's own variable escapes to the
// heap: Await takes an interface, and the transfer's timeout timer links it into the timer
// queue). One transfer at a time: called while another is in progress, it panics naming
// both. w and r may be the same slice (a transfer in place).
func (a *Async) AwaitTransfer(t *async.T, w, r []byte) error {
	return a.engine().awaitOp(t, callAwaitTransfer, w, r)
}

// AwaitWrite sends w from a straight-line task; see AwaitTransfer.
func (a *Async) AwaitWrite(t *async.T, w []byte) error {
	return a.engine().awaitOp(t, callAwaitWrite, w, nil)
}

// AwaitRead fills r while sending 0x00, from a straight-line task; see AwaitTransfer.
func (a *Async) AwaitRead(t *async.T, r []byte) error {
	return a.engine().awaitOp(t, callAwaitRead, nil, r)
}

// awaitOp runs one typed await on the driver's own future. A straight-line task awaits one
// thing at a time, so the future is busy only if another task's await is in progress: that
// panics before the future is touched.
func (c *engine) awaitOp(t *async.T, call uint8, w, r []byte) error {
	f := &c.await
	if f.state == futRunning {
		c.concurrent(call)
	}
	f.c, f.w, f.r, f.call, f.chunk = c, w, r, call, 0
	f.state, f.err = futNew, nil
	return async.Await(t, f)
}

// IntoBlocking unbinds the interrupt and returns the Blocking driver; a is consumed. It
// panics if an async transfer is in progress (cancel it first).
func (a *Async) IntoBlocking() *Blocking {
	c := a.engine()
	if c.busy.Load() != callNone {
		panic("spi: IntoBlocking while an async transfer is in progress; Cancel it first")
	}
	a.c, a.gone = nil, goneBlocking
	c.unbindInterrupt()
	return &Blocking{c: c}
}

// Close unbinds the interrupt and releases everything (see Blocking.Close).
func (a *Async) Close() {
	c := a.engine()
	a.c, a.gone = nil, goneClosed
	c.unbindInterrupt()
	c.close()
}

func utoa(v uint32) string { return itoa.Utoa(uint64(v)) }
