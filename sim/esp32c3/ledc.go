package esp32c3

import (
	"fmt"
	"time"
)

// LEDC models the LED PWM controller (base 0x60019000) in low-speed mode, the C3's only
// one: four timers and six channels.
//
// A timer counts 2^DUTY_RES steps per period at the LEDC clock (CONF.APB_CLK_SEL: 1 APB
// 80 MHz, 2 RC_FAST 17.5 MHz, 3 XTAL 40 MHz) divided by CLK_DIV, a 10.8 fixed-point number
// (256 = 1.0): a period lasts CLK_DIV × 2^DUTY_RES / (256 × clock), exactly (the model
// averages the fractional divider's dithering). RST and PAUSE act when written; CLK_DIV and
// DUTY_RES take effect at the timer's PARA_UP, and the counter restarts from 0 then.
//
// A channel outputs high from HPOINT to HPOINT + DUTY/16 steps of each period of the timer
// CONF0.TIMER_SEL names, while SIG_OUT_EN is set (else its IDLE_LV). Its DUTY, HPOINT and
// CONF1 take effect at the first period boundary after CONF0.PARA_UP: the duty becomes
// DUTY, and if CONF1.DUTY_START is set (the model clears it at PARA_UP) a duty change runs
// from there: every DUTY_CYCLE periods the duty moves DUTY_SCALE steps up (DUTY_INC) or
// down, DUTY_NUM times, and at the end of the last of those periods INT_RAW.DUTY_CHNG_END
// is set for the channel (source 23 is INT_RAW & INT_ENA). A plain duty change as esp-hal
// and ESP-IDF write it (NUM = CYCLE = 1, SCALE = 0) thus ends one period after the update.
// DUTY_R reads the duty the channel outputs. Reconfiguring a timer (PARA_UP) stops its
// channels' fades at their current duty. The timer-overflow and OVF_CNT interrupts are not
// modelled (enabling them is logged).
//
// The output is modelled analytically: Measure(pin) gives the frequency, period, pulse
// width and duty a pin carries at the current virtual time, from the registers, without
// simulating edges. Edges on the pins (and so Level, Watch and OnEdge of the GPIO model) are
// produced only after EmitEdges(true), one event per edge: cheap at 50 Hz, costly at tens of
// kHz. Without them, a pad routed to a channel shows the level the output had when the
// channel was last configured.
type LEDC struct {
	c    *Chip
	blk  *block
	line irq

	raw, ena, conf uint32
	timers         [ledcTimers]ledcTimer
	ch             [ledcChannels]ledcChannel
	edges          bool
}

const (
	ledcBase     = 0x6001_9000
	ledcTimers   = 4
	ledcChannels = 6
	ledcSysBit   = 11 // SYSTEM.PERIP_CLK_EN0 / PERIP_RST_EN0 LEDC bit

	ledcChStride = 0x14
	ledcChCONF0  = 0x00
	ledcChHPOINT = 0x04
	ledcChDUTY   = 0x08
	ledcChCONF1  = 0x0C
	ledcChDUTYR  = 0x10
	ledcTimer0   = 0xA0 // LSTIMERn_CONF at 0xA0 + 8n, LSTIMERn_VALUE at 0xA4 + 8n
	ledcINTRAW   = 0xC0
	ledcINTST    = 0xC4
	ledcINTENA   = 0xC8
	ledcINTCLR   = 0xCC
	ledcCONF     = 0xD0
	ledcDATE     = 0xFC

	// SourceLEDC is the LEDC's interrupt-matrix source.
	SourceLEDC Source = 23
	// LEDCSignal0 is the GPIO matrix output signal of channel 0 (LEDC_LS_SIG_OUT0); channel
	// n drives LEDCSignal0 + n.
	LEDCSignal0 = 45
)

// CONF0 and LSTIMER_CONF bits.
const (
	ledcSigOutEn  = 1 << 2
	ledcIdleLv    = 1 << 3
	ledcChParaUp  = 1 << 4
	ledcOvfCntEn  = 1 << 15
	ledcTmPause   = 1 << 22
	ledcTmRst     = 1 << 23
	ledcTmTickSel = 1 << 24
	ledcTmParaUp  = 1 << 25
	ledcDutyStart = 1 << 31
)

