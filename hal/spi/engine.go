package spi

import (
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/hal/internal/pinroute"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/spi2"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/rt"
)

// Controller constants (esp32c3-facts.md §8).
const (
	sysBit     = 6       // SPI2 in SYSTEM.PERIP_CLK_EN0 / PERIP_RST_EN0
	cmdUpdate  = 1 << 23 // SPI_CMD.UPDATE: sync the configuration into the SPI clock domain
	cmdUSR     = 1 << 24 // SPI_CMD.USR: start; reads 1 until the transaction is done
	intDone    = 1 << 12 // DMA_INT_*.TRANS_DONE
	maxDivider = 16 * 64 // (PRE+1)·(N+1)
	tolerance  = 5       // percent a reachable frequency may be below the requested one
	ticksPerUs = systimer.TicksPerMicrosecond
)

// clocking is a validated Config.
type clocking struct {
	clock        uint32 // SPI_CLOCK
	freq         uint32
	mode         Mode
	lsb          bool
	pll          bool
	timeoutTicks uint64
	prio         rt.Priority
}

// engine is the driver state shared by the Blocking and Async values. It holds no pointer to
// the register block (SPI2, the C3's one general-purpose SPI controller, is used directly):
// engine is reachable from interfaces (a task holding an *Async or a Future), and TinyGo emits
// type information for every type reachable from those, which for a *spi2.SPI2 field would
// be the controller's 30 register types, about 2 KB of flash.
type engine struct {
	k    clocking
	freq uint32
	pins [4]int        // SCK, MOSI, MISO, CS pad numbers, -1 when absent
	busy atomic.Uint32 // the call whose transfer is in progress (callNone: none)
	one  [1]byte       // Transfer's buffer
	// await is the typed awaits' future (AwaitTransfer, ...): a local would escape.
	await Future
	dma   dmaState // EnableDMA's channel and descriptors (dma.go)
}

const (
	pinSCK = iota
	pinMOSI
	pinMISO
	pinCS
)

// divider finds the SPI_CLOCK value for f from src: the highest reachable frequency not
// above f, as src/d (in whole hertz, rounded down) with d = 1 (CLK_EQU_SYSCLK) or d = pre·n, pre 1..16, n 2..64; among
// equal divisors the largest n (the finest duty cycle), L = N and H = ⌊n/2⌋−1 as esp-hal
// sets them (esp32c3-facts.md §8: 1 MHz from 40 MHz is N = L = 39, H = 19).
func divider(src, f uint32) (reg, actual uint32, err error) {
	if f > src {
		return 0, 0, &FrequencyError{Requested: f, Source: src, Below: src}
	}
	if f < src/maxDivider {
		return 0, 0, &FrequencyError{Requested: f, Source: src, Above: src / maxDivider}
	}
	// Frequencies are whole hertz: src/d rounded down. want is the smallest divisor whose
	// frequency is not above f.
	want := src/(f+1) + 1
	d := want
	var pre, n uint32
	for ; d <= maxDivider; d++ {
		if pre, n = split(d); pre != 0 {
			break
		}
	}
	actual = src / d
	if uint64(actual)*100 < uint64(f)*(100-tolerance) {
		e := &FrequencyError{Requested: f, Source: src, Below: actual}
		for up := want - 1; up >= 1; up-- {
			if p, _ := split(up); p != 0 {
				e.Above = src / up
				break
			}
		}
		return 0, 0, e
	}
	if d == 1 {
		return 1 << 31, actual, nil
	}
	v := spi2.SPI_CLOCKValue(0).WithSPI_CLKCNT_N(n - 1).WithSPI_CLKCNT_L(n - 1).
		WithSPI_CLKCNT_H(n/2 - 1).WithSPI_CLKDIV_PRE(pre - 1)
	return uint32(v), actual, nil
}

// split returns pre and n with pre·n = d, n as large as possible, or pre = 0 if d cannot
// be made (d = 1 is the undivided clock: pre = n = 1).
func split(d uint32) (pre, n uint32) {
	if d == 1 {
		return 1, 1
	}
	for n = 64; n >= 2; n-- {
		if d%n == 0 && d/n <= 16 {
			return d / n, n
		}
	}
	return 0, 0
}

