package esp32c3

import (
	"fmt"
	"time"

	"github.com/gohal/gohal/rt/host"
	"github.com/gohal/gohal/rt/mmio"
)

// This file models the RTC watchdog (RWDT, in RTC_CNTL; facts sheet §4) and turns the
// watchdogs' reset actions into chip resets with the TRM's reset causes.
//
// The RWDT counts the RTC slow clock at its nominal rate (RC_SLOW 136 kHz, or what
// RTC_CNTL_CLK_CONF.ANA_CLK_RTC_SEL selects: the 32 kHz crystal, RC_FAST/256) in virtual
// time, through four stages whose hold times are RTC_WDTCONFIG1..4; stage 0's hold counts
// in units of 2 << EFUSE WDT_DELAY_SEL cycles (ESP-IDF's rwdt_ll). RTC_WDTFEED.WDT_FEED
// restarts stage 0. RTC_WDTCONFIG0..4 and RTC_WDTFEED ignore writes unless
// RTC_WDTWPROTECT holds 0x50D83AA1 (the log says so, once). An Interrupt stage latches
// INT_RAW_RTC.RTC_WDT (bit 3), raising the RTC_CORE source (27) while INT_ENA_RTC has it.
// The model hooks RTC_CNTL's interrupt registers (0x40..0x4C) and the RWDT's
// (0x90..0xA8); the rest of RTC_CNTL (the super watchdog included) stays memory.
//
// A stage whose action is a reset, of the RWDT or of a timer group's MWDT (timg.go), resets
// the chip: the model records a ChipReset with the reset cause the TRM's table gives
// (RTCWDT_SYS_RESET, TG0WDT_CPU_RESET, ...), writes it into RTC_CNTL_RESET_STATE's
// RESET_CAUSE_PROCPU, logs it, and ends a running firmware's Run with the *ChipReset as its
// error (it wraps the TIMG model's WatchdogReset for an MWDT). A test that registers its
// own TIMG OnWatchdogReset callback decides for itself, as before. At power-on the model
// writes POWERON_RESET into RESET_CAUSE_PROCPU.

// ResetCause is a reset cause code as RTC_CNTL_RESET_STATE.RESET_CAUSE_PROCPU holds it, with
// the TRM's names (ESP-IDF's RESET_REASON, rom/rtc.h).
type ResetCause uint8

// Reset causes.
const (
	PowerOnReset   ResetCause = 1
	TG0WDTSysReset ResetCause = 7
	TG1WDTSysReset ResetCause = 8
	RTCWDTSysReset ResetCause = 9
	TG0WDTCPUReset ResetCause = 11
	RTCWDTCPUReset ResetCause = 13
	RTCWDTRTCReset ResetCause = 16
	TG1WDTCPUReset ResetCause = 17
)

var resetCauseNames = map[ResetCause]string{
	1: "POWERON_RESET", 3: "RTC_SW_SYS_RESET", 5: "DEEPSLEEP_RESET", 7: "TG0WDT_SYS_RESET",
	8: "TG1WDT_SYS_RESET", 9: "RTCWDT_SYS_RESET", 10: "INTRUSION_RESET", 11: "TG0WDT_CPU_RESET",
	12: "RTC_SW_CPU_RESET", 13: "RTCWDT_CPU_RESET", 15: "RTCWDT_BROWN_OUT_RESET",
	16: "RTCWDT_RTC_RESET", 17: "TG1WDT_CPU_RESET", 18: "SUPER_WDT_RESET", 19: "GLITCH_RTC_RESET",
	20: "EFUSE_RESET", 21: "USB_UART_CHIP_RESET", 22: "USB_JTAG_CHIP_RESET", 23: "POWER_GLITCH_RESET",
}

// String returns the TRM's name, e.g. "TG0WDT_SYS_RESET".
func (c ResetCause) String() string {
	if s, ok := resetCauseNames[c]; ok {
		return s
	}
	return fmt.Sprintf("RESET_CAUSE_%d", uint8(c))
}

// Cause returns the reset cause of a timer-group watchdog reset: TG0WDT_SYS_RESET,
// TG1WDT_SYS_RESET, TG0WDT_CPU_RESET or TG1WDT_CPU_RESET.
func (r WatchdogReset) Cause() ResetCause {
	switch {
	case r.Action == WatchdogResetCPU && r.Group == 1:
		return TG1WDTCPUReset
	case r.Action == WatchdogResetCPU:
		return TG0WDTCPUReset
	case r.Group == 1:
		return TG1WDTSysReset
	}
	return TG0WDTSysReset
}

