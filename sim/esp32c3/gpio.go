package esp32c3

import (
	"fmt"
	"time"

	"github.com/gohal/gohal/rt/mmio"
)

// GPIO models the GPIO block (base 0x60004000) and, with iomux.go, the IO_MUX pads of the
// ESP32-C3 (facts sheet section 5): the output latch and output enable with their W1TS/W1TC
// aliases, pad levels read through IN, the GPIO matrix output selection, pulls, open drain,
// and edge and level interrupts latched in STATUS and cleared through STATUS_W1TC. The
// pads' outside world is driven and watched through Drive, Release, Level and Watch.
//
// Peripheral signals routed to a pad (a UART's TXD, SPI's CS0) are not simulated bit by bit:
// such a pad shows the idle level of its signal, so a routed UART TX pin reads high and a
// chip-select pin reads inactive. The RMT's output signals are the exception: its model
// drives them pulse by pulse (setSignal), so a pad they are routed to carries the waveform.
type GPIO struct {
	c    *Chip
	blk  *block
	mux  *block // IO_MUX, see iomux.go
	line irq    // source 16: STATUS gated by each pin's CPU interrupt enable
	nmi  irq    // source 17: the NMI enable

	out, enable, status uint32
	pin                 [gpioRegs]uint32 // PINn: interrupt type and enables, open drain
	cpuEna, nmiEna      uint32           // pins whose PINn.INT_ENA has the CPU / NMI bit
	outSel              [gpioRegs]uint32 // FUNCn_OUT_SEL_CFG
	ioMux               [gpioPads]uint32 // IO_MUX_GPIOn

	ext     [gpioPads]extDrive
	level   uint32 // pad levels
	input   uint32 // pad levels as the input buffer passes them (0 where FUN_IE = 0)
	watches [gpioPads][]*PinWatch
	onEdge  []func(Edge)

	outWrites int // direct writes to OUT (not its W1TS/W1TC aliases), see OUTWrites

	// sigOut are the levels of the output signals a model drives bit by bit (the RMT's,
	// rmt.go): 0 for a signal no model drives, else 1 + its level. See setSignal.
	sigOut [256]int8
}

// The GPIO register fields are 26 bits wide but the ESP32-C3 has 22 pads (GPIO0..21).
const (
	gpioRegs = 26
	gpioPads = 22
	gpioMask = 1<<gpioPads - 1
)

type extDrive struct {
	driven, level bool
}

// Edge is one change of a pad's level, at a virtual time.
type Edge struct {
	Pin   int
	Level bool
	At    time.Duration
}

// PinWatch records the edges of one pad from the moment Watch was called.
type PinWatch struct {
	g     *GPIO
	pin   int
	edges []Edge
}

const (
	gpioBase = 0x6000_4000

	gpioOUT         = 0x04
	gpioOUTW1TS     = 0x08
	gpioOUTW1TC     = 0x0C
	gpioENABLE      = 0x20
	gpioENABLEW1TS  = 0x24
	gpioENABLEW1TC  = 0x28
	gpioIN          = 0x3C
	gpioSTATUS      = 0x44
	gpioSTATUSW1TS  = 0x48
	gpioSTATUSW1TC  = 0x4C
	gpioPCPUINT     = 0x5C
	gpioPCPUNMIINT  = 0x60
	gpioPIN0        = 0x74
	gpioFUNCIN0     = 0x154
	gpioFUNCOUT0    = 0x554
	gpioSTATUSNEXT  = 0x14C
	gpioCLOCKGATE   = 0x62C
	gpioREGDATE     = 0x6FC
	gpioOutSelGPIO  = 128 // OUT_SEL value that selects the OUT register bit
	gpioPinIntCPU   = 1 << 13
	gpioPinIntNMI   = 1 << 14
	gpioPinOpenDrn  = 1 << 2
	gpioOutSelInv   = 1 << 8
	gpioOutSelOEN   = 1 << 9
	gpioOutSelOEInv = 1 << 10
)

// INT_TYPE values of the PINn registers.
const (
	gpioIntOff     = 0
	gpioIntRising  = 1
	gpioIntFalling = 2
	gpioIntAnyEdge = 3
	gpioIntLow     = 4
	gpioIntHigh    = 5
)

