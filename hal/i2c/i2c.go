// Package i2c is the ESP32-C3's I2C0 master driver: esp-hal's register sequences
// (esp32c3-facts.md §7) in gohal's driver shape (see package hal).
//
//	p, _ := hal.Init(hal.Config{})
//	bus, err := i2c.New(p.I2C0, i2c.Config{Frequency: 400_000}, p.GPIO5, p.GPIO6) // SDA, SCL
//	err = bus.WriteRead(0x50, []byte{0x00, 0x10}, buf) // blocking
//	abus := bus.IntoAsync()                             // bus is consumed
//	f := abus.WriteReadAsync(0x50, reg, buf)            // an async.Future[error]
//	err = async.Await(t, &f)                            // in a straight-line task
//
// # Transfers
//
// Write, Read, WriteRead and Transaction (a list of Operations) each run as one bus
// transaction: a START, the address, the operations (a repeated START between a write and
// a read) and a STOP. The controller's command list holds eight commands and its FIFO 32
// bytes, so a long operation is cut into chunks of at most 31 bytes, joined by END commands
// that hold SCL low between them, exactly as esp-hal cuts them: 31-byte chunks, except that
// 29 are taken when 32 or 33 bytes remain, so no chunk is shorter than two bytes. Any buffer
// length can be chunked. A zero-length read operation is skipped; a write with no bytes
// still addresses the device (Write(addr, nil) probes for it).
//
// Addresses are 7-bit (0..0x7F). A 10-bit address is given with the TenBit flag:
// TenBit|0x2C5. An address over 7 bits without the flag, or over 10 bits with it, is an
// *AddressError naming it.
//
// # Errors
//
// A transfer fails with one of these distinct values (compare with errors.Is):
//
//   - ErrAddressNACK: no device acknowledged the address (it is absent or busy, like an
//     EEPROM in its write cycle); ErrDataNACK: the device refused a data byte. Both wrap
//     ErrNACK. The address is written with its own WRITE command, so COMMAND_DONE tells
//     the two apart (esp-hal packs it into the data WRITE and reports "unknown" on the C3).
//   - ErrArbitrationLost: another master won the bus (only with Config.MultiMaster, which
//     turns the controller's arbitration on).
//   - ErrBusTimeout: the hardware gave up on a stuck bus: SCL held low (a device stretching
//     the clock too long) past Config.BusTimeout, or a state machine stuck for
//     2^Config.FSMTimeout clocks. It wraps ErrTimeout.
//   - ErrTimeout: the software timeout (Config.Timeout) passed first.
//   - ErrIncomplete: the controller finished without executing every command or without
//     the bytes to read; ErrBusy: a blocking call found another transfer on the driver in
//     progress (an async future, or a blocking call it preempted).
//
// Under TinyGo, errors.Is and == on error values make the program link the reflect
// package (about 6 KB of flash); err != nil costs nothing.
//
// After an error the controller is reset and reconfigured (and after a timeout or lost
// arbitration the bus is cleared with nine SCL pulses and a STOP), so the next transfer
// starts clean.
//
// # Async
//
// IntoAsync binds the I2C0 interrupt on the current core. The ...Async methods return a
// Future that starts its transfer on the first Poll, enables the END_DETECT,
// TRANS_COMPLETE, NACK, ARBITRATION_LOST, TIME_OUT and SCL timeout interrupts for each
// chunk and waits; the handler disables the sources that fired and wakes the task (esp-hal's
// pattern); Cancel disables them and resets the controller if a chunk was on the bus. The
// Async driver keeps every blocking method. One transfer runs at a time: a future whose
// first Poll finds another transfer in progress (a future not yet completed or cancelled,
// or a blocking call it preempted) panics, naming both.
//
// The drivers satisfy tinygo.org/x/drivers' I2C interface through Tx, so TinyGo's sensor
// drivers run on them unchanged.
package i2c

import (
	"errors"
	"time"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/rt"
)

// TenBit marks an address as a 10-bit address: TenBit|0x2C5.
const TenBit uint16 = 0x8000

// Frequency limits. The lowest is what the clock divider (SCLK_DIV_NUM, 8 bits) and the
// 9-bit SCL period registers can reach from the 40 MHz crystal; the highest is Fast-mode
// Plus.
const (
	MinFrequency = 153
	MaxFrequency = 1_000_000
)

// Defaults for a zero Config field.
const (
	DefaultFrequency  = 100_000
	DefaultTimeout    = time.Second
	DefaultFSMTimeout = 23 // 2^23 controller clocks, esp-hal's default (0.21 s at 40 MHz)
	DefaultPriority   = rt.Priority(1)
)