// ChipReset is a reset of the simulated chip by a watchdog. It is the error Run returns
// when the reset ends a run.
type ChipReset struct {
	Cause    ResetCause
	At       time.Duration // virtual time of the reset
	Watchdog string        // "MWDT0", "MWDT1" or "RWDT"
	Stage    int           // the stage that expired
	mwdt     *WatchdogReset
}

// Error says what reset the chip, when: "esp32c3: chip reset at 1.5s: TG0WDT_SYS_RESET
// (MWDT0 stage 0 expired)".
func (r *ChipReset) Error() string {
	return fmt.Sprintf("esp32c3: chip reset at %v: %v (%s stage %d expired)", r.At, r.Cause, r.Watchdog, r.Stage)
}

// Unwrap returns the TIMG model's WatchdogReset for an MWDT reset.
func (r *ChipReset) Unwrap() error {
	if r.mwdt != nil {
		return *r.mwdt
	}
	return nil
}

// RTC_CNTL addresses the model uses.
const (
	rtcBase         = 0x6000_8000
	rtcIntEna       = 0x40
	rtcIntRaw       = 0x44
	rtcIntSt        = 0x48
	rtcIntClr       = 0x4C
	rtcClkConf      = 0x70
	rtcResetState   = 0x38
	rtcWDTConfig0   = 0x90
	rtcWDTConfig4   = 0xA0
	rtcWDTFeed      = 0xA4
	rtcWDTWProtect  = 0xA8
	rtcWDTKey       = 0x50D8_3AA1
	rtcIntWDT       = 1 << 3
	rtcWDTEn        = 1 << 31
	rtcWDTFeedBit   = 1 << 31
	efuseRepeat1    = 0x6000_8834 // EFUSE RD_REPEAT_DATA1: WDT_DELAY_SEL [17:16]
	SourceRTCCore   = Source(27)
	rtcSlowRCHz     = 136_000
	rtcSlowXTAL32Hz = 32_768
	rtcSlowRCFast   = periphRCFastHz / 256
)

// RWDT models the RTC watchdog.
type RWDT struct {
	c          *Chip
	line       irq
	raw, ena   uint32
	running    bool
	stage      int
	stageStart time.Duration
	ev         *Event
	seen       map[string]bool
	resets     []ChipReset
}

func init() {
	registerModel("wdt", func(c *Chip) {
		w := &RWDT{c: c, line: irq{c: c, src: SourceRTCCore}, seen: map[string]bool{}}
		c.rwdt = w
		c.Hook(rtcBase+rtcIntEna, 0x10, w)
		c.Hook(rtcBase+rtcWDTConfig0, rtcWDTWProtect+4-rtcWDTConfig0, w)
		// Power-on: the reset cause the ROM reads.
		st := mmio.Peek(rtcBase+rtcResetState, 4)
		mmio.Poke(rtcBase+rtcResetState, 4, st&^0x3F|uint64(PowerOnReset))
		// MWDT resets: turn the TIMG model's WatchdogReset into a ChipReset. This callback
		// is each group's first; when a test adds its own, the test decides.
		for n := 0; n < 2; n++ {
			t := c.TIMG(n)
			t.OnWatchdogReset(func(r WatchdogReset) {
				cr := ChipReset{Cause: r.Cause(), At: r.At, Watchdog: fmt.Sprintf("MWDT%d", r.Group), Stage: r.Stage, mwdt: &r}
				w.reset(cr, len(t.onReset) == 1)
			})
		}
	})
}

// RWDT returns the chip's RTC watchdog model.
func (c *Chip) RWDT() *RWDT { return c.rwdt }

// Resets returns the watchdog resets of the chip so far, MWDT and RWDT, in order.
func (c *Chip) Resets() []ChipReset {
	c.Lock()
	defer c.Unlock()
	return append([]ChipReset(nil), c.rwdt.resets...)
}

// reset records a chip reset (chip lock held) and, if stop and firmware runs, ends the run.
func (w *RWDT) reset(r ChipReset, stop bool) {
	w.resets = append(w.resets, r)
	st := mmio.Peek(rtcBase+rtcResetState, 4)
	mmio.Poke(rtcBase+rtcResetState, 4, st&^0x3F|uint64(r.Cause))
	w.c.Logf("%v", &r)
	if stop && host.Current() == w.c.Machine() {
		w.c.Stop(&r)
	}
}

func (w *RWDT) once(key, format string, args ...any) {
	if w.seen[key] {
		return
	}
	w.seen[key] = true
	w.c.Logf("RTC_CNTL: "+format, args...)
}

// Running reports whether the RWDT counts, and which stage.
func (w *RWDT) Running() (bool, int) {
	w.c.Lock()
	defer w.c.Unlock()
	return w.running, w.stage
}

