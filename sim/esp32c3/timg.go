package esp32c3

import (
	"fmt"
	"time"

	"github.com/gohal/gohal/rt/host"
)

// TIMG models the timer groups TIMG0 (base 0x6001F000) and TIMG1 (base 0x60020000) of the
// ESP32-C3 (facts sheet section 4): the 54-bit timer T0 with its prescaler, direction,
// latch (T0UPDATE), load, alarm and autoreload, and the main watchdog (MWDT) with its four
// stages, prescaler, feed and write protection. Timer alarms and watchdog stages are
// events on the virtual clock; the counter is computed from virtual time when read.
//
// A watchdog stage whose action is a CPU or system reset cannot reboot a simulated chip: the
// model stops the watchdog, logs the reset and records it (WatchdogResets). If a test
// registered OnWatchdogReset callbacks they decide what happens next; otherwise a running
// firmware is stopped and Run returns the WatchdogReset as its error.
type TIMG struct {
	c       *Chip
	n       int
	blk     *block
	t0Line  irq
	wdtLine irq

	raw, ena uint32

	// T0: the counter is base at virtual time t0 and moves at hz/div ticks per second.
	running  bool
	increase bool
	hz, div  uint64
	base     uint64
	t0       time.Duration
	alarmEv  *Event

	// MWDT.
	wdtRunning bool
	stage      int
	stageStart time.Duration
	wdtEv      *Event
	resets     []WatchdogReset
	onReset    []func(WatchdogReset)
}

// WatchdogAction is what a watchdog stage does when it expires (WDT_STGn).
type WatchdogAction int

const (
	// WatchdogOff does nothing and moves on to the next stage.
	WatchdogOff WatchdogAction = iota
	// WatchdogInterrupt raises the watchdog interrupt.
	WatchdogInterrupt
	// WatchdogResetCPU resets the CPU.
	WatchdogResetCPU
	// WatchdogResetSystem resets the whole chip.
	WatchdogResetSystem
)

// WatchdogReset is a reset a watchdog stage asked for. It is the error Run returns when the
// reset ends a run.
type WatchdogReset struct {
	Group  int // 0 for TIMG0, 1 for TIMG1
	Stage  int
	Action WatchdogAction
	At     time.Duration
}

// Error describes the reset, with the virtual time it happened at.
func (r WatchdogReset) Error() string {
	kind := "CPU"
	if r.Action == WatchdogResetSystem {
		kind = "system"
	}
	return fmt.Sprintf("esp32c3: TIMG%d watchdog stage %d expired at %v: %s reset", r.Group, r.Stage, r.At, kind)
}

// Register offsets (SVD).
const (
	timgT0CONFIG    = 0x00
	timgT0LO        = 0x04
	timgT0HI        = 0x08
	timgT0UPDATE    = 0x0C
	timgT0ALARMLO   = 0x10
	timgT0ALARMHI   = 0x14
	timgT0LOADLO    = 0x18
	timgT0LOADHI    = 0x1C
	timgT0LOAD      = 0x20
	timgWDTCONFIG0  = 0x48
	timgWDTCONFIG1  = 0x4C
	timgWDTCONFIG2  = 0x50 // ..0x5C: stage hold times
	timgWDTCONFIG5  = 0x5C
	timgWDTFEED     = 0x60
	timgWDTWPROTECT = 0x64
	timgRTCCALICFG  = 0x68
	timgRTCCALICFG1 = 0x6C
	timgINTENA      = 0x70
	timgINTRAW      = 0x74
	timgINTST       = 0x78
	timgINTCLR      = 0x7C

	timgWDTKey = 0x50D8_3AA1 // WDTWPROTECT value that unlocks the MWDT registers
	timgMask54 = 1<<54 - 1
)

// T0CONFIG and WDTCONFIG0 bits.
const (
	timgT0En         = 1 << 31
	timgT0Increase   = 1 << 30
	timgT0Autoreload = 1 << 29
	timgT0DivcntRst  = 1 << 12
	timgT0AlarmEn    = 1 << 10
	timgT0UseXTAL    = 1 << 9
	timgWDTEn        = 1 << 31
	timgWDTUpdate    = 1 << 22
	timgWDTUseXTAL   = 1 << 21
	timgIntT0        = 1 << 0
	timgIntWDT       = 1 << 1
)

var timgBases = [2]uintptr{0x6001_F000, 0x6002_0000}

