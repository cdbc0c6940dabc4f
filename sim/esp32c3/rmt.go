package esp32c3

import (
	"container/heap"
	"fmt"
	"time"
)

// RMT models the ESP32-C3's remote-control peripheral (base 0x60016000): TX channels 0 and
// 1 and RX channels 2 and 3, each with 48 words of pulse-code RAM at 0x60016400 + 0xC0·n.
//
// A pulse code is a 32-bit word: duration0 [14:0], level0 b15, duration1 [30:16], level1
// b31; a zero duration ends a transmission (and ends a received frame).
//
// Transmitter. TX_START (with MEM_RD_RST) starts reading the channel's RAM at its first
// word; each half of each word puts its level on the channel's output signal (RMT_SIG_OUT0
// and OUT1, GPIO matrix signals 51 and 52) for its duration in ticks, so the pads the
// matrix routes the signal to carry the waveform with virtual-time edges (GPIO Watch,
// OnEdge). A tick is the RMT clock (SYS_CONF: SCLK_SEL 1 = APB 80 MHz, 2 = RC_FAST,
// 3 = XTAL, divided by SCLK_DIV_NUM+1 and the SCLK_DIV_A/B fraction) divided by the
// channel's DIV_CNT (0 = 256). At a zero duration the transmitter stops: the output goes
// to IDLE_OUT_LV if IDLE_OUT_EN is set (else keeps the end code's level) and INT_RAW
// TX_END is set. Each time TX_LIM words have been sent, TX_THR_EVENT is set; with
// MEM_TX_WRAP_EN the transmitter wraps from the end of the channel's RAM to its start, so
// firmware refilling the half just sent can send frames of any length; without it,
// reaching the end of the RAM without an end code sets ERR and stops. In continuous mode
// (TX_CONTI_MODE) the transmitter restarts at the first word at each end code; with
// LOOP_CNT_EN it sets TX_LOOP when LOOP_NUM rounds are done and stops there (the model's
// choice; esp-hal stops the channel with TX_STOP at that point anyway). TX_STOP stops at
// once, without TX_END. MEM_SIZE is read as the number of 48-word blocks the channel
// owns. Configuration is read when a transmission starts; CONF_UPDATE is accepted and
// needs no wait.
//
// Receiver. With RX_EN and MEM_OWNER set, the receiver watches the pad the GPIO matrix
// routes to its input signal (FUNC_IN_SEL_CFG of signals 51 and 52, SIG_IN_SEL = 1) and
// starts at the first edge; each level is written to RAM as one half-word with its
// duration in ticks. A level that lasts IDLE_THRES ticks ends the frame: its half is
// written with duration 0, RX_END is set and the receiver stops. A frame that does not
// fit the channel's RAM sets ERR (and CH2/3STATUS.MEM_FULL) and stops. Pulses shorter
// than RX_FILTER_THRES RMT clock cycles (with RX_FILTER_EN), and pulses shorter than a
// tick, are absorbed into the level around them.
//
// Not modelled (noted in the log when used): carrier modulation and demodulation (the pad
// shows the envelope), the APB FIFO access through CHnDATA, RX wrap mode and its
// threshold, TX_SIM synchronous start.
type RMT struct {
	c    *Chip
	blk  *block
	gpio *GPIO
	line irq

	raw, ena uint32
	tx       [2]rmtTx
	rx       [2]rmtRx

	log  [rmtLogSize]RMTTransmission
	logN int
}

// RMTTransmission is one transmission of an RMT TX channel: when it started and ended (in
// virtual time), how many pulse codes it sent in full, how many rounds a continuous
// transmission made, and whether TX_STOP cut it short.
type RMTTransmission struct {
	Channel    int
	Start, End time.Duration
	Codes      int
	Rounds     int
	Stopped    bool
}

// rmtLogSize is how many transmissions RMT.Transmissions remembers: a fixed ring, so a
// transmission allocates nothing in the model.
const rmtLogSize = 256