type ledcTimer struct {
	conf uint32 // LSTIMERn_CONF as written (PARA_UP not stored)
	// The parameters in effect (from the last PARA_UP) and the counter's epoch.
	div     uint64
	res     uint
	running bool // not held in reset, not paused, a valid divider and clock
	t0      time.Duration
	hz      uint64 // the LEDC clock when t0 was set
}

// ledcSegment is a channel's duty over time from a period boundary on: base, then a duty
// change of num steps of scale every cycle periods (num = 0: none).
type ledcSegment struct {
	at         time.Duration // the boundary it starts at
	k0         uint64        // that boundary's period index on the timer
	base       uint32        // DUTY, 19 bits (4 fraction bits)
	inc        bool
	num, cycle uint32
	scale      uint32 // in steps (DUTY units of 16)
	hpoint     uint32
}

type ledcChannel struct {
	conf0, hpoint, duty, conf1 uint32 // as written
	cur                        ledcSegment
	next                       *ledcSegment // waiting for its boundary
	endEv, edgeEv              *Event
	level                      bool
}

func init() {
	registerModel("ledc", func(c *Chip) {
		l := &LEDC{c: c, line: irq{c: c, src: SourceLEDC}}
		l.blk = newBlock(c, "LEDC", ledcBase, ledcModelled)
		l.blk.sysBit = ledcSysBit
		periphOf(c).ledc = l
		l.reset()
		c.Hook(ledcBase, blockSize, wordDevice{l})
		c.OnPeripheralReset(0, ledcSysBit, l.reset)
	})
}

// LEDC returns the chip's LEDC model.
func (c *Chip) LEDC() *LEDC { return periphOf(c).ledc }

func (l *LEDC) lock()            { l.c.Lock() }
func (l *LEDC) unlock()          { l.c.Unlock() }
func (l *LEDC) regBlock() *block { return l.blk }

func ledcModelled(off uintptr) bool {
	return off < ledcChannels*ledcChStride || off >= ledcTimer0 && off < ledcTimer0+8*ledcTimers ||
		off >= ledcINTRAW && off <= ledcCONF
}

func (l *LEDC) reset() {
	for i := range l.ch {
		ch := &l.ch[i]
		for _, e := range []*Event{ch.endEv, ch.edgeEv} {
			if e != nil {
				e.Cancel()
			}
		}
		*ch = ledcChannel{}
	}
	for i := range l.timers {
		l.timers[i] = ledcTimer{conf: ledcTmRst}
	}
	l.raw, l.ena, l.conf = 0, 0, 0
	l.blk.reset()
	l.update()
	for i := range l.ch {
		l.refresh(i)
	}
}

func (l *LEDC) update() { l.line.set(l.raw&l.ena != 0) }

// clockHz is the LEDC clock CONF.APB_CLK_SEL selects (0: none).
func (l *LEDC) clockHz() uint64 {
	switch l.conf & 3 {
	case 1:
		return APBHz
	case 2:
		return periphRCFastHz
	case 3:
		return XTALHz
	}
	return 0
}

// periodTicks is a period of timer t in cycles of the LEDC clock × 256.
func (t *ledcTimer) periodTicks() uint64 { return t.div << t.res }

// index returns the period index of timer t at time at (0 from its epoch).
func (t *ledcTimer) index(at time.Duration) uint64 {
	return durationToTicks(at-t.t0, t.hz*256, t.periodTicks())
}

// boundary returns the start of period k of timer t.
func (t *ledcTimer) boundary(k uint64) time.Duration {
	return t.t0 + ticksToDuration(k, t.periodTicks(), t.hz*256)
}

func (l *LEDC) readReg(off uintptr) uint32 {
	switch {
	case off < ledcChannels*ledcChStride:
		ch := &l.ch[off/ledcChStride]
		switch off % ledcChStride {
		case ledcChCONF0:
			return ch.conf0
		case ledcChHPOINT:
			return ch.hpoint
		case ledcChDUTY:
			return ch.duty
		case ledcChCONF1:
			return ch.conf1
		case ledcChDUTYR:
			return l.dutyAt(int(off/ledcChStride), l.c.Now())
		}
	case off >= ledcTimer0 && off < ledcTimer0+8*ledcTimers:
		t := &l.timers[(off-ledcTimer0)/8]
		if off%8 == 0 {
			return t.conf
		}
		if !t.running {
			return 0
		}
		ticks := durationToTicks(l.c.Now()-t.t0, t.hz*256, t.div)
		return uint32(ticks % (1 << t.res))
	}
	switch off {
	case ledcINTRAW:
		return l.raw
	case ledcINTST:
		return l.raw & l.ena
	case ledcINTENA:
		return l.ena
	case ledcINTCLR:
		return 0
	case ledcCONF:
		return l.conf
	}
	l.blk.touch(off, false)
	return l.blk.load(off)
}