func init() {
	registerModel("gpio", func(c *Chip) {
		g := &GPIO{c: c, line: irq{c: c, src: SourceGPIO}, nmi: irq{c: c, src: SourceGPIO + 1}}
		for i := 0; i < gpioRegs; i++ {
			g.outSel[i] = gpioOutSelGPIO // FUNCn_OUT_SEL_CFG resets to 0x80
		}
		g.blk = newBlock(c, "GPIO", gpioBase, gpioModelled)
		g.mux = newIOMux(c, g)
		periphOf(c).gpio = g
		g.recompute()
		c.Hook(gpioBase, blockSize, wordDevice{g})
		c.Hook(iomuxBase, blockSize, wordDevice{ioMuxDevice{g}})
	})
}

// GPIO returns the chip's GPIO and IO_MUX model, for driving and watching pads.
func (c *Chip) GPIO() *GPIO { return periphOf(c).gpio }

func (g *GPIO) lock()              { g.c.Lock() }
func (g *GPIO) unlock()            { g.c.Unlock() }
func (g *GPIO) regBlock() *block   { return g.blk }
func (g *GPIO) pcpuInt() uint32    { return g.status & g.cpuEna }
func (g *GPIO) pcpuNMIInt() uint32 { return g.status & g.nmiEna }

// gpioModelled reports whether the model gives the register at off behaviour. Input
// routing (FUNCn_IN_SEL_CFG) is stored but not simulated: peripherals take their inputs
// from the test hooks (UART Feed, I2C devices), not from pads.
func gpioModelled(off uintptr) bool {
	switch {
	case off >= gpioPIN0 && off < gpioPIN0+4*gpioRegs,
		off >= gpioFUNCOUT0 && off < gpioFUNCOUT0+4*gpioRegs:
		return true
	}
	switch off {
	case gpioOUT, gpioOUTW1TS, gpioOUTW1TC, gpioENABLE, gpioENABLEW1TS, gpioENABLEW1TC,
		gpioIN, gpioSTATUS, gpioSTATUSW1TS, gpioSTATUSW1TC, gpioPCPUINT, gpioPCPUNMIINT:
		return true
	}
	return false
}

func (g *GPIO) readReg(off uintptr) uint32 {
	switch {
	case off >= gpioPIN0 && off < gpioPIN0+4*gpioRegs:
		return g.pin[(off-gpioPIN0)/4]
	case off >= gpioFUNCOUT0 && off < gpioFUNCOUT0+4*gpioRegs:
		return g.outSel[(off-gpioFUNCOUT0)/4]
	}
	switch off {
	case gpioOUT:
		return g.out
	case gpioENABLE:
		return g.enable
	case gpioIN:
		return g.input
	case gpioSTATUS:
		return g.status
	case gpioPCPUINT:
		return g.pcpuInt()
	case gpioPCPUNMIINT:
		return g.pcpuNMIInt()
	case gpioOUTW1TS, gpioOUTW1TC, gpioENABLEW1TS, gpioENABLEW1TC, gpioSTATUSW1TS, gpioSTATUSW1TC:
		return 0 // write-only aliases
	}
	g.blk.touch(off, false)
	return g.blk.load(off)
}

func (g *GPIO) writeReg(off uintptr, v uint32) {
	const regMask = 1<<gpioRegs - 1
	v26 := v & regMask
	switch {
	case off >= gpioPIN0 && off < gpioPIN0+4*gpioRegs:
		n := (off - gpioPIN0) / 4
		g.pin[n] = v & 0x3_E7FF // fields [17:13], [12:11], [10:7], [4:0]
		g.cpuEna &^= 1 << n
		g.nmiEna &^= 1 << n
		if v&gpioPinIntCPU != 0 {
			g.cpuEna |= 1 << n
		}
		if v&gpioPinIntNMI != 0 {
			g.nmiEna |= 1 << n
		}
		g.recompute()
		return
	case off >= gpioFUNCOUT0 && off < gpioFUNCOUT0+4*gpioRegs:
		g.outSel[(off-gpioFUNCOUT0)/4] = v & 0x7FF
		g.recompute()
		return
	}
	switch off {
	case gpioOUT:
		g.out = v26
		g.outWrites++
	case gpioOUTW1TS:
		g.out |= v26
	case gpioOUTW1TC:
		g.out &^= v26
	case gpioENABLE:
		g.enable = v26
	case gpioENABLEW1TS:
		g.enable |= v26
	case gpioENABLEW1TC:
		g.enable &^= v26
	case gpioSTATUS:
		g.status = v26
	case gpioSTATUSW1TS:
		g.status |= v26
	case gpioSTATUSW1TC:
		g.status &^= v26
	case gpioIN, gpioPCPUINT, gpioPCPUNMIINT:
		return // read-only
	default:
		g.blk.touch(off, true)
		g.blk.store(off, v)
		return
	}
	g.recompute()
}