const (
	rmtBase     = 0x6001_6000
	rmtCH0CONF0 = 0x10
	rmtCH2CONF0 = 0x18 // CH2CONF0, CH2CONF1, CH3CONF0, CH3CONF1
	rmtSTATUS0  = 0x28 // CH0STATUS..CH3STATUS
	rmtINTRAW   = 0x38
	rmtINTST    = 0x3C
	rmtINTENA   = 0x40
	rmtINTCLR   = 0x44
	rmtCARRIER0 = 0x48
	rmtRXCARR2  = 0x50
	rmtTXLIM0   = 0x58
	rmtRXLIM2   = 0x60
	rmtSYSCONF  = 0x68
	rmtTXSIM    = 0x6C
	rmtREFCNT   = 0x70
	rmtDATE     = 0xCC
	rmtRAM      = 0x400

	rmtWordsPerChannel = 48
	rmtChannels        = 4
	rmtIntMask         = 1<<14 - 1
	rmtSigOut0         = 51 // RMT_SIG_OUT0 / RMT_SIG_IN0 in the GPIO matrix
	rmtResetBit        = 9  // SYSTEM.PERIP_CLK_EN0 / PERIP_RST_EN0
	sourceRMT          = Source(28)
)

// TX CONF0 bits.
const (
	rmtTxStart     = 1 << 0
	rmtTxMemRdRst  = 1 << 1
	rmtTxApbMemRst = 1 << 2
	rmtTxConti     = 1 << 3
	rmtTxWrap      = 1 << 4
	rmtTxIdleLv    = 1 << 5
	rmtTxIdleEn    = 1 << 6
	rmtTxStop      = 1 << 7
	rmtTxCarrierEn = 1 << 21
	rmtTxSelfClear = rmtTxStart | rmtTxMemRdRst | rmtTxApbMemRst | rmtTxStop | 1<<23 | 1<<24
)

// RX CONF1 bits.
const (
	rmtRxEn        = 1 << 0
	rmtRxMemWrRst  = 1 << 1
	rmtRxMemOwner  = 1 << 3
	rmtRxFilterEn  = 1 << 4
	rmtRxWrap      = 1 << 13
	rmtRxSelfClear = 1<<1 | 1<<2 | 1<<14 | 1<<15
	rmtRxCarrierEn = 1 << 28 // in CONF0
)

func rmtModelled(off uintptr) bool {
	switch {
	case off >= rmtRAM && off < rmtRAM+4*rmtWordsPerChannel*rmtChannels:
		return true
	case off >= rmtCH0CONF0 && off < rmtCARRIER0+8,
		off >= rmtTXLIM0 && off < rmtSYSCONF+4:
		return true
	}
	return false
}

func init() {
	registerModel("rmt", func(c *Chip) {
		r := &RMT{c: c, line: irq{c: c, src: sourceRMT}, gpio: periphOf(c).gpio}
		r.blk = newBlock(c, "RMT", rmtBase, rmtModelled)
		r.blk.sysBit = rmtResetBit
		for i := range r.tx {
			t := &r.tx[i]
			t.r, t.ch = r, i
			t.ev = &Event{c: c, f: t.step, index: -1}
		}
		for i := range r.rx {
			x := &r.rx[i]
			x.r, x.ch = r, i+2
			x.ev = &Event{c: c, f: x.idle, index: -1}
		}
		periphOf(c).rmt = r
		c.Hook(rmtBase, blockSize, wordDevice{r})
		c.OnPeripheralReset(0, rmtResetBit, r.reset)
		c.Lock()
		r.gpio.setSignal(rmtSigOut0, false)
		r.gpio.setSignal(rmtSigOut0+1, false)
		c.Unlock()
		r.gpio.OnEdge(r.onEdge)
	})
}

// RMT returns the chip's RMT model.
func (c *Chip) RMT() *RMT { return periphOf(c).rmt }

func (r *RMT) lock()            { r.c.Lock() }
func (r *RMT) unlock()          { r.c.Unlock() }
func (r *RMT) regBlock() *block { return r.blk }

// reset returns the RMT to its reset state (SYSTEM.PERIP_RST_EN0.RMT_RST).
func (r *RMT) reset() {
	for i := range r.tx {
		r.tx[i].halt()
	}
	for i := range r.rx {
		r.rx[i].halt()
	}
	r.raw, r.ena = 0, 0
	r.blk.reset()
	r.gpio.setSignal(rmtSigOut0, false)
	r.gpio.setSignal(rmtSigOut0+1, false)
	r.update()
}

func (r *RMT) update() { r.line.set(r.raw&r.ena != 0) }

func (r *RMT) raise(bits uint32) {
	r.raw |= bits
	r.update()
}