func (l *LEDC) writeReg(off uintptr, v uint32) {
	switch {
	case off < ledcChannels*ledcChStride:
		n := int(off / ledcChStride)
		ch := &l.ch[n]
		switch off % ledcChStride {
		case ledcChCONF0:
			ch.conf0 = v & 0x1_FFEF &^ ledcChParaUp
			if v&ledcOvfCntEn != 0 {
				l.blk.once("ovfcnt", "LSCH%d OVF_CNT_EN set: the overflow counter is not modelled", n)
			}
			if v&ledcChParaUp != 0 {
				l.paraUp(n)
			} else {
				l.refresh(n)
			}
		case ledcChHPOINT:
			ch.hpoint = v & 0x3FFF
		case ledcChDUTY:
			ch.duty = v & 0x7FFFF
		case ledcChCONF1:
			ch.conf1 = v
		}
		return
	case off >= ledcTimer0 && off < ledcTimer0+8*ledcTimers:
		if off%8 == 0 {
			l.writeTimer(int((off-ledcTimer0)/8), v)
		}
		return
	}
	switch off {
	case ledcINTENA:
		l.ena = v & 0xFFFF
		if v&0xF != 0 || v&0xFC00 != 0 {
			l.blk.once("ovfint", "the timer-overflow and OVF_CNT interrupts are not modelled (INT_ENA %#x)", v)
		}
		l.update()
	case ledcINTCLR:
		l.raw &^= v
		l.update()
	case ledcCONF:
		l.conf = v & 0x8000_0003
		if l.conf&3 == 0 {
			l.blk.once("noclk", "CONF.APB_CLK_SEL = 0: no LEDC clock, the timers stop")
		}
		for i := range l.timers {
			l.retime(i)
		}
	case ledcINTRAW, ledcINTST:
		// read-only in effect
	default:
		l.blk.touch(off, true)
		l.blk.store(off, v)
	}
}

// writeTimer handles a write to LSTIMERn_CONF.
func (l *LEDC) writeTimer(n int, v uint32) {
	t := &l.timers[n]
	t.conf = v & 0x1FF_FFFF
	if v&ledcTmTickSel != 0 {
		l.blk.once(fmt.Sprintf("ticksel%d", n), "LSTIMER%d TICK_SEL = 1 (REF_TICK) is not modelled; the timer counts the LEDC clock", n)
	}
	if v&ledcTmParaUp != 0 {
		t.div = uint64(field(v, 21, 4))
		t.res = uint(field(v, 3, 0))
		l.retime(n)
		return
	}
	run := l.shouldRun(t)
	if run != t.running {
		l.retime(n)
	}
}

func (l *LEDC) shouldRun(t *ledcTimer) bool {
	return t.conf&(ledcTmRst|ledcTmPause) == 0 && t.div >= 256 && t.res >= 1 && t.res <= 14 && l.clockHz() != 0
}

// retime restarts timer n's counter from 0 now with its current parameters; its channels
// keep the duty they output and lose any pending change.
func (l *LEDC) retime(n int) {
	t := &l.timers[n]
	now := l.c.Now()
	duties := [ledcChannels]uint32{}
	for i := range l.ch {
		duties[i] = l.dutyAt(i, now)
	}
	if t.div != 0 && t.div < 256 && t.conf&ledcTmRst == 0 {
		l.blk.once(fmt.Sprintf("div%d", n), "LSTIMER%d CLK_DIV %d is below 256 (1.0): the timer does not run", n, t.div)
	}
	t.running = l.shouldRun(t)
	t.t0, t.hz = now, l.clockHz()
	for i := range l.ch {
		ch := &l.ch[i]
		if int(ch.conf0&3) != n {
			continue
		}
		if ch.endEv != nil && ch.endEv.Pending() {
			ch.endEv.Cancel()
			l.blk.once(fmt.Sprintf("fadestop%d", i), "LSTIMER%d reconfigured while LSCH%d changed its duty: the change stops at duty %d", n, i, duties[i]>>4)
		}
		ch.next = nil
		ch.cur = ledcSegment{at: now, base: duties[i], hpoint: ch.cur.hpoint}
		l.refresh(i)
	}
}