// timgModelled reports whether the model gives the register at off behaviour; REGCLK,
// the date and the calibration timeout are memory.
func timgModelled(off uintptr) bool {
	return off <= timgT0LOAD || off >= timgWDTCONFIG0 && off <= timgINTCLR
}

func init() {
	registerModel("timg", func(c *Chip) {
		t0 := [2]Source{SourceTG0T0, SourceTG1T0}
		wdt := [2]Source{SourceTG0WDT, SourceTG1WDT}
		for n, base := range timgBases {
			t := &TIMG{c: c, n: n, t0Line: irq{c: c, src: t0[n]}, wdtLine: irq{c: c, src: wdt[n]}}
			t.blk = newBlock(c, fmt.Sprintf("TIMG%d", n), base, timgModelled)
			t.blk.sysBit = timgResetBits[n]
			t.rebase()
			periphOf(c).timg[n] = t
			c.Hook(base, blockSize, wordDevice{t})
			c.OnPeripheralReset(0, timgResetBits[n], t.reset)
		}
	})
}

// timgResetBits are the timer groups' bits in SYSTEM.PERIP_CLK_EN0 and PERIP_RST_EN0.
var timgResetBits = [2]int{13, 15}

// reset returns the group to its reset state when firmware resets it through SYSTEM.
func (t *TIMG) reset() {
	for _, e := range []*Event{t.alarmEv, t.wdtEv} {
		if e != nil {
			e.Cancel()
		}
	}
	t.alarmEv, t.wdtEv = nil, nil
	t.raw, t.ena = 0, 0
	t.wdtRunning, t.stage = false, 0
	t.blk.reset()
	t.base, t.running = 0, false
	t.rebase()
	t.update()
}

// TIMG returns the model of timer group 0 or 1.
func (c *Chip) TIMG(n int) *TIMG {
	if n < 0 || n > 1 {
		panic(fmt.Sprintf("esp32c3: TIMG%d does not exist (the ESP32-C3 has TIMG0 and TIMG1)", n))
	}
	return periphOf(c).timg[n]
}

func (t *TIMG) lock()            { t.c.Lock() }
func (t *TIMG) unlock()          { t.c.Unlock() }
func (t *TIMG) regBlock() *block { return t.blk }

func (t *TIMG) readReg(off uintptr) uint32 {
	switch off {
	case timgINTENA:
		return t.ena
	case timgINTRAW:
		return t.raw
	case timgINTST:
		return t.raw & t.ena
	case timgINTCLR, timgT0LOAD, timgWDTFEED:
		return 0 // write-only
	}
	t.blk.touch(off, false)
	return t.blk.load(off)
}

func (t *TIMG) writeReg(off uintptr, v uint32) {
	t.blk.touch(off, true)
	switch off {
	case timgT0CONFIG:
		old := t.blk.load(off)
		t.blk.store(off, v&^timgT0DivcntRst)
		const rate = timgT0En | timgT0Increase | timgT0UseXTAL | 0xFFFF<<13
		if (old^v)&rate != 0 || v&timgT0DivcntRst != 0 {
			t.rebase()
		}
		t.scheduleAlarm()
	case timgT0UPDATE:
		// The latch completes at once, so T0_UPDATE reads 0 as soon as it is written.
		val := t.value()
		t.blk.store(timgT0LO, uint32(val))
		t.blk.store(timgT0HI, uint32(val>>32))
	case timgT0LO, timgT0HI:
		// read-only latch
	case timgT0LOAD:
		t.base = t.loadValue()
		t.t0 = t.c.Now()
		t.scheduleAlarm()
	case timgT0ALARMLO, timgT0ALARMHI, timgT0LOADLO, timgT0LOADHI:
		if off == timgT0ALARMHI || off == timgT0LOADHI {
			v &= 1<<22 - 1
		}
		t.blk.store(off, v)
		if off == timgT0ALARMLO || off == timgT0ALARMHI {
			t.scheduleAlarm()
		}
	case timgWDTWPROTECT:
		t.blk.store(off, v)
	case timgWDTCONFIG0, timgWDTCONFIG1, 0x50, 0x54, 0x58, timgWDTCONFIG5, timgWDTFEED:
		if t.blk.load(timgWDTWPROTECT) != timgWDTKey {
			t.blk.once("wprotect", "MWDT register write ignored: WDTWPROTECT is locked (write 0x%08X to unlock)", uint32(timgWDTKey))
			return
		}
		switch off {
		case timgWDTFEED:
			t.stage = 0
			t.stageStart = t.c.Now()
		case timgWDTCONFIG0:
			// CONF_UPDATE_EN is a write-only strobe. The model applies every MWDT write at
			// once, so it makes no difference whether firmware writes it (the UNCONFIRMED
			// point about clearing WDT_EN without it is settled permissively).
			t.blk.store(off, v&^timgWDTUpdate)
		case timgWDTCONFIG1:
			t.blk.store(off, v&^1) // WDT_DIVCNT_RST is a strobe
		default:
			t.blk.store(off, v)
		}
		t.wdtApply()
	case timgRTCCALICFG:
		t.calibrate(v)
	case timgINTENA:
		t.ena = v & (timgIntT0 | timgIntWDT)
		t.update()
	case timgINTCLR:
		t.raw &^= v
		t.update()
	case timgINTRAW, timgINTST, timgRTCCALICFG1:
		// read-only
	default:
		t.blk.store(off, v)
	}
}