func (r *RMT) readReg(off uintptr) uint32 {
	switch off {
	case rmtINTRAW:
		return r.raw
	case rmtINTST:
		return r.raw & r.ena
	case rmtINTENA:
		return r.ena
	case rmtINTCLR:
		return 0
	case rmtSTATUS0, rmtSTATUS0 + 4:
		t := &r.tx[(off-rmtSTATUS0)/4]
		v := uint32(t.base() + t.idx)
		if t.active {
			v |= 1 << 9 // STATE: sending
		}
		return v
	case rmtSTATUS0 + 8, rmtSTATUS0 + 12:
		x := &r.rx[(off-rmtSTATUS0-8)/4]
		v := uint32(x.base() + x.halves/2)
		if x.active {
			v |= 1 << 22 // STATE: receiving
		}
		if x.full {
			v |= 1 << 26
		}
		return v
	}
	if off >= rmtRAM && off < rmtRAM+4*rmtWordsPerChannel*rmtChannels {
		r.checkFIFOMask()
		return r.blk.load(off)
	}
	r.blk.touch(off, false)
	return r.blk.load(off)
}

func (r *RMT) writeReg(off uintptr, v uint32) {
	switch {
	case off >= rmtRAM && off < rmtRAM+4*rmtWordsPerChannel*rmtChannels:
		r.checkFIFOMask()
		r.blk.store(off, v)
		return
	case off == rmtCH0CONF0 || off == rmtCH0CONF0+4:
		r.blk.store(off, v&^rmtTxSelfClear)
		r.tx[(off-rmtCH0CONF0)/4].conf0(v)
		return
	case off == rmtCH2CONF0+4 || off == rmtCH2CONF0+12: // CH2CONF1, CH3CONF1
		r.blk.store(off, v&^rmtRxSelfClear)
		r.rx[(off-rmtCH2CONF0-4)/8].conf1(v)
		return
	}
	switch off {
	case rmtINTRAW:
		r.blk.once("rawwrite", "write to INT_RAW ignored: raw bits are set by events and cleared through INT_CLR")
		return
	case rmtINTST:
		return
	case rmtINTENA:
		r.ena = v & rmtIntMask
	case rmtINTCLR:
		r.raw &^= v & rmtIntMask
	case rmtSTATUS0, rmtSTATUS0 + 4, rmtSTATUS0 + 8, rmtSTATUS0 + 12:
		return // read-only
	case rmtTXSIM:
		if v&4 != 0 {
			r.blk.once("txsim", "TX_SIM (synchronous start of several TX channels) is not modelled")
		}
		r.blk.store(off, v)
	default:
		r.blk.touch(off, true)
		r.blk.store(off, v)
	}
	r.update()
}

// checkFIFOMask notes RAM accesses while SYS_CONF.APB_FIFO_MASK selects FIFO access.
func (r *RMT) checkFIFOMask() {
	if r.blk.load(rmtSYSCONF)&1 == 0 {
		r.blk.once("fifomask", "channel RAM accessed directly while SYS_CONF.APB_FIFO_MASK = 0 (FIFO access): on the chip set it first, as esp-hal does")
	}
}

// ram returns word i of the RMT RAM (0..191).
func (r *RMT) ram(i int) uint32 { return r.blk.load(rmtRAM + 4*uintptr(i)) }

func (r *RMT) setRAM(i int, v uint32) { r.blk.store(rmtRAM+4*uintptr(i), v) }

// clock returns a channel's tick as mul/hz seconds: the RMT clock's source and its
// divider (SYS_CONF), times the channel's divider div (0 = 256).
func (r *RMT) clock(div uint32) (mul, hz uint64) {
	sc := r.blk.load(rmtSYSCONF)
	switch field(sc, 25, 24) {
	case 1:
		hz = APBHz
	case 2:
		hz = periphRCFastHz
	case 3:
		hz = XTALHz
	default:
		r.blk.once("sclk0", "SYS_CONF.SCLK_SEL = 0 selects no clock; timing from APB")
		hz = APBHz
	}
	if div == 0 {
		div = 256
	}
	num, a, b := uint64(field(sc, 11, 4))+1, uint64(field(sc, 17, 12)), uint64(field(sc, 23, 18))
	if a != 0 && b != 0 {
		return (num*b + a) * uint64(div), hz * b
	}
	return num * uint64(div), hz
}

