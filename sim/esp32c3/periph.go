package esp32c3

import (
	"math/bits"
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// This file holds the plumbing the peripheral models (GPIO, UART, I2C, SPI, TIMG) share:
// the register file of a block, sub-word access, first-touch logging of registers a model
// keeps as plain memory, and the arithmetic that turns clock cycles into virtual time.

// Clock rates the peripheral models derive their timing from besides the core's XTALHz and
// APBHz (facts sheet, section 9).
const (
	periphPLL80Hz  = 80_000_000 // SPI's PLL_F80M source
	periphRCFastHz = 17_500_000 // RC_FAST, nominal
)

// blockSize is the span every peripheral model hooks: each ESP32-C3 peripheral owns a
// 4 KiB-aligned window, and the SVD's addressBlock sizes are too small for several of them
// (GPIO's registers reach 0x6FC while its addressBlock says 0x31C).
const blockSize = 0x1000

// block is the register file of one peripheral instance. Registers whose value the model
// does not compute live in the bus's backing memory (mmio.Peek/Poke), which starts at (and
// on a peripheral reset returns to) the SVD reset values that pac/esp32c3, linked by the
// simulator, records with the bus. A model says which registers it gives meaning to; the first touch of
// any other register in the block goes to the chip's unmodelled-register log.
type block struct {
	c        *Chip
	name     string
	base     uintptr
	modelled func(off uintptr) bool
	seen     map[string]bool
	// sysBit is the block's bit in SYSTEM.PERIP_CLK_EN0 and PERIP_RST_EN0, or -1.
	sysBit int
}

func newBlock(c *Chip, name string, base uintptr, modelled func(off uintptr) bool) *block {
	b := &block{c: c, name: name, base: base, modelled: modelled, seen: make(map[string]bool), sysBit: -1}
	b.reset()
	return b
}

// checkGate warns, once, about a write to the block while SYSTEM gates its clock off or
// holds it in reset: on the chip such a write is lost, a classic bring-up bug (I2C0's clock
// is off at reset). The model still performs the write, so firmware that gets this wrong
// runs on but is told.
func (b *block) checkGate() {
	if b.sysBit < 0 {
		return
	}
	switch {
	case !b.c.PeripheralClockEnabled(0, b.sysBit):
		b.once("clockoff", "written while its clock is off (SYSTEM.PERIP_CLK_EN0 bit %d): on the chip the write is lost", b.sysBit)
	case mmio.Peek(0x600C_0018, 4)&(1<<b.sysBit) != 0:
		b.once("inreset", "written while held in reset (SYSTEM.PERIP_RST_EN0 bit %d): on the chip the write is lost", b.sysBit)
	}
}

// reset returns the block's backing memory to the SVD reset state: the reset values the
// generated PAC recorded with the bus, zero elsewhere.
func (b *block) reset() { mmio.ResetRange(b.base, b.base+blockSize) }

func (b *block) load(off uintptr) uint32 { return uint32(mmio.Peek(b.base+off, 4)) }

func (b *block) store(off uintptr, v uint32) { mmio.Poke(b.base+off, 4, uint64(v)) }

// touch reports an access to a register the model keeps as plain memory; the chip logs the
// first access to each one.
func (b *block) touch(off uintptr, write bool) {
	if !b.modelled(off) {
		b.c.Unmodelled(b.base+off, write)
	}
}

// once logs a message the first time key is seen for this block.
func (b *block) once(key, format string, args ...any) {
	if b.seen[key] {
		return
	}
	b.seen[key] = true
	b.c.Logf(b.name+": "+format, args...)
}

// regDevice is what a model implements on 32-bit register words; wordDevice adapts it to
// mmio.Device, so every model handles 8-, 16- and 64-bit accesses the same way: a narrow
// read extracts from the word, a narrow write merges into the word's backing-memory value
// (never into a computed read, which for a FIFO would pop a byte).
type regDevice interface {
	lock()
	unlock()
	readReg(off uintptr) uint32
	writeReg(off uintptr, v uint32)
	regBlock() *block
}

type wordDevice struct{ m regDevice }

// Read implements mmio.Device.
func (d wordDevice) Read(addr uintptr, size int) uint64 {
	d.m.lock()
	defer d.m.unlock()
	b := d.m.regBlock()
	off := addr - b.base
	if size == 8 {
		return uint64(d.m.readReg(off)) | uint64(d.m.readReg(off+4))<<32
	}
	word := off &^ 3
	v := d.m.readReg(word)
	if size == 4 {
		return uint64(v)
	}
	shift := (off & 3) * 8
	return uint64(v>>shift) & (1<<(uint(size)*8) - 1)
}

// Write implements mmio.Device.
func (d wordDevice) Write(addr uintptr, size int, value uint64) {
	d.m.lock()
	defer d.m.unlock()
	b := d.m.regBlock()
	b.checkGate()
	off := addr - b.base
	switch size {
	case 8:
		d.m.writeReg(off, uint32(value))
		d.m.writeReg(off+4, uint32(value>>32))
	case 4:
		d.m.writeReg(off, uint32(value))
	default:
		word := off &^ 3
		shift := (off & 3) * 8
		mask := uint32(1)<<(uint(size)*8) - 1
		d.m.writeReg(word, b.load(word)&^(mask<<shift)|(uint32(value)&mask)<<shift)
	}
}

// ticksToDuration returns the virtual time n cycles of a clock of hz take, multiplied by
// mul, rounded up to the next nanosecond so that an event scheduled at that time never
// sees the cycle count short of n.
func ticksToDuration(n, mul, hz uint64) time.Duration {
	const forever = time.Duration(1<<63 - 1)
	hi, cycles := bits.Mul64(n, mul)
	if hi != 0 {
		return forever
	}
	hi, lo := bits.Mul64(cycles, uint64(time.Second))
	if hi >= hz {
		return forever
	}
	q, r := bits.Div64(hi, lo, hz)
	if r != 0 {
		q++
	}
	if q > 1<<63-1 {
		return forever
	}
	return time.Duration(q)
}

// durationToTicks returns how many whole cycles of a clock of hz, divided by div, fit in d.
func durationToTicks(d time.Duration, hz, div uint64) uint64 {
	if d <= 0 {
		return 0
	}
	hi, lo := bits.Mul64(uint64(d), hz)
	den := div * uint64(time.Second)
	if hi >= den {
		return 1<<64 - 1
	}
	q, _ := bits.Div64(hi, lo, den)
	return q
}

// peripherals holds the models of one chip, for the test-hook accessors (c.UART(0), …).
type peripherals struct {
	gpio *GPIO
	uart [2]*UART
	i2c0 *I2C
	spi2 *SPI
	gdma *GDMA // gdma.go
	timg [2]*TIMG
	rmt  *RMT
	// usbserial.go
	usb  *USBSerial
	ledc *LEDC // ledc.go
	adc  *ADC  // adc.go
	twai *TWAI // twai.go
}

// periphOf returns the chip's peripheral models. They live in the Chip itself, so they stay
// reachable after Run closes the chip (tests read what happened) and go with it.
func periphOf(c *Chip) *peripherals { return &c.periph }

// irq is one level interrupt line from a model into the interrupt matrix. It calls the core
// only when the level changes.
type irq struct {
	c     *Chip
	src   Source
	level bool
}

func (l *irq) set(level bool) {
	if level != l.level {
		l.level = level
		l.c.SetSourceLevel(l.src, level)
	}
}

// fifo is a byte ring buffer with hardware-style read and write pointers.
type fifo struct {
	buf    []byte
	rd, wr int // positions mod len(buf); FIFO_ST style pointers
	n      int
}

func newFIFO(size int) fifo { return fifo{buf: make([]byte, size)} }

func (f *fifo) push(b byte) bool {
	if f.n == len(f.buf) {
		return false
	}
	f.buf[f.wr] = b
	f.wr = (f.wr + 1) % len(f.buf)
	f.n++
	return true
}

func (f *fifo) pop() (byte, bool) {
	if f.n == 0 {
		return 0, false
	}
	b := f.buf[f.rd]
	f.rd = (f.rd + 1) % len(f.buf)
	f.n--
	return b, true
}

func (f *fifo) reset() { f.rd, f.wr, f.n = 0, 0, 0 }

// field extracts bits [hi:lo] of v.
func field(v uint32, hi, lo uint) uint32 { return v >> lo & (1<<(hi-lo+1) - 1) }
