// Package usbserial drives the serial port of the ESP32-C3's USB-Serial-JTAG controller
// (USB_DEVICE), the console of boards whose USB connector goes straight to the chip, as
// esp-hal's usb_serial_jtag does: a Blocking driver from New, and an interrupt-driven Async
// driver from IntoAsync that keeps every blocking method and adds futures.
//
//	p, _ := hal.Init(hal.Config{})
//	u, err := usbserial.New(p.USBSerialJTAG, usbserial.Config{})
//	u.Write([]byte("hello\r\n")) // io.Writer: one USB packet, sent at the host's next poll
//	ua := u.IntoAsync()          // u is consumed from here on
//	n, err := ua.AwaitRead(t, buf)
//
// # The endpoint FIFOs
//
// The controller is a CDC-ACM device with one 64-byte FIFO each way. Bytes written to EP1
// go into the IN FIFO (device → host); writing EP1_CONF.WR_DONE hands what it holds to the
// host as a packet, and a FIFO that reaches 64 bytes is handed over by itself. From then
// until the host has read the packet (at one of its polls, at most a few per 1 ms USB
// frame) SERIAL_IN_EP_DATA_FREE is 0 and nothing more can be written. Write fills the FIFO
// a packet at a time, waiting for DATA_FREE between packets, and ends with WR_DONE, so what
// it wrote is on its way when it returns; Flush also waits until the host has read it.
// Bytes the host sends arrive a packet (up to 64 bytes) at a time in the OUT FIFO: Read
// drains it while SERIAL_OUT_EP_DATA_AVAIL is set.
//
// # No host
//
// With no host attached, or a host that is not reading (no terminal has the port open),
// packets are never read and DATA_FREE stays 0. Writes must not hang then, so every wait
// for DATA_FREE gives up Config.WriteTimeout (50 ms by default, ESP-IDF's console figure)
// after the FIFO last accepted a byte: Write returns how many bytes it got into the FIFO
// and ErrWriteTimeout, the rest of the buffer is dropped, and Dropped counts the bytes
// dropped so far. As with ESP-IDF's console, the time is measured from the FIFO's last
// progress, not from the start of each call: once the host has stopped reading for the
// timeout, later writes drop their bytes at once instead of waiting 50 ms each, until the
// host reads again. Reads wait as long as Config.ReadTimeout says (by default until data
// comes, since it comes from outside).
//
// # Async
//
// IntoAsync binds the USB_DEVICE interrupt (source 26) at Config.InterruptPriority. A read
// that finds the OUT FIFO empty enables SERIAL_OUT_RECV_PKT; a write or flush that finds no
// room enables SERIAL_IN_EMPTY (raised when the host has read the packet); the handler
// disables what fired and wakes the task (hal/internal/irqevent, the shape every async
// driver shares). A waiting write or flush also arms an async timer for its WriteTimeout,
// so it ends with ErrWriteTimeout like a blocking one; this needs the async time driver,
// which hal.Init starts in every program that has an executor. The typed awaits AwaitRead,
// AwaitWrite and AwaitFlush keep their future in the driver and allocate nothing. One read,
// and one write or flush, may be pending at a time; polling a second one panics, naming
// both.
//
// New does not reset the controller (as esp-hal does not: that would drop the USB
// connection and a debugger attached over JTAG) and does not touch the USB pads
// (GPIO18/GPIO19). Using a driver value after IntoAsync, IntoBlocking or Close consumed it
// panics with a message saying so.
package usbserial

import (
	"errors"
	"time"
	"unsafe"

	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/usb_device"
	"github.com/gohal/gohal/rt"
)

// PacketSize is the size of each endpoint FIFO and the largest USB packet.
const PacketSize = 64

// Defaults of Config fields left zero.
const (
	DefaultWriteTimeout      = 50 * time.Millisecond // ESP-IDF's console
	DefaultInterruptPriority = rt.Priority(1)
)

// Config configures the driver. The zero value is the default.
type Config struct {
	// WriteTimeout bounds every wait for the host to read a packet, in Write, Flush and
	// their futures, measured from the FIFO's last progress (0: DefaultWriteTimeout, 50 ms).
	// What could not be written by then is dropped and reported (ErrWriteTimeout, Dropped).
	WriteTimeout time.Duration
	// ReadTimeout bounds the blocking Read (0: wait as long as it takes). A read that
	// times out returns ErrReadTimeout and no data.
	ReadTimeout time.Duration
	// InterruptPriority is the priority IntoAsync binds the USB_DEVICE interrupt at
	// (default 1).
	InterruptPriority rt.Priority
}