// paraUp latches channel n's DUTY, HPOINT and CONF1 to take effect at its timer's next
// period boundary, and schedules DUTY_CHNG_END.
func (l *LEDC) paraUp(n int) {
	ch := &l.ch[n]
	t := &l.timers[ch.conf0&3]
	now := l.c.Now()
	l.settle(n, now)
	seg := ledcSegment{base: ch.duty, hpoint: ch.hpoint}
	if ch.conf1&ledcDutyStart != 0 {
		seg.inc = ch.conf1&(1<<30) != 0
		seg.num = field(ch.conf1, 29, 20)
		seg.cycle = field(ch.conf1, 19, 10)
		seg.scale = field(ch.conf1, 9, 0)
		if seg.cycle == 0 {
			seg.cycle = 1
			l.blk.once(fmt.Sprintf("cycle0-%d", n), "LSCH%d DUTY_CYCLE = 0 taken as 1", n)
		}
		if seg.num == 0 {
			l.blk.once(fmt.Sprintf("num0-%d", n), "LSCH%d DUTY_NUM = 0: no duty change and no DUTY_CHNG_END", n)
		}
		ch.conf1 &^= ledcDutyStart
	}
	if ch.endEv != nil {
		ch.endEv.Cancel()
		ch.endEv = nil
	}
	if !t.running {
		// No periods: the new duty applies at once, a duty change never ends.
		seg.at, seg.k0 = now, 0
		seg.num = 0
		ch.cur, ch.next = seg, nil
		l.refresh(n)
		return
	}
	k := t.index(now) + 1
	seg.at, seg.k0 = t.boundary(k), k
	ch.next = &seg
	if seg.num > 0 {
		end := t.boundary(k + uint64(seg.num)*uint64(seg.cycle))
		bit := uint32(1) << (4 + n)
		ch.endEv = l.c.Schedule(end, func() {
			ch.endEv = nil
			l.raw |= bit
			l.update()
		})
	}
	l.refresh(n)
}

// settle makes a pending segment current once its boundary has passed.
func (l *LEDC) settle(n int, at time.Duration) {
	ch := &l.ch[n]
	if ch.next != nil && at >= ch.next.at {
		ch.cur, ch.next = *ch.next, nil
	}
}

// segmentAt returns the segment of channel n in effect at time at.
func (l *LEDC) segmentAt(n int, at time.Duration) *ledcSegment {
	ch := &l.ch[n]
	if ch.next != nil && at >= ch.next.at {
		return ch.next
	}
	return &ch.cur
}

// dutyAt returns channel n's duty at time at, in DUTY units (4 fraction bits).
func (l *LEDC) dutyAt(n int, at time.Duration) uint32 {
	s := l.segmentAt(n, at)
	t := &l.timers[l.ch[n].conf0&3]
	d := int64(s.base)
	if s.num > 0 && t.running && at >= s.at {
		k := t.index(at) - s.k0
		steps := k / uint64(s.cycle)
		if steps > uint64(s.num) {
			steps = uint64(s.num)
		}
		delta := int64(steps) * int64(s.scale) << 4
		if s.inc {
			d += delta
		} else {
			d -= delta
		}
	}
	return uint32(min(max(d, 0), 0x7FFFF))
}

// levelAt returns channel n's output level at time at, and the next time after at the
// level may change (0: never, while nothing is written).
func (l *LEDC) levelAt(n int, at time.Duration) (bool, time.Duration) {
	ch := &l.ch[n]
	t := &l.timers[ch.conf0&3]
	idle := ch.conf0&ledcIdleLv != 0
	if ch.conf0&ledcSigOutEn == 0 || !t.running {
		return idle, 0
	}
	k := t.index(at)
	start := t.boundary(k)
	next := t.boundary(k + 1)
	if next <= at { // rounding: at is on the boundary
		k++
		start, next = next, t.boundary(k+1)
	}
	s := l.segmentAt(n, at)
	steps := uint64(1) << t.res
	hp := uint64(s.hpoint)
	d := uint64(l.dutyAt(n, at) >> 4)
	rise := start + ticksToDuration(hp, t.div, t.hz*256)
	fall := start + ticksToDuration(min(hp+d, steps), t.div, t.hz*256)
	high := d > 0 && at >= rise && at < fall
	switch {
	case d > 0 && at < rise:
		return high, rise
	case d > 0 && at < fall && fall < next:
		return high, fall
	}
	return high, next
}