// Config configures the controller. The zero value is esp-hal's default configuration:
// 100 kHz, bus timeout off, state-machine timeouts of 2^23 clocks, no arbitration, plus a
// one-second software timeout per call.
type Config struct {
	// Frequency is the SCL frequency in Hz, MinFrequency..MaxFrequency (default 100 kHz).
	// The timing is computed as esp-hal computes it, which reaches the requested frequency
	// or a little above it (Frequency reports the result).
	Frequency uint32
	// BusTimeout, in SCL periods, is how long SCL may stay low (a device stretching the
	// clock) before the hardware gives up with ErrBusTimeout. The hardware counts powers of
	// two of its clock, so the timeout is rounded up, to at most twice the value. 0 leaves
	// the bus timeout off (esp-hal's default); the state-machine timeouts still apply.
	BusTimeout uint32
	// FSMTimeout sets SCL_ST_TIME_OUT and SCL_MAIN_ST_TIME_OUT: a controller state machine
	// stuck for 2^FSMTimeout clocks ends the transfer with ErrBusTimeout. 1..23; 0 means
	// DefaultFSMTimeout.
	FSMTimeout uint8
	// Timeout bounds each call (Write, Read, WriteRead, Transaction, and each async
	// future) in software: past it the transfer is abandoned with ErrTimeout. 0 means
	// DefaultTimeout. Async futures use it when the SYSTIMER time driver runs (hal.Init
	// starts it), through an async.Timer.
	Timeout time.Duration
	// MultiMaster turns the controller's arbitration on (CTR.ARBITRATION_EN), for buses
	// with another master: losing the bus then ends the transfer with ErrArbitrationLost.
	MultiMaster bool
	// Priority is the interrupt priority IntoAsync binds I2C0's interrupt at (default 1).
	Priority rt.Priority
}

// Errors of transfers.
var (
	// ErrNACK is what ErrAddressNACK and ErrDataNACK wrap.
	ErrNACK = errors.New("i2c: no acknowledge")
	// ErrAddressNACK: no device acknowledged the address.
	ErrAddressNACK error = &wrapped{"i2c: no acknowledge for the address: no device answers it (absent, or busy)", ErrNACK}
	// ErrDataNACK: the device did not acknowledge a data byte it was sent.
	ErrDataNACK error = &wrapped{"i2c: no acknowledge for a data byte: the device refused it", ErrNACK}
	// ErrArbitrationLost: another master won arbitration for the bus.
	ErrArbitrationLost = errors.New("i2c: arbitration lost to another master")
	// ErrTimeout: the software timeout passed before the transfer finished.
	ErrTimeout = errors.New("i2c: timed out")
	// ErrBusTimeout: the hardware timed the bus out (SCL held low too long, or a stuck
	// state machine). It wraps ErrTimeout.
	ErrBusTimeout error = &wrapped{"i2c: bus timeout: SCL held low or the controller stuck past the hardware timeout", ErrTimeout}
	// ErrIncomplete: the controller stopped without executing every command, or without
	// the bytes to read.
	ErrIncomplete = errors.New("i2c: the command list did not complete")
	// ErrBusy: a blocking call found another transfer on this driver in progress (an async
	// future, or a blocking call it preempted). A future in that case panics instead.
	ErrBusy = errors.New("i2c: another transfer is in progress on this driver")
)

type wrapped struct {
	msg    string
	parent error
}

// Error returns the message.
func (e *wrapped) Error() string { return e.msg }

// Unwrap returns the error this one refines, for errors.Is.
func (e *wrapped) Unwrap() error { return e.parent }

// AddressError is the error for an address the bus cannot carry: over 7 bits without the
// TenBit flag, or over 10 bits with it.
type AddressError struct {
	Addr uint16 // as given, TenBit flag included
}

// Error returns the message.
func (e AddressError) Error() string {
	if e.Addr&TenBit != 0 {
		return "i2c: address " + hex(uint32(e.Addr&^TenBit)) + " does not fit 10 bits"
	}
	return "i2c: address " + hex(uint32(e.Addr)) + " does not fit 7 bits; give a 10-bit address with the TenBit flag (i2c.TenBit|" + hex(uint32(e.Addr)) + ")"
}

// ConfigError is New's error for a configuration the controller cannot carry out.
type ConfigError struct {
	Field   string // "Frequency", "BusTimeout", "FSMTimeout", "Priority"
	Value   uint32 // as given
	Nearest uint32 // the nearest value that works
	Reason  string
}