func validate(cfg Config) (clocking, error) {
	var k clocking
	if cfg.Mode > Mode3 {
		return k, &configError{"spi: Config.Mode = " + utoa(uint32(cfg.Mode)) + ": the modes are 0..3"}
	}
	if cfg.BitOrder > LSBFirst {
		return k, &configError{"spi: Config.BitOrder = " + utoa(uint32(cfg.BitOrder)) + ": MSBFirst or LSBFirst"}
	}
	if cfg.Clock > PLL80 {
		return k, &configError{"spi: Config.Clock = " + utoa(uint32(cfg.Clock)) + ": XTAL or PLL80"}
	}
	src := uint32(periph.XTALHz)
	if cfg.Clock == PLL80 {
		src, k.pll = 80_000_000, true
	}
	f := cfg.Frequency
	if f == 0 {
		f = DefaultFrequency
	}
	var err error
	if k.clock, k.freq, err = divider(src, f); err != nil {
		return k, err
	}
	k.mode, k.lsb = cfg.Mode, cfg.BitOrder == LSBFirst
	to := cfg.Timeout
	if to <= 0 {
		to = DefaultTimeout
	}
	k.timeoutTicks = uint64(to/time.Microsecond) * ticksPerUs
	k.prio = cfg.Priority
	if k.prio == 0 {
		k.prio = DefaultPriority
	}
	if k.prio > rt.MaxPriority {
		return k, &configError{"spi: Config.Priority = " + utoa(uint32(cfg.Priority)) + ": interrupt priorities are 1..15"}
	}
	return k, nil
}

func newEngine(p periph.SPI, cfg Config, pins Pins) (*engine, error) {
	if p.Number() != 2 {
		return nil, periph.ErrNoSuchResource
	}
	k, err := validate(cfg)
	if err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindSPI, 2, "an spi master driver"); err != nil {
		return nil, err
	}
	c := &engine{k: k, freq: k.freq, pins: [4]int{pins.SCK.Number(), -1, -1, -1}}
	claim := []periph.Pin{pins.SCK}
	roles := []string{"SPI2 SCK"}
	for i, pin := range [3]*periph.Pin{pins.MOSI, pins.MISO, pins.CS} {
		if pin != nil {
			c.pins[pinMOSI+i] = pin.Number()
			claim = append(claim, *pin)
			roles = append(roles, [3]string{"SPI2 MOSI", "SPI2 MISO", "SPI2 CS"}[i])
		}
	}
	if err := periph.ClaimPins(claim, roles); err != nil {
		periph.Release(periph.KindSPI, 2)
		return nil, err
	}
	clockOn()
	c.init()
	// The pins, as esp-hal's with_sck/with_mosi/with_miso/with_cs: outputs push-pull and
	// enabled, MISO an input; an input with no pad is tied low.
	if n := c.pins[pinSCK]; n >= 0 {
		pinroute.ConnectOutput(n, pinroute.FSPICLK, pinroute.Output{})
	}
	if n := c.pins[pinMOSI]; n >= 0 {
		pinroute.ConnectOutput(n, pinroute.FSPID, pinroute.Output{})
	}
	if n := c.pins[pinCS]; n >= 0 {
		pinroute.ConnectOutput(n, pinroute.FSPICS0, pinroute.Output{High: true})
	}
	if n := c.pins[pinMISO]; n >= 0 {
		pinroute.ConnectInput(n, pinroute.FSPIQ)
	} else {
		pinroute.TieInput(pinroute.FSPIQ, false)
	}
	return c, nil
}

// clockOn is the peripheral guard's first acquisition: clock on, reset pulsed.
func clockOn() {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithSPI2_CLK_EN(true) })
	pulseReset()
	cs.Exit()
}

func pulseReset() {
	s := esp32c3.SYSTEM
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithSPI2_RST(true) })
	s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithSPI2_RST(false) })
}

// init is esp-hal's Spi::new for the C3 (Driver::init, then apply_config).
func (c *engine) init() {
	r, k := esp32c3.SPI2, &c.k
	r.SPI_CLK_GATE.Write(spi2.SPI_CLK_GATEValue(0).WithSPI_CLK_EN(true).WithSPI_MST_CLK_ACTIVE(true).WithSPI_MST_CLK_SEL(k.pll))
	r.SPI_USER.Modify(func(v spi2.SPI_USERValue) spi2.SPI_USERValue {
		return v.WithSPI_USR_MISO_HIGHPART(false).WithSPI_USR_MOSI_HIGHPART(false).
			WithSPI_DOUTDIN(true).WithSPI_USR_MISO(true).WithSPI_USR_MOSI(true).
			WithSPI_CS_HOLD(true).WithSPI_USR_DUMMY_IDLE(true).
			WithSPI_USR_ADDR(false).WithSPI_USR_COMMAND(false)
	})
	r.SPI_CTRL.Modify(func(v spi2.SPI_CTRLValue) spi2.SPI_CTRLValue {
		return v.WithSPI_Q_POL(false).WithSPI_D_POL(false).WithSPI_HOLD_POL(false)
	})
	r.SPI_MISC.Write(0) // CS0 enabled, CK idle low
	r.SPI_SLAVE.Write(0)
	// apply_config: the clock, the bit orders, the mode.
	r.SPI_CLOCK.Write(spi2.SPI_CLOCKValue(k.clock))
	r.SPI_CTRL.Write(r.SPI_CTRL.Read().WithSPI_RD_BIT_ORDER(k.lsb).WithSPI_WR_BIT_ORDER(k.lsb))
	r.SPI_MISC.Write(r.SPI_MISC.Read().WithSPI_CK_IDLE_EDGE(k.mode == Mode2 || k.mode == Mode3))
	r.SPI_USER.Write(r.SPI_USER.Read().WithSPI_CK_OUT_EDGE(k.mode == Mode1 || k.mode == Mode2))
}