// Read implements mmio.Device.
func (w *RWDT) Read(addr uintptr, size int) uint64 {
	w.c.Lock()
	defer w.c.Unlock()
	off := (addr - rtcBase) &^ 3
	var v uint32
	switch off {
	case rtcIntEna:
		v = w.ena
	case rtcIntRaw:
		v = w.raw
	case rtcIntSt:
		v = w.raw & w.ena
	case rtcIntClr, rtcWDTFeed:
		v = 0 // write-only
	default:
		v = uint32(mmio.Peek(rtcBase+off, 4))
	}
	return subRead(v, addr, size)
}

// Write implements mmio.Device.
func (w *RWDT) Write(addr uintptr, size int, val uint64) {
	w.c.Lock()
	defer w.c.Unlock()
	off := (addr - rtcBase) &^ 3
	switch off {
	case rtcIntEna:
		w.ena = subWrite(w.ena, addr, size, val)
		w.update()
		return
	case rtcIntClr:
		w.raw &^= subWrite(0, addr, size, val)
		w.update()
		return
	case rtcIntRaw, rtcIntSt:
		return // read-only
	case rtcWDTWProtect:
		mmio.Poke(addr, size, val)
		return
	}
	if uint32(mmio.Peek(rtcBase+rtcWDTWProtect, 4)) != rtcWDTKey {
		w.once("wprotect", "RWDT register write ignored: RTC_WDTWPROTECT is locked (write 0x%08X to unlock)", uint32(rtcWDTKey))
		return
	}
	if off == rtcWDTFeed {
		if subWrite(0, addr, size, val)&rtcWDTFeedBit != 0 && w.running {
			w.stage = 0
			w.stageStart = w.c.Now()
			w.schedule()
		}
		return
	}
	mmio.Poke(addr, size, val)
	en := uint32(mmio.Peek(rtcBase+rtcWDTConfig0, 4))&rtcWDTEn != 0
	switch {
	case en && !w.running:
		w.running, w.stage, w.stageStart = true, 0, w.c.Now()
	case !en:
		w.running = false
	}
	w.schedule()
}

func (w *RWDT) update() { w.line.set(w.raw&w.ena != 0) }

// slowHz is the RTC slow clock's nominal rate.
func (w *RWDT) slowHz() uint64 {
	switch mmio.Peek(rtcBase+rtcClkConf, 4) >> 30 & 3 {
	case 1:
		return rtcSlowXTAL32Hz
	case 2:
		return rtcSlowRCFast
	}
	return rtcSlowRCHz
}

// holdTicks is the current stage's hold in slow-clock cycles.
func (w *RWDT) holdTicks() uint64 {
	hold := mmio.Peek(rtcBase+rtcWDTConfig0+4+uintptr(4*w.stage), 4)
	if hold == 0 {
		w.once("hold0", "RWDT stage %d hold is 0: counting it as 1 cycle", w.stage)
		hold = 1
	}
	if w.stage == 0 {
		hold *= 2 << (mmio.Peek(efuseRepeat1, 4) >> 16 & 3)
	}
	return hold
}

// StageTimeout returns how long stage s lasts with the current registers.
func (w *RWDT) StageTimeout(s int) time.Duration {
	w.c.Lock()
	defer w.c.Unlock()
	saved := w.stage
	w.stage = s
	d := ticksToDuration(w.holdTicks(), 1, w.slowHz())
	w.stage = saved
	return d
}

func (w *RWDT) schedule() {
	if w.ev != nil {
		w.ev.Cancel()
		w.ev = nil
	}
	if !w.running {
		return
	}
	w.ev = w.c.Schedule(w.stageStart+ticksToDuration(w.holdTicks(), 1, w.slowHz()), w.expire)
}

// expire performs the expired stage's action (RTC_WDTCONFIG0 STGn, 3 bits from bit 28 down:
// 0 off, 1 interrupt, 2 CPU reset, 3 system reset, 4 RTC reset) and moves to the next
// stage; after stage 3 the watchdog starts over at stage 0.
func (w *RWDT) expire() {
	w.ev = nil
	cfg := uint32(mmio.Peek(rtcBase+rtcWDTConfig0, 4))
	action := field(cfg, uint(30-3*w.stage), uint(28-3*w.stage))
	var cause ResetCause
	switch action {
	case 1:
		w.raw |= rtcIntWDT
		w.update()
	case 2:
		cause = RTCWDTCPUReset
	case 3:
		cause = RTCWDTSysReset
	case 4:
		cause = RTCWDTRTCReset
	}
	if cause != 0 {
		w.running = false
		w.reset(ChipReset{Cause: cause, At: w.c.Now(), Watchdog: "RWDT", Stage: w.stage}, true)
		return
	}
	w.stage = (w.stage + 1) % 4
	w.stageStart = w.c.Now()
	w.schedule()
}