// gpioIdleLevel is the level a pad shows when the GPIO matrix routes a peripheral output
// signal to it (-1: a signal the simulator does not drive); the signal numbers are those of
// the facts sheet's signal table.
var gpioIdleLevel = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	for _, s := range []int{6, 7, 9, 10} { // U0TXD, U0RTS, U1TXD, U1RTS: idle high
		t[s] = 1
	}
	t[53], t[54] = 1, 1 // I2CEXT0_SCL/SDA: released (open drain)
	t[63], t[65] = 0, 0 // FSPICLK (mode 0 idle), FSPID
	t[66], t[67] = 1, 1 // FSPIHD, FSPIWP: inactive high
	for s := 68; s <= 73; s++ {
		t[s] = 1 // FSPICS0..5: inactive
	}
	return t
}()

// drive reports whether the chip drives pad n, and with which level.
func (g *GPIO) drive(n int) (enabled, level bool) {
	mux := g.ioMux[n]
	fn := field(mux, 14, 12)
	if !ioMuxIsGPIO(n, fn) {
		sig, ok := ioMuxDirectOutput(n, fn)
		if !ok {
			return false, false
		}
		return true, gpioIdleLevel[sig] == 1
	}
	sel := g.outSel[n]
	sig := sel & 0xFF
	var oe bool
	if sig == gpioOutSelGPIO {
		level = g.out>>n&1 != 0
		oe = g.enable>>n&1 != 0
	} else {
		idle, known := gpioIdleLevel[sig] == 1, gpioIdleLevel[sig] >= 0
		if d := g.sigOut[sig]; d != 0 {
			idle, known = d == 2, true
		}
		if !known {
			g.blk.once(fmt.Sprintf("sig%d", sig), "GPIO%d routed to output signal %d, which the simulator does not drive", n, sig)
		}
		level = idle
		if sel&gpioOutSelOEN != 0 {
			oe = g.enable>>n&1 != 0
		} else {
			oe = known // the peripheral drives its own output enable
		}
	}
	if sel&gpioOutSelInv != 0 {
		level = !level
	}
	if sel&gpioOutSelOEInv != 0 {
		oe = !oe
	}
	if oe && level && g.pin[n]&gpioPinOpenDrn != 0 {
		return false, false // open drain releases the line for a 1
	}
	return oe, level
}

// recompute derives every pad level from the chip's drivers, the outside world and the
// pulls, then latches interrupt status and updates the interrupt lines. Each state change
// calls it; with 22 pads a full pass is cheaper than tracking what a write could affect.
func (g *GPIO) recompute() {
	now := g.c.Now()
	oldInput := g.input
	var level, input uint32
	for n := 0; n < gpioPads; n++ {
		mux := g.ioMux[n]
		en, lv := g.drive(n)
		var high bool
		switch {
		case en:
			high = lv
			if e := g.ext[n]; e.driven && e.level != lv {
				g.blk.once(fmt.Sprintf("contention%d", n), "GPIO%d: the chip drives %v while the outside world drives %v; the chip wins", n, lv, e.level)
			}
		case g.ext[n].driven:
			high = g.ext[n].level
		case mux&ioMuxFunWPU != 0:
			high = true
		case mux&ioMuxFunWPD != 0:
			high = false
		default:
			high = g.level>>n&1 != 0 // a floating pad keeps its last level
		}
		if high {
			level |= 1 << n
			// With the input buffer off (FUN_IE = 0) IN reads 0 whatever the pad does:
			// ESP-IDF's gpio_ll_get_level warns that a pad not configured for input
			// always reads 0 (an UNCONFIRMED point in the facts sheet, settled this way).
			if mux&ioMuxFunIE != 0 {
				input |= 1 << n
			}
		}
	}
	changed := g.level ^ level
	g.level = level
	g.input = input
	for n := 0; changed != 0; n++ {
		if changed&(1<<n) == 0 {
			continue
		}
		changed &^= 1 << n
		e := Edge{Pin: n, Level: level>>n&1 != 0, At: now}
		for _, w := range g.watches[n] {
			w.edges = append(w.edges, e)
		}
		for _, f := range g.onEdge {
			f(e)
		}
	}
	// Interrupt detection works on the input signal, as the pad's interrupt logic sits
	// behind the input buffer.
	rose, fell := input&^oldInput, oldInput&^input
	for n := 0; n < gpioPads; n++ {
		bit := uint32(1) << n
		switch field(g.pin[n], 9, 7) {
		case gpioIntRising:
			g.status |= rose & bit
		case gpioIntFalling:
			g.status |= fell & bit
		case gpioIntAnyEdge:
			g.status |= (rose | fell) & bit
		case gpioIntLow:
			// Level types keep STATUS set while the level holds, so clearing it in the
			// handler without removing the cause interrupts again, as a level-sensitive
			// source does (an UNCONFIRMED point in the facts sheet, settled this way;
			// esp-hal's ISR unlistens a pin before clearing its STATUS bit, which works
			// under either reading).
			g.status |= ^input & bit
		case gpioIntHigh:
			g.status |= input & bit
		}
	}
	g.line.set(g.pcpuInt() != 0)
	g.nmi.set(g.pcpuNMIInt() != 0)
}