// reset puts a stuck controller back in order: a peripheral reset (which also ends a
// transaction and releases the chip select) and the configuration again.
func (c *engine) reset() {
	cs := rt.EnterCritical()
	pulseReset()
	cs.Exit()
	c.init()
}

func (c *engine) close() {
	c.closeDMA()
	esp32c3.SPI2.SPI_DMA_INT_ENA.Write(0)
	for _, n := range c.pins {
		if n >= 0 {
			pinroute.Release(n)
		}
	}
	pinroute.TieInput(pinroute.FSPIQ, false)
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithSPI2_CLK_EN(false) })
	cs.Exit()
	for _, n := range c.pins {
		if n >= 0 {
			periph.Release(periph.KindPin, n)
		}
	}
	periph.Release(periph.KindSPI, 2)
}

// The driver methods that start a transfer, as engine.busy records the one in progress.
const (
	callNone = iota
	callTx
	callTransfer
	callTransferInPlace
	callWrite
	callRead
	callTransferAsync
	callTransferInPlaceAsync
	callWriteAsync
	callReadAsync
	callAwaitTransfer
	callAwaitWrite
	callAwaitRead
	callTxDMA
	callTransferDMAAsync
	callAwaitTransferDMA
)

var callNames = [...]string{"", "Tx", "Transfer", "TransferInPlace", "Write", "Read",
	"TransferAsync", "TransferInPlaceAsync", "WriteAsync", "ReadAsync",
	"AwaitTransfer", "AwaitWrite", "AwaitRead", "TxDMA", "TransferDMAAsync", "AwaitTransferDMA"}

// concurrent panics for a future polled while another transfer holds the driver: the
// project's rule for misuse, where a blocking call gets ErrBusy. The message is built only
// here, at the end.
func (c *engine) concurrent(second uint8) {
	first := c.busy.Load()
	msg := "spi: SPI2: " + callNames[second] + " polled while "
	if first >= callTransferAsync && first != callTxDMA {
		msg += "a " + callNames[first] + " is in progress on SPI2; one transfer at a time: await the " +
			callNames[first] + " (or Cancel it) before starting another"
	} else {
		msg += "a blocking " + callNames[first] + " (interrupted by this poll's higher priority) is in progress on SPI2; one transfer at a time: do not start a transfer at a priority that can preempt one in progress"
	}
	panic(msg)
}

// transfer exchanges one byte, through the engine's own one-byte buffer (a local array
// would end up on the heap under TinyGo).
func (c *engine) transfer(v byte) (byte, error) {
	if !c.busy.CompareAndSwap(callNone, callTransfer) {
		return 0, ErrBusy
	}
	c.one[0] = v
	err := c.spin(c.one[:], c.one[:])
	v = c.one[0]
	c.busy.Store(callNone)
	return v, err
}

// run is a blocking transfer.
func (c *engine) run(call uint32, w, r []byte) error {
	if !c.busy.CompareAndSwap(callNone, call) {
		return ErrBusy
	}
	err := c.spin(w, r)
	c.busy.Store(callNone)
	return err
}

// spin runs a transfer to completion, spinning on the registers; the caller holds busy.
// The xfer stays on the stack.
func (c *engine) spin(w, r []byte) error {
	x := begin(c, w, r)
	for {
		if st, err := x.step(); st == stepDone {
			return err
		}
	}
}

// step results.
const (
	stepWait = iota // a chunk is on the bus
	stepDone        // finished, with the error returned alongside
)

// xfer is one full-duplex transfer in progress: w is sent (padded with 0x00) while the
// bytes received fill r, in chunks of up to 64 bytes at a common offset. Blocking calls
// spin on step; an async Future calls it from Poll and waits for TRANS_DONE in between.
type xfer struct {
	c        *engine
	w, r     []byte
	total    int // max(len(w), len(r))
	off      int // bytes done
	n        int // the chunk on the bus
	inflight bool
	deadline uint64 // SYSTIMER ticks, for the chunk on the bus
	chunks   int
}