// refresh brings channel n's output signal up to date: with edges on it (re)starts the
// chain of edge events, without them it sets the level the output has now.
func (l *LEDC) refresh(n int) {
	ch := &l.ch[n]
	if ch.edgeEv != nil {
		ch.edgeEv.Cancel()
		ch.edgeEv = nil
	}
	l.edge(n)
}

// edge sets channel n's signal to its level now and, with edges on, schedules the next.
func (l *LEDC) edge(n int) {
	ch := &l.ch[n]
	now := l.c.Now()
	l.settle(n, now)
	level, next := l.levelAt(n, now)
	ch.level = level
	if g := l.c.GPIO(); g != nil {
		g.setSignal(LEDCSignal0+n, level)
	}
	if l.edges && next > now {
		ch.edgeEv = l.c.schedule(next, func() { ch.edgeEv = nil; l.edge(n) }, true)
	}
}

// EmitEdges turns the edges on the channels' pins on or off (off by default; see LEDC).
func (l *LEDC) EmitEdges(on bool) {
	l.c.Lock()
	defer l.c.Unlock()
	l.edges = on
	for i := range l.ch {
		l.refresh(i)
	}
}

// PWM is what a pin routed to an LEDC channel carries, from the registers.
type PWM struct {
	Channel, Timer int
	// Running is false when the channel's output is off or its timer stopped: the pin then
	// holds Idle.
	Running bool
	Idle    bool
	// Period and High are the PWM period and the pulse width (the time high per period).
	Period, High time.Duration
	// Frequency is 1/Period in Hz.
	Frequency float64
	// Duty is High/Period, 0..1; Steps is the duty in timer steps of Resolution bits.
	Duty       float64
	Steps      uint32
	Resolution uint
}

// Measure returns the PWM signal on pin at the current virtual time, and false if no LEDC
// channel drives the pin (through the GPIO matrix).
func (l *LEDC) Measure(pin int) (PWM, bool) {
	checkPad(pin)
	l.c.Lock()
	defer l.c.Unlock()
	g := l.c.GPIO()
	sig := int(g.outSel[pin] & 0xFF)
	if sig < LEDCSignal0 || sig >= LEDCSignal0+ledcChannels || !ioMuxIsGPIO(pin, field(g.ioMux[pin], 14, 12)) {
		return PWM{}, false
	}
	return l.measure(sig-LEDCSignal0, l.c.Now()), true
}

// MeasureChannel returns the PWM signal channel n outputs at the current virtual time.
func (l *LEDC) MeasureChannel(n int) PWM {
	if n < 0 || n >= ledcChannels {
		panic(fmt.Sprintf("esp32c3: LEDC channel %d does not exist (the C3 has 0..5)", n))
	}
	l.c.Lock()
	defer l.c.Unlock()
	return l.measure(n, l.c.Now())
}

func (l *LEDC) measure(n int, at time.Duration) PWM {
	ch := &l.ch[n]
	ti := int(ch.conf0 & 3)
	t := &l.timers[ti]
	p := PWM{Channel: n, Timer: ti, Idle: ch.conf0&ledcIdleLv != 0}
	if ch.conf0&ledcSigOutEn == 0 || !t.running {
		return p
	}
	p.Running = true
	p.Resolution = t.res
	p.Period = ticksToDuration(1, t.periodTicks(), t.hz*256)
	p.Frequency = float64(t.hz) * 256 / float64(t.periodTicks())
	d := uint64(l.dutyAt(n, at))
	full := uint64(16) << t.res
	hp := uint64(l.segmentAt(n, at).hpoint) << 4
	if hp+d > full {
		d = full - min(hp, full)
	}
	p.Steps = uint32(d >> 4)
	p.Duty = float64(d) / float64(full)
	p.High = ticksToDuration(d, t.div, t.hz*256*16)
	return p
}