// setSignal sets the level of output signal sig, which a model drives bit by bit, and
// updates the pads the GPIO matrix routes it to. Call it with the chip lock held.
func (g *GPIO) setSignal(sig int, level bool) {
	d := int8(1)
	if level {
		d = 2
	}
	if g.sigOut[sig] == d {
		return
	}
	g.sigOut[sig] = d
	g.recompute()
}

func checkPad(pin int) {
	if pin < 0 || pin >= gpioPads {
		panic(fmt.Sprintf("esp32c3: GPIO%d does not exist (the ESP32-C3 has GPIO0..GPIO%d)", pin, gpioPads-1))
	}
}

// Drive makes the outside world drive pad pin to level, as a push button or another chip
// would. The chip's own output driver, when enabled, wins over it.
func (g *GPIO) Drive(pin int, level bool) {
	checkPad(pin)
	g.c.Lock()
	defer g.c.Unlock()
	g.ext[pin] = extDrive{driven: true, level: level}
	g.recompute()
}

// DriveAt makes the outside world drive pad pin to level at virtual time at. Unlike Drive
// it may be called while firmware runs: the change happens at a defined virtual time, and
// the pending event keeps a waiting core from being declared idle.
func (g *GPIO) DriveAt(at time.Duration, pin int, level bool) {
	checkPad(pin)
	g.c.Schedule(at, func() {
		g.ext[pin] = extDrive{driven: true, level: level}
		g.recompute()
	})
}

// Release stops the outside world driving pad pin; the pad then follows the chip's driver,
// its pull resistor, or keeps its last level.
func (g *GPIO) Release(pin int) {
	checkPad(pin)
	g.c.Lock()
	defer g.c.Unlock()
	g.ext[pin] = extDrive{}
	g.recompute()
}

// ReleaseAt stops the outside world driving pad pin at virtual time at, as a push button
// released to its pull resistor. Like DriveAt it may be called while firmware runs.
func (g *GPIO) ReleaseAt(at time.Duration, pin int) {
	checkPad(pin)
	g.c.Schedule(at, func() {
		g.ext[pin] = extDrive{}
		g.recompute()
	})
}

// OUTWrites returns how many times firmware wrote the OUT register itself rather than its
// OUT_W1TS/OUT_W1TC aliases. A write to OUT rewrites every pin's output bit, so a driver
// that sets one pin that way races with the owners of the others; tests of GPIO drivers
// check that this stays 0.
func (g *GPIO) OUTWrites() int {
	g.c.Lock()
	defer g.c.Unlock()
	return g.outWrites
}

// Level returns the level of pad pin as the outside world sees it.
func (g *GPIO) Level(pin int) bool {
	checkPad(pin)
	g.c.Lock()
	defer g.c.Unlock()
	return g.level>>pin&1 != 0
}

// Watch starts recording the edges of pad pin.
func (g *GPIO) Watch(pin int) *PinWatch {
	checkPad(pin)
	g.c.Lock()
	defer g.c.Unlock()
	w := &PinWatch{g: g, pin: pin}
	g.watches[pin] = append(g.watches[pin], w)
	return w
}

// OnEdge registers f to be called on every pad edge. It runs with the chip lock held, on
// whichever goroutine changed the pad, and must not call back into the chip.
func (g *GPIO) OnEdge(f func(Edge)) {
	g.c.Lock()
	defer g.c.Unlock()
	g.onEdge = append(g.onEdge, f)
}

// Edges returns the edges recorded so far.
func (w *PinWatch) Edges() []Edge {
	w.g.c.Lock()
	defer w.g.c.Unlock()
	return append([]Edge(nil), w.edges...)
}

var _ mmio.Device = wordDevice{}