// Error returns the message.
func (e *ConfigError) Error() string {
	return "i2c: Config." + e.Field + " = " + utoa(e.Value) + ": " + e.Reason + "; the nearest that works is " + utoa(e.Nearest)
}

// Operation is one part of a Transaction: a write of Buf to the device, or a read from it
// into Buf. Make them with Write and Read.
type Operation struct {
	Buf  []byte
	Read bool
}

// Write returns an Operation that writes b to the device.
func Write(b []byte) Operation { return Operation{Buf: b} }

// Read returns an Operation that reads len(b) bytes from the device into b.
func Read(b []byte) Operation { return Operation{Buf: b, Read: true} }

// Why a driver value is no longer usable.
const (
	goneAsync    = "i2c: this I2C0 Blocking driver was consumed by IntoAsync; use the Async driver it returned"
	goneBlocking = "i2c: this I2C0 Async driver was consumed by IntoBlocking; use the Blocking driver it returned"
	goneClosed   = "i2c: this I2C0 driver was closed"
)

// Blocking is the I2C0 master driver in blocking mode: every method waits for the bus,
// bounded by Config.Timeout. It is not safe for concurrent use.
type Blocking struct {
	c    *engine
	gone string
}

// Async is the I2C0 master driver in async mode: the ...Async methods return futures
// driven by the I2C0 interrupt; the blocking methods work as on Blocking.
type Async struct {
	c    *engine
	gone string
}

// New configures I2C0 as a master on the given SDA and SCL pins and returns the Blocking
// driver. It claims the controller and both pins (an error names any already in use) and
// validates cfg (an error names the field and the nearest value that works).
func New(p periph.I2C, cfg Config, sda, scl periph.Pin) (*Blocking, error) {
	c, err := newEngine(p, cfg, sda, scl)
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
		panic("i2c: nil Blocking driver")
	}
	return b.c
}

func (a *Async) engine() *engine {
	if a == nil || a.c == nil {
		if a != nil && a.gone != "" {
			panic(a.gone)
		}
		panic("i2c: nil Async driver")
	}
	return a.c
}

// Write writes w to the device at addr in one transaction.
func (b *Blocking) Write(addr uint16, w []byte) error { return b.engine().write(callWrite, addr, w) }

// Read reads len(r) bytes from the device at addr into r in one transaction.
func (b *Blocking) Read(addr uint16, r []byte) error { return b.engine().read(callRead, addr, r) }

// WriteRead writes w to the device at addr, then reads len(r) bytes into r after a
// repeated START, in one transaction: the usual register read.
func (b *Blocking) WriteRead(addr uint16, w, r []byte) error {
	return b.engine().writeRead(callWriteRead, addr, w, r)
}

// Transaction runs ops in order in one transaction with the device at addr: a repeated
// START where the direction changes, a STOP at the end.
func (b *Blocking) Transaction(addr uint16, ops ...Operation) error {
	return b.engine().transaction(addr, ops)
}

// Tx is tinygo.org/x/drivers' I2C method: a write of w, then a read into r, either of which
// may be empty.
func (b *Blocking) Tx(addr uint16, w, r []byte) error { return b.engine().tx(addr, w, r) }

// Frequency returns the SCL frequency the timing registers give, in Hz.
func (b *Blocking) Frequency() uint32 { return b.engine().freq }

// IntoAsync binds I2C0's interrupt handler on the current core at Config.Priority and
// returns the Async driver. b is consumed: using it afterwards panics.
func (b *Blocking) IntoAsync() *Async {
	c := b.engine()
	b.c, b.gone = nil, goneAsync
	c.bindInterrupt()
	return &Async{c: c}
}

// Close stops the controller, releases its pins (back to disabled GPIOs) and the I2C0
// token, and gates its clock off. b cannot be used afterwards.
func (b *Blocking) Close() {
	c := b.engine()
	b.c, b.gone = nil, goneClosed
	c.close()
}

// Write writes w to the device at addr, blocking (see Blocking.Write).
func (a *Async) Write(addr uint16, w []byte) error { return a.engine().write(callWrite, addr, w) }

// Read reads into r from the device at addr, blocking (see Blocking.Read).
func (a *Async) Read(addr uint16, r []byte) error { return a.engine().read(callRead, addr, r) }

// WriteRead writes w then reads into r, blocking (see Blocking.WriteRead).
func (a *Async) WriteRead(addr uint16, w, r []byte) error {
	return a.engine().writeRead(callWriteRead, addr, w, r)
}

// Transaction runs ops, blocking (see Blocking.Transaction).
func (a *Async) Transaction(addr uint16, ops ...Operation) error {
	return a.engine().transaction(addr, ops)
}