// begin sets up a full-duplex transfer (esp-hal's setup_full_duplex: MISO, MOSI and
// DOUTDIN on, no dummy phase, single-line data).
func begin(c *engine, w, r []byte) xfer {
	x := xfer{c: c, w: w, r: r, total: max(len(w), len(r))}
	regs := esp32c3.SPI2
	regs.SPI_USER.Modify(func(v spi2.SPI_USERValue) spi2.SPI_USERValue {
		return v.WithSPI_USR_MISO(true).WithSPI_USR_MOSI(true).WithSPI_DOUTDIN(true).
			WithSPI_USR_DUMMY(false).WithSPI_SIO(false).
			WithSPI_FWRITE_DUAL(false).WithSPI_FWRITE_QUAD(false)
	})
	regs.SPI_CTRL.Modify(func(v spi2.SPI_CTRLValue) spi2.SPI_CTRLValue {
		return v.WithSPI_FCMD_DUAL(false).WithSPI_FCMD_QUAD(false).WithSPI_FADDR_DUAL(false).
			WithSPI_FADDR_QUAD(false).WithSPI_FREAD_DUAL(false).WithSPI_FREAD_QUAD(false)
	})
	return x
}

// step advances the transfer as far as it can without waiting.
func (x *xfer) step() (int, error) {
	for {
		if x.inflight {
			if esp32c3.SPI2.SPI_CMD.Read()&cmdUSR != 0 {
				if systimer.Ticks() > x.deadline {
					x.inflight = false
					x.c.reset()
					return stepDone, ErrTimeout
				}
				return stepWait, nil
			}
			x.inflight = false
			x.finishChunk()
		}
		if x.off >= x.total {
			return stepDone, nil
		}
		if !x.startChunk() {
			x.c.reset()
			return stepDone, ErrTimeout
		}
		return stepWait, nil
	}
}

// startChunk is esp-hal's write_one and start_operation for the next chunk: MS_DLEN, the W
// buffer, CMD.UPDATE (waited for), TRANS_DONE cleared, CMD.USR. MISC.CS_KEEP_ACTIVE holds
// the chip select active into the next chunk. It reports false if UPDATE never completes.
func (x *xfer) startChunk() bool {
	r := esp32c3.SPI2
	n := min(ChunkSize, x.total-x.off)
	last := x.off+n >= x.total
	r.SPI_MS_DLEN.Write(spi2.SPI_MS_DLENValue(0).WithSPI_MS_DATA_BITLEN(uint32(8*n - 1)))
	for i := 0; i < (n+3)/4; i++ {
		var word uint32
		for k := 0; k < 4; k++ {
			if j := x.off + 4*i + k; j < len(x.w) && 4*i+k < n {
				word |= uint32(x.w[j]) << (8 * k)
			}
		}
		r.SPI_W[i].Write(spi2.SPI_WValue(word))
	}
	// No closures with captured variables here (Modify(func...)): TinyGo puts their
	// context on the heap.
	r.SPI_MISC.Write(r.SPI_MISC.Read().WithSPI_CS_KEEP_ACTIVE(!last))
	x.deadline = systimer.Ticks() + x.c.k.timeoutTicks
	r.SPI_CMD.Write(r.SPI_CMD.Read() | cmdUpdate)
	for r.SPI_CMD.Read()&cmdUpdate != 0 {
		if systimer.Ticks() > x.deadline {
			return false
		}
	}
	r.SPI_DMA_INT_CLR.Write(spi2.SPI_DMA_INT_CLRValue(0).WithSPI_TRANS_DONE_INT_CLR(true))
	r.SPI_CMD.Write(r.SPI_CMD.Read() | cmdUSR)
	x.n, x.inflight = n, true
	x.chunks++
	return true
}

// finishChunk copies the received bytes out of the W buffer (esp-hal's read_from_fifo).
func (x *xfer) finishChunk() {
	r := esp32c3.SPI2
	for i := 0; i < (x.n+3)/4; i++ {
		if x.off+4*i >= len(x.r) {
			break
		}
		word := uint32(r.SPI_W[i].Read())
		for k := 0; k < 4 && 4*i+k < x.n; k++ {
			if j := x.off + 4*i + k; j < len(x.r) {
				x.r[j] = byte(word >> (8 * k))
			}
		}
	}
	x.off += x.n
}

// abort ends a transfer cut short (a timeout, a cancelled future): if anything went on the
// bus, the controller is reset, which ends a stuck transaction and releases a chip select
// held between chunks.
func (x *xfer) abort() {
	if x.inflight || (x.off > 0 && x.off < x.total) {
		x.inflight = false
		x.c.reset()
	}
}