// Errors.
var (
	// ErrConfig is what configuration errors wrap.
	ErrConfig = errors.New("usbserial: invalid configuration")
	// ErrTimeout is what ErrReadTimeout and ErrWriteTimeout wrap.
	ErrTimeout = errors.New("usbserial: timed out")
	// ErrWriteTimeout: the host read nothing for Config.WriteTimeout (no host attached, or
	// no terminal reading); the bytes not yet in the FIFO were dropped.
	ErrWriteTimeout error = &timeoutError{"usbserial: the USB host read nothing within Config.WriteTimeout (not attached, or no terminal open): bytes dropped"}
	// ErrReadTimeout: no data came within Config.ReadTimeout.
	ErrReadTimeout error = &timeoutError{"usbserial: read timed out (Config.ReadTimeout) with no data"}
)

type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }
func (e *configError) Unwrap() error { return ErrConfig }

type timeoutError struct{ msg string }

func (e *timeoutError) Error() string { return e.msg }
func (e *timeoutError) Unwrap() error { return ErrTimeout }

// Register bits (SVD).
const (
	intOutRecvPkt = 1 << 2 // SERIAL_OUT_RECV_PKT
	intInEmpty    = 1 << 3 // SERIAL_IN_EMPTY
	intSerial     = intOutRecvPkt | intInEmpty

	confWrDone    = 1 << 0
	confDataFree  = 1 << 1
	confDataAvail = 1 << 2
)

// port is the state of the configured controller, shared by whichever driver value owns
// it. There is one controller, so it is a static variable: New allocates only the driver
// value.
type port struct {
	r   *usb_device.USB_DEVICE
	cfg Config

	timeoutTicks uint64 // WriteTimeout in SYSTIMER ticks
	pending      int    // bytes in the IN FIFO not yet handed to the host
	lastProgress uint64 // SYSTIMER ticks when the IN FIFO last accepted a byte
	dropped      int

	async   bool
	rxOwner *ReadFuture
	txWrite *WriteFuture
	txFlush *FlushFuture

	awaitRd ReadFuture
	awaitWr WriteFuture
	awaitFl FlushFuture
}

var thePort port

// portRef is a *port held as an unsafe.Pointer, as in hal/uart: TinyGo then emits no type
// information for everything reachable from a typed pointer in interface-held values.
type portRef struct{ p unsafe.Pointer }

func refOf(c *port) portRef { return portRef{unsafe.Pointer(c)} }

func (r portRef) get() *port { return (*port)(r.p) }

// drv holds the port and carries the blocking methods Blocking and Async share.
type drv struct {
	c          portRef
	consumedBy string
	mode       string // "Blocking" or "Async"
}

// Blocking is the USB-Serial-JTAG driver in blocking mode. Get one with New.
type Blocking struct{ drv }

func (d *drv) get() *port {
	if d.c.p == nil {
		if d.consumedBy == "" {
			panic("usbserial: use of a " + d.mode + " driver that New did not return")
		}
		panic("usbserial: " + d.mode + " driver used after " + d.consumedBy + " consumed it")
	}
	return d.c.get()
}

func (d *drv) take(op string) *port {
	c := d.get()
	d.c = portRef{}
	d.consumedBy = op
	return c
}

// New claims the USB-Serial-JTAG controller and returns its serial port in blocking mode.
// It validates cfg (an error names the field) and fails, naming the owner, if the
// controller is already in use.
func New(u periph.USBSerialJTAG, cfg Config) (*Blocking, error) {
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	if cfg.WriteTimeout < 0 || cfg.ReadTimeout < 0 {
		return nil, &configError{"usbserial: Config.WriteTimeout and ReadTimeout must not be negative"}
	}
	if cfg.InterruptPriority == 0 {
		cfg.InterruptPriority = DefaultInterruptPriority
	}
	if cfg.InterruptPriority > rt.MaxPriority {
		return nil, &configError{"usbserial: Config.InterruptPriority is out of range: 1..15"}
	}
	if err := periph.Claim(periph.KindUSBSerialJTAG, 0, "usbserial.New"); err != nil {
		return nil, err
	}
	c := &thePort
	*c = port{r: esp32c3.USB_DEVICE, cfg: cfg,
		timeoutTicks: uint64(cfg.WriteTimeout.Nanoseconds()) * systimer.TicksPerMicrosecond / 1000}
	// esp_hal::init keeps the controller clocked; make sure of it, without a reset.
	if v := esp32c3.SYSTEM.PERIP_CLK_EN0.Read(); !v.USB_DEVICE_CLK_EN() {
		esp32c3.SYSTEM.PERIP_CLK_EN0.Write(v.WithUSB_DEVICE_CLK_EN(true))
	}
	// As esp-hal: the serial interrupts off and cleared.
	c.r.INT_ENA.Write(c.r.INT_ENA.Read() &^ intSerial)
	c.r.INT_CLR.Write(intSerial)
	c.lastProgress = systimer.Ticks()
	return &Blocking{drv{c: refOf(c), mode: "Blocking"}}, nil
}