func (t *TIMG) update() {
	st := t.raw & t.ena
	t.t0Line.set(st&timgIntT0 != 0)
	t.wdtLine.set(st&timgIntWDT != 0)
}

// rate returns the counter's source clock and prescaler. DIVIDER = 0 divides by 65536 (ESP-IDF's
// timer_ll writes 0 for 65536). DIVIDER = 1 divides by 2 like 2 does: that is esp-hal's
// reading, which leaves the reset value 1 in place and counts 20 MHz from the 40 MHz
// crystal; ESP-IDF calls 0 and 1 invalid prescales and never writes 1, so no source
// contradicts it (an UNCONFIRMED point in the facts sheet, settled this way).
func (t *TIMG) rate(cfg uint32) (hz, div uint64) {
	hz = APBHz
	if cfg&timgT0UseXTAL != 0 {
		hz = XTALHz
	}
	div = uint64(field(cfg, 28, 13))
	switch div {
	case 0:
		div = 65536
	case 1:
		div = 2
	}
	return hz, div
}

// value is the counter at the current virtual time.
func (t *TIMG) value() uint64 {
	if !t.running {
		return t.base
	}
	ticks := durationToTicks(t.c.Now()-t.t0, t.hz, t.div)
	if t.increase {
		return (t.base + ticks) & timgMask54
	}
	return (t.base - ticks) & timgMask54
}

// rebase folds the ticks counted so far into base and adopts the current configuration.
func (t *TIMG) rebase() {
	t.base = t.value()
	t.t0 = t.c.Now()
	cfg := t.blk.load(timgT0CONFIG)
	t.running = cfg&timgT0En != 0
	t.increase = cfg&timgT0Increase != 0
	t.hz, t.div = t.rate(cfg)
}

func (t *TIMG) loadValue() uint64 {
	return uint64(t.blk.load(timgT0LOADLO)) | uint64(t.blk.load(timgT0LOADHI))<<32
}

// scheduleAlarm arms the comparator. It fires when the running counter reaches or passes
// the alarm value (counting down: reaches or falls below it), so an alarm set in the past
// fires at once. A stopped timer never fires.
func (t *TIMG) scheduleAlarm() {
	if t.alarmEv != nil {
		t.alarmEv.Cancel()
		t.alarmEv = nil
	}
	if t.blk.load(timgT0CONFIG)&timgT0AlarmEn == 0 || !t.running {
		return
	}
	alarm := uint64(t.blk.load(timgT0ALARMLO)) | uint64(t.blk.load(timgT0ALARMHI))<<32
	var need uint64 // ticks from t0 until the alarm
	if t.increase {
		if alarm < t.base {
			t.alarm()
			return
		}
		need = alarm - t.base
	} else {
		if alarm > t.base {
			t.alarm()
			return
		}
		need = t.base - alarm
	}
	at := t.t0 + ticksToDuration(need, t.div, t.hz)
	if at <= t.c.Now() {
		t.alarm()
		return
	}
	t.alarmEv = t.c.Schedule(at, t.alarm)
}