// Tx is tinygo.org/x/drivers' I2C method, blocking (see Blocking.Tx).
func (a *Async) Tx(addr uint16, w, r []byte) error { return a.engine().tx(addr, w, r) }

// Frequency returns the SCL frequency the timing registers give, in Hz.
func (a *Async) Frequency() uint32 { return a.engine().freq }

// WriteAsync returns a future that writes w to the device at addr. Nothing happens until it
// is polled; keep it at one address from its first Poll on (a field of a task, or a local
// passed by pointer), and Cancel it if its result is no longer wanted.
func (a *Async) WriteAsync(addr uint16, w []byte) Future {
	return Future{c: a.engine(), addr: addr, inline: [2]Operation{{Buf: w}}, n: 1, call: callWriteAsync}
}

// ReadAsync returns a future that reads len(r) bytes from the device at addr into r.
func (a *Async) ReadAsync(addr uint16, r []byte) Future {
	return Future{c: a.engine(), addr: addr, inline: [2]Operation{{Buf: r, Read: true}}, n: 1, call: callReadAsync}
}

// WriteReadAsync returns a future that writes w, then reads into r after a repeated START.
func (a *Async) WriteReadAsync(addr uint16, w, r []byte) Future {
	return Future{c: a.engine(), addr: addr, inline: [2]Operation{{Buf: w}, {Buf: r, Read: true}}, n: 2, call: callWriteReadAsync}
}

// TransactionAsync returns a future that runs ops in one transaction. ops must stay
// unchanged until the future completes.
func (a *Async) TransactionAsync(addr uint16, ops []Operation) Future {
	if ops == nil {
		ops = []Operation{}
	}
	return Future{c: a.engine(), addr: addr, ext: ops, call: callTransactionAsync}
}

// AwaitWrite writes w to the device at addr from a straight-line task (async.Go):
// WriteAsync and async.Await in one call, with the future kept in the driver, so it
// allocates nothing (a future in the task's own variable escapes to the heap: Await takes
// an interface, and the transfer's timeout timer links it into the timer queue). One
// transfer at a time: called while another is in progress, it panics naming both.
func (a *Async) AwaitWrite(t *async.T, addr uint16, w []byte) error {
	return a.engine().awaitOp(t, callAwaitWrite, addr, [2]Operation{{Buf: w}}, 1)
}

// AwaitRead reads len(r) bytes from the device at addr from a straight-line task; see
// AwaitWrite.
func (a *Async) AwaitRead(t *async.T, addr uint16, r []byte) error {
	return a.engine().awaitOp(t, callAwaitRead, addr, [2]Operation{{Buf: r, Read: true}}, 1)
}

// AwaitWriteRead writes w, then reads into r after a repeated START, from a straight-line
// task; see AwaitWrite.
func (a *Async) AwaitWriteRead(t *async.T, addr uint16, w, r []byte) error {
	return a.engine().awaitOp(t, callAwaitWriteRead, addr, [2]Operation{{Buf: w}, {Buf: r, Read: true}}, 2)
}

// awaitOp runs one typed await on the driver's own future. A straight-line task awaits one
// thing at a time, so the future is busy only if another task's await is in progress: that
// panics before the future is touched.
func (c *engine) awaitOp(t *async.T, call uint8, addr uint16, ops [2]Operation, n int) error {
	f := &c.await
	if f.state == futRunning {
		c.concurrent(call)
	}
	f.c, f.addr, f.inline, f.n, f.ext, f.call = c, addr, ops, n, nil, call
	f.state, f.err = futNew, nil
	return async.Await(t, f)
}

// IntoBlocking unbinds the interrupt and returns the Blocking driver; a is consumed. It
// panics if an async transfer is in progress (cancel it first).
func (a *Async) IntoBlocking() *Blocking {
	c := a.engine()
	if c.busy.Load() != callNone {
		panic("i2c: IntoBlocking while an async transfer is in progress; Cancel it first")
	}
	a.c, a.gone = nil, goneBlocking
	c.unbindInterrupt()
	return &Blocking{c: c}
}

// Close unbinds the interrupt, stops the controller and releases everything (see
// Blocking.Close).
func (a *Async) Close() {
	c := a.engine()
	a.c, a.gone = nil, goneClosed
	c.unbindInterrupt()
	c.close()
}

func hex(v uint32) string {
	const digits = "0123456789ABCDEF"
	var buf [10]byte
	i := len(buf)
	for {
		i--
		buf[i] = digits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	i -= 2
	buf[i], buf[i+1] = '0', 'x'
	return string(buf[i:])
}

func utoa(v uint32) string { return itoa.Utoa(uint64(v)) }
