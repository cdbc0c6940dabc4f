// Package rmt is gohal's driver for the ESP32-C3's RMT (remote control) peripheral: pulse
// trains sent from, and received into, the RMT's own RAM with tick-exact timing, for IR
// remote controls, WS2812 LEDs (package ws2812 here) and any protocol that is a sequence
// of timed levels.
//
//	p, _ := hal.Init(hal.Config{})
//	tx, err := rmt.NewTx(p.RMT0, p.GPIO8, rmt.TxConfig{TickHz: 10_000_000}) // 100 ns ticks
//	err = tx.Transmit([]rmt.PulseCode{rmt.Pulse(true, 5, false, 5), rmt.End}) // blocking
//	atx := tx.IntoAsync()                    // tx is consumed
//	err = atx.AwaitTransmit(t, codes)        // from a straight-line task: allocates nothing
//	rx, err := rmt.NewRx(p.RMT2, p.GPIO4, rmt.RxConfig{TickHz: 1_000_000, IdleThreshold: 5000})
//	n, err := rx.Receive(buf)                // up to 48 codes, ended by an idle line
//
// # Channels, codes and RAM
//
// The C3 has four channels: 0 and 1 transmit (RMT0, RMT1), 2 and 3 receive (RMT2, RMT3).
// Each owns 48 32-bit words of RMT RAM (0x60016400 + 0xC0·n); the driver gives every
// channel its own block (MEM_SIZE = 1) and borrows none. A word is a PulseCode: level0 and
// duration0, then level1 and duration1, durations in ticks of 15 bits (1..32767). A zero
// duration ends a transmission (End is the code of zeros); a received frame ends with the
// code whose half has duration 0, the level the line idled at.
//
// A transmission may be longer than the channel's RAM: the driver fills all 48 words, sets
// TX_LIM to 24 and MEM_TX_WRAP_EN, and each time the transmitter has sent 24 words
// (TX_THR_EVENT) it refills the half just sent, until the codes are out and an end code is
// written (added when the codes have none). A Blocking channel refills as it polls; an
// Async channel refills in the RMT interrupt handler, so the task is woken once, at the
// end. Refilling must keep ahead of the transmitter: 24 codes of a few µs each leave tens
// of µs, plenty for either. Loops (TX_CONTI_MODE) repeat the RAM's content, so a loop's
// codes must fit it: 48 words with the end code. A reception is limited to the channel's
// RAM (48 codes); a longer frame is ErrOverflow with the first 48.
//
// # Clock
//
// The RMT clock is the 80 MHz APB (SYS_CONF: SCLK_SEL = APB, SCLK_DIV_NUM = 0); a channel
// divides it by its DIV_CNT, 1..256, so a tick is 12.5 ns × 1..256: Config.TickHz must be
// 80 MHz / d for such a d, and an unreachable TickHz is a *ConfigError naming the nearest
// reachable one ("rmt: RMT0: TickHz 3000000 is not reachable ...: the nearest is 2962962
// Hz (80 MHz / 27)").
//
// # Blocking and async
//
// Drivers are Blocking when constructed: Transmit waits (polling INT_RAW) for TX_END, at
// most the frame's own length plus TxConfig.Timeout, and returns ErrTimeout otherwise, the
// channel stopped; Receive waits for RX_END at most RxConfig.Timeout. IntoAsync binds the
// RMT interrupt (one source, shared by the four channels) and returns AsyncTx / AsyncRx,
// which keep the blocking methods and add TransmitAsync / ReceiveAsync futures and the
// typed awaits AwaitTransmit / AwaitReceive, whose futures live in the driver so an await
// allocates nothing. The futures use hal/internal/irqevent: TX_END|ERR (RX_END|ERR) armed
// on the channel's lane, the handler disables what fired and wakes the task. One
// operation per channel at a time: a second polled while one is pending panics, naming
// both. A consumed driver panics when used.
package rmt

import (
	"errors"
	"time"
	"unsafe"

	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/rmt"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
)