// alarm latches INT_RAW.T0 and clears ALARM_EN, as the hardware does (inferred from
// ESP-IDF's timer ISR, which re-enables the alarm after each one, and esp-hal's schedule,
// which sets it again before every start); with AUTORELOAD the counter restarts from LOAD.
func (t *TIMG) alarm() {
	t.alarmEv = nil
	t.raw |= timgIntT0
	cfg := t.blk.load(timgT0CONFIG)
	t.blk.store(timgT0CONFIG, cfg&^timgT0AlarmEn)
	if cfg&timgT0Autoreload != 0 {
		t.base = t.loadValue()
		t.t0 = t.c.Now()
	}
	t.update()
}

// wdtClock returns the MWDT tick source and prescaler.
func (t *TIMG) wdtClock() (hz, prescale uint64) {
	hz = APBHz
	if t.blk.load(timgWDTCONFIG0)&timgWDTUseXTAL != 0 {
		hz = XTALHz
	}
	prescale = uint64(field(t.blk.load(timgWDTCONFIG1), 31, 16))
	if prescale == 0 {
		t.blk.once("wdtprescale0", "WDT_CLK_PRESCALE = 0: counting the watchdog as if it were 1")
		prescale = 1
	}
	return hz, prescale
}

// wdtApply starts, stops or re-times the watchdog after a write to its registers.
func (t *TIMG) wdtApply() {
	en := t.blk.load(timgWDTCONFIG0)&timgWDTEn != 0
	switch {
	case en && !t.wdtRunning:
		t.wdtRunning = true
		t.stage = 0
		t.stageStart = t.c.Now()
	case !en:
		t.wdtRunning = false
	}
	t.wdtSchedule()
}

func (t *TIMG) wdtSchedule() {
	if t.wdtEv != nil {
		t.wdtEv.Cancel()
		t.wdtEv = nil
	}
	if !t.wdtRunning {
		return
	}
	hz, prescale := t.wdtClock()
	hold := uint64(t.blk.load(timgWDTCONFIG2 + uintptr(4*t.stage)))
	t.wdtEv = t.c.Schedule(t.stageStart+ticksToDuration(hold, prescale, hz), t.wdtExpire)
}

// wdtExpire performs the expired stage's action and moves to the next stage; after stage 3
// the watchdog starts over at stage 0.
func (t *TIMG) wdtExpire() {
	t.wdtEv = nil
	action := WatchdogAction(field(t.blk.load(timgWDTCONFIG0), uint(30-2*t.stage), uint(29-2*t.stage)))
	switch action {
	case WatchdogInterrupt:
		t.raw |= timgIntWDT
		t.update()
	case WatchdogResetCPU, WatchdogResetSystem:
		r := WatchdogReset{Group: t.n, Stage: t.stage, Action: action, At: t.c.Now()}
		t.c.Logf("%v", r)
		t.resets = append(t.resets, r)
		for _, f := range t.onReset {
			f(r)
		}
		if len(t.onReset) == 0 && host.Current() == t.c.Machine() {
			t.c.Stop(r)
		}
		t.wdtRunning = false
		return
	}
	t.stage = (t.stage + 1) % 4
	t.stageStart = t.c.Now()
	t.wdtSchedule()
}

// calibrate answers an RTC slow-clock calibration at once: RTC_CALI_RDY follows
// RTC_CALI_START and RTC_CALI_VALUE holds the XTAL cycles that RTC_CALI_MAX cycles of the
// selected slow clock take at its nominal frequency.
func (t *TIMG) calibrate(v uint32) {
	const start, rdy = 1 << 31, 1 << 15
	v &^= rdy
	if v&start != 0 {
		slow := uint64(136_000) // RC_SLOW
		switch field(v, 14, 13) {
		case 1:
			slow = periphRCFastHz / 256
		case 2:
			slow = 32_768 // XTAL32K
		}
		cycles := uint64(field(v, 30, 16)) * XTALHz / slow
		t.blk.store(timgRTCCALICFG1, uint32(cycles)<<7)
		v |= rdy
	}
	t.blk.store(timgRTCCALICFG, v)
}

// OnWatchdogReset registers f to be called when a watchdog stage asks for a reset. It runs
// with the chip lock held and must not call back into the chip.
func (t *TIMG) OnWatchdogReset(f func(WatchdogReset)) {
	t.c.Lock()
	defer t.c.Unlock()
	t.onReset = append(t.onReset, f)
}

// WatchdogResets returns the resets this group's watchdog has asked for.
func (t *TIMG) WatchdogResets() []WatchdogReset {
	t.c.Lock()
	defer t.c.Unlock()
	return append([]WatchdogReset(nil), t.resets...)
}