// sclkCycles returns how many RMT clock cycles fit in d (for the RX filter).
func (r *RMT) sclkCycles(d time.Duration) uint64 {
	mul, hz := r.clock(1)
	return durationToTicks(d, hz, mul)
}

// record notes a finished transmission in the ring.
func (r *RMT) record(t RMTTransmission) {
	r.log[r.logN%rmtLogSize] = t
	r.logN++
}

// Transmissions returns the last transmissions of TX channel ch (up to 256 of all
// channels are kept), oldest first.
func (r *RMT) Transmissions(ch int) []RMTTransmission {
	r.c.Lock()
	defer r.c.Unlock()
	var out []RMTTransmission
	start := max(0, r.logN-rmtLogSize)
	for i := start; i < r.logN; i++ {
		if t := r.log[i%rmtLogSize]; t.Channel == ch {
			out = append(out, t)
		}
	}
	return out
}

// Busy reports whether TX channel ch is transmitting.
func (r *RMT) Busy(ch int) bool {
	r.c.Lock()
	defer r.c.Unlock()
	return r.tx[ch].active
}

// reschedule puts e, an event that has run or been cancelled (or never been queued), back
// in the queue at at: a model whose one action recurs (the RMT's next pulse) reuses its
// event instead of allocating one per occurrence.
func (c *Chip) reschedule(e *Event, at time.Duration) {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	if e.index >= 0 {
		heap.Remove(&c.events, e.index)
		c.unqueuedLocked(e)
	}
	c.seq++
	e.at, e.seq = at, c.seq
	heap.Push(&c.events, e)
	if !e.passive {
		c.active++
	}
	c.setDeadlineLocked()
}

// rmtTx is a TX channel's transmitter.
type rmtTx struct {
	r  *RMT
	ch int
	ev *Event

	active bool
	idx    int  // word being sent, in the channel's RAM
	phase  int  // 0: its first half, 1: its second
	first  bool // no word sent yet in this round
	sent   int  // words sent since the last TX_THR_EVENT
	codes  int  // words sent in this transmission
	rounds int
	start  time.Duration
	origin time.Duration
	ticks  uint64
	mul    uint64
	hz     uint64
	span   int
	wrap   bool
	lim    int
	loops  int // LOOP_NUM with LOOP_CNT_EN, else 0
	conti  bool
	conf   uint32
}

func (t *rmtTx) base() int { return t.ch * rmtWordsPerChannel }

func (t *rmtTx) sig() int { return rmtSigOut0 + t.ch }

// conf0 acts on the self-clearing bits of a CONF0 write.
func (t *rmtTx) conf0(v uint32) {
	if v&rmtTxStop != 0 && t.active {
		t.finish(true)
		t.idle(t.r.blk.load(rmtCH0CONF0 + 4*uintptr(t.ch)))
	}
	if v&rmtTxMemRdRst != 0 {
		t.idx = 0
	}
	if v&rmtTxStart != 0 {
		if t.active {
			t.r.blk.once(fmt.Sprintf("restart%d", t.ch), "CH%dCONF0.TX_START while channel %d is transmitting: it restarts", t.ch, t.ch)
			t.halt()
		}
		t.begin(v)
	}
	if !t.active {
		t.idle(v)
	}
	t.r.update()
}

// begin starts a transmission at the current word.
func (t *rmtTx) begin(conf uint32) {
	r := t.r
	if conf&rmtTxCarrierEn != 0 {
		r.blk.once(fmt.Sprintf("carrier%d", t.ch), "channel %d: carrier modulation is not simulated; the pad shows the envelope", t.ch)
	}
	blocks := int(field(conf, 18, 16))
	if blocks == 0 {
		blocks = 1
	}
	t.span = min(blocks, rmtChannels-t.ch) * rmtWordsPerChannel
	lim := r.blk.load(rmtTXLIM0 + 4*uintptr(t.ch))
	t.lim = int(field(lim, 8, 0))
	t.loops = 0
	if lim&(1<<19) != 0 {
		t.loops = int(field(lim, 18, 9))
	}
	t.conf, t.conti, t.wrap = conf, conf&rmtTxConti != 0, conf&rmtTxWrap != 0
	t.mul, t.hz = r.clock(field(conf, 15, 8))
	t.active, t.phase, t.first, t.sent, t.codes, t.rounds = true, 0, true, 0, 0, 0
	t.start, t.origin, t.ticks = r.c.Now(), r.c.Now(), 0
	r.c.reschedule(t.ev, r.c.Now())
}