// PulseCode is one word of RMT RAM: two timed levels. Bits 14:0 are duration0 in ticks, bit
// 15 level0, bits 30:16 duration1, bit 31 level1.
type PulseCode uint32

// End is the end code: a zero duration stops the transmitter.
const End PulseCode = 0

// MaxTicks is the longest duration of one half of a PulseCode.
const MaxTicks = 1<<15 - 1

// RAMWords is the RAM of one channel, in PulseCodes.
const RAMWords = 48

// APBHz is the RMT clock: the APB at 80 MHz.
const APBHz = 80_000_000

// DefaultTickHz is TickHz when a Config leaves it 0: 10 MHz, a 100 ns tick.
const DefaultTickHz = 10_000_000

// DefaultPriority is the RMT interrupt's priority when Config.Priority is 0.
const DefaultPriority rt.Priority = 1

// Pulse returns the code for level0 during d0 ticks, then level1 during d1 ticks; d1 = 0
// makes it the last code of a transmission. Durations are masked to 15 bits.
func Pulse(level0 bool, d0 uint16, level1 bool, d1 uint16) PulseCode {
	c := PulseCode(d0&MaxTicks) | PulseCode(d1&MaxTicks)<<16
	if level0 {
		c |= 1 << 15
	}
	if level1 {
		c |= 1 << 31
	}
	return c
}

// Level0 returns the first half's level.
func (c PulseCode) Level0() bool { return c&(1<<15) != 0 }

// Duration0 returns the first half's duration in ticks.
func (c PulseCode) Duration0() uint16 { return uint16(c & MaxTicks) }

// Level1 returns the second half's level.
func (c PulseCode) Level1() bool { return c&(1<<31) != 0 }

// Duration1 returns the second half's duration in ticks.
func (c PulseCode) Duration1() uint16 { return uint16(c >> 16 & MaxTicks) }

// IsEnd reports whether the code ends a transmission: one of its durations is 0.
func (c PulseCode) IsEnd() bool { return c.Duration0() == 0 || c.Duration1() == 0 }

// Errors.
var (
	// ErrTimeout: a blocking wait took longer than its bound; the channel was stopped.
	ErrTimeout = errors.New("rmt: timed out")
	// ErrChannel: the RMT raised the channel's ERR interrupt (a transmitter that ran past
	// its RAM, a receiver whose frame did not fit it).
	ErrChannel = errors.New("rmt: the channel reported an error (ERR)")
	// ErrOverflow: a received frame did not fit the channel's 48 words; the first 48
	// codes are in the buffer.
	ErrOverflow = errors.New("rmt: the received frame does not fit the channel's RAM (48 codes)")
	// ErrEmpty: Transmit was given no codes.
	ErrEmpty = errors.New("rmt: nothing to transmit")
	// ErrShortBuffer: Receive's buffer was too short for the frame; it holds its start.
	ErrShortBuffer = errors.New("rmt: the buffer is shorter than the received frame")
	// ErrBusy: the channel is running a continuous loop (Stop it first).
	ErrBusy = errors.New("rmt: the channel is running a continuous loop; Stop it first")
)

// ConfigError is a configuration or argument the driver refuses, naming the channel and
// the problem.
type ConfigError struct {
	Channel int
	Problem string
}

// Error says what is wrong: "rmt: RMT0: ...".
func (e *ConfigError) Error() string {
	return "rmt: " + periph.Name(periph.KindRMT, e.Channel) + ": " + e.Problem
}

// Source is the RMT's interrupt source.
const Source = rt.Source(esp32c3.IRQ_RMT)

// divider validates hz and returns the channel divider d (1..256) with 80 MHz / d = hz.
func divider(ch int, hz uint32) (uint32, error) {
	if hz == 0 {
		hz = DefaultTickHz
	}
	d := APBHz / hz
	if d >= 1 && d <= 256 && APBHz/d == hz {
		return d, nil
	}
	// The nearest reachable tick: 80 MHz / d for d the quotient or the next.
	best := uint32(256)
	if hz > APBHz {
		best = 1
	} else if d >= 1 && d < 256 {
		lo, hi := APBHz/(d+1), APBHz/d // d+1 gives a slower tick, d a faster one
		best = d
		if hz-lo < hi-hz {
			best = d + 1
		}
	}
	return 0, &ConfigError{ch, "TickHz " + itoa.Itoa(int(hz)) + " is not reachable: a tick is the 80 MHz APB divided by 1..256; the nearest is " +
		itoa.Itoa(int(APBHz/best)) + " Hz (80 MHz / " + itoa.Itoa(int(best)) + ")"}
}