// Config returns the configuration in effect, with defaults filled in.
func (d *drv) Config() Config { return d.get().cfg }

// Dropped returns how many bytes writes have dropped because the host was not reading.
func (d *drv) Dropped() int { return d.get().dropped }

// Close disables the driver's interrupts (and the interrupt, if async) and releases the
// controller. Bytes in the IN FIFO stay there for the host. The driver value is consumed.
func (d *drv) Close() error {
	c := d.take("Close")
	if c.async {
		c.unbind()
	}
	c.r.INT_ENA.Write(c.r.INT_ENA.Read() &^ intSerial)
	c.r.INT_CLR.Write(intSerial)
	periph.Release(periph.KindUSBSerialJTAG, 0)
	return nil
}

func (c *port) conf() uint32 { return uint32(c.r.EP1_CONF.Read()) }

// free is SERIAL_IN_EP_DATA_FREE: the IN FIFO has room and no packet waits for the host.
func (c *port) free() bool { return c.conf()&confDataFree != 0 }

// avail is SERIAL_OUT_EP_DATA_AVAIL.
func (c *port) avail() bool { return c.conf()&confDataAvail != 0 }

// push puts as much of p into the IN FIFO as the packet being filled has room for; call it
// when free reports true. A packet that reaches 64 bytes goes to the host by itself.
func (c *port) push(p []byte) int {
	n := PacketSize - c.pending
	if n > len(p) {
		n = len(p)
	}
	for i := 0; i < n; i++ {
		c.r.EP1.Write(usb_device.EP1Value(p[i]))
	}
	c.pending += n
	if c.pending == PacketSize {
		c.pending = 0
	}
	if n > 0 {
		c.lastProgress = systimer.Ticks()
	}
	return n
}

// commit hands a partly filled packet to the host (WR_DONE).
func (c *port) commit() {
	if c.pending > 0 {
		c.r.EP1_CONF.Write(confWrDone)
		c.pending = 0
	}
}

// drain moves what the OUT FIFO holds, up to len(p) bytes, into p.
func (c *port) drain(p []byte) int {
	n := 0
	for n < len(p) && c.avail() {
		p[n] = byte(c.r.EP1.Read().RDWR_BYTE())
		n++
	}
	return n
}

// deadline returns when a wait for DATA_FREE gives up, in SYSTIMER ticks.
func (c *port) deadline() uint64 { return c.lastProgress + c.timeoutTicks }

// timedOut reports whether the host has read nothing for WriteTimeout since the FIFO last
// accepted a byte.
func (c *port) timedOut() bool { return systimer.Ticks() >= c.deadline() }

// waitFree waits until DATA_FREE, or reports false at the write timeout.
func (c *port) waitFree() bool {
	for !c.free() {
		if c.timedOut() {
			return false
		}
	}
	return true
}

// Read reads what the OUT FIFO holds into p, waiting until the host has sent something
// or Config.ReadTimeout passes (ErrReadTimeout). It implements io.Reader.
func (d *drv) Read(p []byte) (int, error) {
	c := d.get()
	if len(p) == 0 {
		return 0, nil
	}
	var end uint64
	if c.cfg.ReadTimeout > 0 {
		end = systimer.Ticks() + uint64(c.cfg.ReadTimeout.Nanoseconds())*systimer.TicksPerMicrosecond/1000
	}
	for !c.avail() {
		if end != 0 && systimer.Ticks() >= end {
			return 0, ErrReadTimeout
		}
	}
	return c.drain(p), nil
}

// Write writes p to the host: it fills the IN FIFO a packet at a time, waiting for the host
// to read each full packet, and hands the last, partial one over with WR_DONE. If the host
// reads nothing for Config.WriteTimeout, it returns the bytes it got into the FIFO and
// ErrWriteTimeout; the rest are dropped (see Dropped). It implements io.Writer.
func (d *drv) Write(p []byte) (int, error) {
	c := d.get()
	n := 0
	for n < len(p) {
		if !c.waitFree() {
			c.dropped += len(p) - n
			return n, ErrWriteTimeout
		}
		n += c.push(p[n:])
	}
	c.commit()
	return n, nil
}

// WriteByte writes one byte as a packet of its own (io.ByteWriter).
func (d *drv) WriteByte(b byte) error {
	buf := [1]byte{b}
	_, err := d.Write(buf[:])
	return err
}

// Flush waits until the host has read everything written. ErrWriteTimeout if it reads
// nothing for Config.WriteTimeout (what is in the FIFO stays there).
func (d *drv) Flush() error {
	c := d.get()
	c.commit()
	if !c.waitFree() {
		return ErrWriteTimeout
	}
	return nil
}