// step puts the next half-word on the output, or ends the transmission at a zero
// duration. It runs as the channel's event, with the chip lock held.
func (t *rmtTx) step() {
	if !t.active {
		return
	}
	r := t.r
	if t.phase == 0 {
		if !t.first {
			t.idx++
			t.codes++
			t.sent++
			if t.lim > 0 && t.sent == t.lim {
				t.sent = 0
				r.raw |= 1 << (8 + t.ch) // TX_THR_EVENT
			}
		}
		t.first = false
		if t.idx >= t.span {
			if !t.wrap {
				r.blk.once(fmt.Sprintf("noend%d", t.ch), "channel %d reached the end of its RAM without an end code and MEM_TX_WRAP_EN is off: ERR", t.ch)
				r.raw |= 1 << (4 + t.ch)
				t.finish(false)
				t.idle(t.conf)
				r.update()
				return
			}
			t.idx = 0
		}
	}
	w := r.ram(t.base() + t.idx)
	d, lv := w&0x7FFF, w&0x8000 != 0
	if t.phase == 1 {
		d, lv = w>>16&0x7FFF, w>>31 != 0
	}
	if d == 0 {
		t.end(lv)
		r.update()
		return
	}
	r.gpio.setSignal(t.sig(), lv)
	t.ticks += uint64(d)
	t.phase ^= 1
	r.c.reschedule(t.ev, t.origin+ticksToDuration(t.ticks, t.mul, t.hz))
	r.update()
}

// end handles an end code whose half has level lv.
func (t *rmtTx) end(lv bool) {
	r := t.r
	if t.phase == 1 {
		t.codes++ // the end code's first half was sent
	}
	if t.conti {
		t.rounds++
		if t.loops > 0 && t.rounds >= t.loops {
			r.raw |= 1 << (12 + t.ch) // TX_LOOP
			t.finish(false)
			t.idle(t.conf)
			return
		}
		t.idx, t.phase, t.first, t.sent = 0, 0, true, 0
		r.c.reschedule(t.ev, r.c.Now())
		return
	}
	t.finish(false)
	if t.conf&rmtTxIdleEn != 0 {
		lv = t.conf&rmtTxIdleLv != 0
	}
	r.gpio.setSignal(t.sig(), lv)
	r.raw |= 1 << t.ch // TX_END
}

// finish records the transmission and stops the transmitter.
func (t *rmtTx) finish(stopped bool) {
	t.halt()
	rounds := t.rounds
	if !t.conti {
		rounds = 1
	}
	t.r.record(RMTTransmission{Channel: t.ch, Start: t.start, End: t.r.c.Now(), Codes: t.codes, Rounds: rounds, Stopped: stopped})
}

// halt stops the transmitter without a trace.
func (t *rmtTx) halt() {
	t.active = false
	t.ev.Cancel()
}

// idle drives the idle level if IDLE_OUT_EN is set in conf.
func (t *rmtTx) idle(conf uint32) {
	if conf&rmtTxIdleEn != 0 {
		t.r.gpio.setSignal(t.sig(), conf&rmtTxIdleLv != 0)
	}
}

// rmtRx is an RX channel's receiver.
type rmtRx struct {
	r  *RMT
	ch int // 2 or 3
	ev *Event

	active  bool
	started bool
	full    bool
	level   bool
	last    time.Duration // start of the current level
	before  time.Duration // start of the level before it, -1 if unknown or not in RAM
	halves  int
	mul, hz uint64
	idleT   uint64
	filter  uint64 // RMT clock cycles, 0 = off
	span    int
}

func (x *rmtRx) base() int { return x.ch * rmtWordsPerChannel }

func (x *rmtRx) conf0() uint32 { return x.r.blk.load(rmtCH2CONF0 + 8*uintptr(x.ch-2)) }