// Registers.

var regs = esp32c3.RMT

// u32 views a generated 32-bit register as its cell, so the two TX (RX) channels' registers,
// which the PAC types apart, share code.
func u32[T any](r *T) *mmio.U32 { return (*mmio.U32)(unsafe.Pointer(r)) }

var (
	txConf0   = [2]*mmio.U32{u32(&regs.CH0CONF0), u32(&regs.CH1CONF0)}
	txLim     = [2]*mmio.U32{u32(&regs.CH_TX_LIM[0]), u32(&regs.CH_TX_LIM[1])}
	txCarrier = [2]*mmio.U32{u32(&regs.CHCARRIER_DUTY[0]), u32(&regs.CHCARRIER_DUTY[1])}
	rxConf0   = [2]*mmio.U32{u32(&regs.CH2CONF0), u32(&regs.CH3CONF0)}
	rxConf1   = [2]*mmio.U32{u32(&regs.CH2CONF1), u32(&regs.CH3CONF1)}
	intRaw    = u32(&regs.INT_RAW)
	intClr    = u32(&regs.INT_CLR)
	// ram is the RMT RAM: 48 words per channel.
	ram = mmio.At[[4][RAMWords]mmio.U32](0x6001_6400)
)

// TX CONF0 fields.
const (
	txStart       = 1 << 0
	txMemRdRst    = 1 << 1
	txAPBMemRst   = 1 << 2
	txConti       = 1 << 3
	txWrap        = 1 << 4
	txIdleLv      = 1 << 5
	txIdleEn      = 1 << 6
	txStop        = 1 << 7
	txDivShift    = 8
	txMemSize1    = 1 << 16
	txCarrierEff  = 1 << 20
	txCarrierEn   = 1 << 21
	txCarrierLv   = 1 << 22
	txConfUpdate  = 1 << 24
	txLimHalf     = RAMWords / 2
	txLoopCntEn   = 1 << 19
	txLoopNumShft = 9
	maxLoops      = 1<<10 - 1
)

// RX CONF0/CONF1 fields.
const (
	rxDivShift   = 0
	rxIdleShift  = 8
	rxMemSize1   = 1 << 23
	rxEn         = 1 << 0
	rxMemWrRst   = 1 << 1
	rxAPBMemRst  = 1 << 2
	rxMemOwner   = 1 << 3
	rxFilterEn   = 1 << 4
	rxFilterShft = 5
	rxConfUpdate = 1 << 15
)

// Interrupt bits of channel ch.
func endBit(ch int) uint32  { return 1 << ch }
func errBit(ch int) uint32  { return 1 << (4 + ch) }
func thrBit(ch int) uint32  { return 1 << (8 + ch) }
func loopBit(ch int) uint32 { return 1 << (12 + ch) }

// sysConf is SYS_CONF as the driver runs the RMT: direct RAM access (APB_FIFO_MASK), the
// RMT clock the APB undivided, the clock active, the register clock on.
var sysConf = rmt.SYS_CONFValue(0).WithAPB_FIFO_MASK(true).WithRMT_SCLK_SEL(1).WithRMT_SCLK_DIV_NUM(0).
	WithRMT_SCLK_ACTIVE(true).WithCLK_EN(true)