// conf1 acts on a CONF1 write: MEM_WR_RST and the RX_EN edges.
func (x *rmtRx) conf1(v uint32) {
	if v&rmtRxMemWrRst != 0 {
		x.halves, x.full = 0, false
	}
	switch {
	case v&rmtRxEn != 0 && !x.active:
		if v&rmtRxMemOwner == 0 {
			x.r.blk.once(fmt.Sprintf("owner%d", x.ch), "channel %d: RX_EN with MEM_OWNER = 0 (the RAM belongs to the CPU): the receiver writes nothing", x.ch)
			return
		}
		if v&rmtRxWrap != 0 {
			x.r.blk.once(fmt.Sprintf("rxwrap%d", x.ch), "channel %d: MEM_RX_WRAP_EN is not modelled", x.ch)
		}
		c0 := x.conf0()
		if c0&rmtRxCarrierEn != 0 {
			x.r.blk.once(fmt.Sprintf("rxcarrier%d", x.ch), "channel %d: carrier demodulation is not simulated", x.ch)
		}
		blocks := int(field(c0, 25, 23))
		if blocks == 0 {
			blocks = 1
		}
		x.span = min(blocks, rmtChannels-x.ch) * rmtWordsPerChannel
		x.mul, x.hz = x.r.clock(field(c0, 7, 0))
		x.idleT = uint64(field(c0, 22, 8))
		x.filter = 0
		if v&rmtRxFilterEn != 0 {
			x.filter = uint64(field(v, 12, 5))
		}
		x.active, x.started = true, false
	case v&rmtRxEn == 0 && x.active:
		x.halt()
	}
}

func (x *rmtRx) halt() {
	x.active = false
	x.ev.Cancel()
}

// pad returns the pad the GPIO matrix routes the channel's input signal from, or -1.
func (x *rmtRx) pad() int {
	sig := rmtSigOut0 + x.ch - 2
	v := x.r.gpio.blk.load(gpioFUNCIN0 + 4*uintptr(sig))
	if v&(1<<6) == 0 {
		return -1
	}
	p := int(v & 0x1F)
	if p >= gpioPads {
		return -1 // a constant level: no edges
	}
	return p
}

// onEdge feeds pad edges to the receivers listening on them (the chip lock is held).
func (r *RMT) onEdge(e Edge) {
	for i := range r.rx {
		if x := &r.rx[i]; x.active && x.pad() == e.Pin {
			x.edge(e)
		}
	}
}

func (x *rmtRx) edge(e Edge) {
	now := x.r.c.Now()
	if !x.started {
		x.started, x.level, x.last, x.before = true, e.Level, now, -1
		x.armIdle()
		return
	}
	if e.Level == x.level {
		return
	}
	d := durationToTicks(now-x.last, x.hz, x.mul)
	if d == 0 || (x.filter > 0 && x.r.sclkCycles(now-x.last) < x.filter) {
		// The level since the last edge was a glitch: it and its two edges vanish, and the
		// level before it goes on (its half, written at the glitch's first edge, is taken
		// back).
		switch {
		case x.before >= 0:
			x.halves--
			x.last, x.before = x.before, -1
		case x.halves == 0:
			x.started = false // the frame's first edge began the glitch: no frame yet
			x.ev.Cancel()
			return
		}
		x.level = e.Level
		x.armIdle()
		return
	}
	if !x.put(x.level, d) {
		return
	}
	x.level, x.last, x.before = e.Level, now, x.last
	x.armIdle()
}

func (x *rmtRx) armIdle() {
	x.r.c.reschedule(x.ev, x.last+ticksToDuration(max(x.idleT, 1), x.mul, x.hz))
}

// idle ends the frame: the level has lasted IDLE_THRES ticks.
func (x *rmtRx) idle() {
	if !x.active {
		return
	}
	if x.put(x.level, 0) { // the RAM may be full: put raised ERR
		x.active = false
		x.r.raise(1 << x.ch) // RX_END
	}
}

// put writes one half-word; false when the RAM is full (ERR, the receiver stops).
func (x *rmtRx) put(level bool, d uint64) bool {
	if x.halves/2 >= x.span {
		x.full, x.active = true, false
		x.ev.Cancel()
		x.r.blk.once(fmt.Sprintf("rxfull%d", x.ch), "channel %d: the received frame does not fit the channel's RAM (%d words): ERR", x.ch, x.span)
		x.r.raise(1 << (4 + x.ch))
		return false
	}
	d = min(d, 0x7FFF)
	h := uint32(d)
	if level {
		h |= 0x8000
	}
	i := x.base() + x.halves/2
	if x.halves%2 == 0 {
		x.r.setRAM(i, h)
	} else {
		x.r.setRAM(i, x.r.ram(i)&0xFFFF|h<<16)
	}
	x.halves++
	return true
}