// power switches the RMT on as a channel opens: its clock enabled and out of reset (never
// reset: another channel may be running), SYS_CONF as sysConf. It looks at the registers
// rather than counting channels, so it is idempotent and needs no teardown.
func power() {
	cs := rt.EnterCritical()
	s := esp32c3.SYSTEM
	if !s.PERIP_CLK_EN0.Read().RMT_CLK_EN() {
		s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithRMT_CLK_EN(true) })
	}
	if s.PERIP_RST_EN0.Read().RMT_RST() {
		s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithRMT_RST(false) })
	}
	cs.Exit()
	if regs.SYS_CONF.Read() != sysConf {
		regs.SYS_CONF.Write(sysConf)
	}
}

// events are the TX channels' (lane = channel) and the RX channels' (lane = channel − 2)
// interrupt events (hal/internal/irqevent).
var (
	txEvents = irqevent.Block{
		Regs:   irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW),
		Events: [irqevent.MaxLanes]uint32{endBit(0) | errBit(0), endBit(1) | errBit(1)},
	}
	rxEvents = irqevent.Block{
		Regs:   irqevent.RegsOf(&regs.INT_ENA, &regs.INT_ST, &regs.INT_CLR, &regs.INT_RAW),
		Events: [irqevent.MaxLanes]uint32{endBit(2) | errBit(2), endBit(3) | errBit(3)},
	}
	intSt = u32(&regs.INT_ST)
)

// asyncChannels has bit n set while channel n is async; the handler stays bound while any
// is.
var asyncChannels uint8

func bind(ch uint8, prio rt.Priority) {
	cs := rt.EnterCritical()
	asyncChannels |= 1 << ch
	cs.Exit()
	rt.Bind(Source, onInterrupt)
	rt.Enable(Source, prio)
}

func unbind(ch uint8) {
	cs := rt.EnterCritical()
	asyncChannels &^= 1 << ch
	last := asyncChannels == 0
	cs.Exit()
	if last {
		rt.Disable(Source)
		rt.Unbind(Source)
	}
}

// onInterrupt is the RMT interrupt handler: it refills the TX channels whose threshold
// fired (their async transmission's next half), then wakes the tasks whose TX_END, RX_END
// or ERR fired, disabling those. It allocates nothing.
func onInterrupt() {
	st := intSt.Load()
	for ch := 0; ch < 2; ch++ {
		if st&thrBit(ch) != 0 {
			intClr.Store(thrBit(ch))
			if !tx[ch].refill() {
				txEvents.Disable(thrBit(ch))
			}
		}
	}
	txEvents.Handle()
	rxEvents.Handle()
}

// deadline is a point on SYSTIMER's 16 MHz counter, for the blocking waits.
type deadline struct {
	end     uint64
	forever bool
}

func after(d time.Duration) deadline {
	if d <= 0 {
		return deadline{forever: true}
	}
	return deadline{end: systimer.Ticks() + uint64(d.Nanoseconds())*systimer.TicksPerMicrosecond/1000 + 1}
}

func (d deadline) passed() bool { return !d.forever && systimer.Ticks() >= d.end }

// handle is one driver value's claim on its channel: consumed values panic.
type handle struct {
	ch   uint8
	pin  uint8
	kind string
	gone string
}

func (h *handle) name() string { return periph.Name(periph.KindRMT, int(h.ch)) }

func (h *handle) check() {
	if h.gone != "" {
		msg := "rmt: " + h.name() + " " + h.kind + " used after "
		if h.gone == "Close" {
			panic(msg + "Close")
		}
		panic(msg + h.gone + " consumed it")
	}
}

func (h *handle) consume(op, kind string) *handle {
	h.check()
	h.gone = op
	return &handle{ch: h.ch, pin: h.pin, kind: kind}
}

// The operations that hold a channel's lane.
const (
	opNone = iota
	opTransmitAsync
	opAwaitTransmit
	opReceiveAsync
	opAwaitReceive
)

var opNames = [...]string{"", "TransmitAsync", "AwaitTransmit", "ReceiveAsync", "AwaitReceive"}

func concurrent(h *handle, second uint8, first uint32) {
	panic("rmt: " + h.name() + ": " + opNames[second] + " polled while a " + opNames[first] +
		" is still pending on " + h.name() + "; one operation per channel at a time: await the " + opNames[first] +
		" (or Cancel it) first")
}
