// Package wdt is gohal's watchdog driver for the ESP32-C3: the RTC watchdog (RWDT, in
// RTC_CNTL) and the two timer groups' main watchdogs (MWDT0 in TIMG0, MWDT1 in TIMG1).
//
//	p, _ := hal.Init(hal.Config{})                  // every watchdog off, as esp-hal's init
//	w, err := wdt.NewMWDT(p.MWDT0, wdt.Config{Timeout: 500 * time.Millisecond})
//	w.Enable()
//	for {
//		work()
//		w.Feed()                                   // miss 500 ms of feeds: the system resets
//	}
//
// # Stages
//
// A watchdog counts through up to four stages. Stage 0 starts when the watchdog is enabled
// or fed and lasts Config.Timeout; when it expires the watchdog does Config.Action and
// moves to stage 1 (Config.Then[0]), and so on. Feeding restarts stage 0. A stage with no
// timeout ends the list: after the last configured stage the watchdog idles, doing
// nothing, until it is fed. Actions are ResetSystem (the default: the digital system
// resets, reset cause TG0WDT_SYS_RESET, TG1WDT_SYS_RESET or RTCWDT_SYS_RESET), ResetCPU
// (the CPU only: TG0WDT_CPU_RESET, TG1WDT_CPU_RESET, RTCWDT_CPU_RESET), ResetChip (RWDT
// only: the RTC domain too, RTCWDT_RTC_RESET), Interrupt (Config.OnInterrupt runs in the
// watchdog's interrupt handler: TG0_WDT, TG1_WDT or RTC_CORE) and Off.
//
// # Clocks and timeouts
//
// An MWDT counts the 40 MHz crystal (WDT_USE_XTAL = 1) through a 16-bit prescaler shared
// by its stages, each stage holding up to 2³²−1 ticks: New picks the smallest prescaler the
// longest stage needs (or a larger one that divides every stage exactly), so timeouts run
// from 25 ns to about 81 days. The RWDT counts the
// RTC slow clock (RC_SLOW, nominally 136 kHz, unless RTC_CNTL_CLK_CONF selects the 32 kHz
// crystal or RC_FAST/256); its stage 0 counts in units of 2 << WDT_DELAY_SEL slow cycles (an
// eFuse field, so 2 on most chips, as ESP-IDF's rwdt_ll applies it). RC_SLOW is an RC
// oscillator: the chip's real RWDT period differs from the nominal one by several percent
// (esp-hal calibrates it; gohal does not yet).
//
// A timeout the clock cannot reach within 1% (TolerancePercent), or outside the
// watchdog's range, is a *TimeoutError naming the nearest reachable timeout; Timeouts
// returns the timeouts the hardware actually got.
//
// # Registers and write protection
//
// Every write to a watchdog's registers is bracketed by its write-protect key (WDT_WKEY
// 0x50D83AA1 for both kinds; the super watchdog's key, which gohal leaves to hal.Init, is
// another) and a lock (0). The sequences follow esp-hal's Wdt and Rwdt: the MWDT is
// configured with CONF_UPDATE_EN written after each change (needed on the C3),
// FLASHBOOT_MOD_EN cleared, the reset pulse lengths at 7 (3.2 µs). Feed writes WDTFEED
// (RTC_WDTFEED.WDT_FEED for the RWDT) inside a critical section, so a Feed from an
// interrupt handler cannot land between another Feed's unlock and its feed. Feed allocates
// nothing and may be called from interrupt handlers.
//
// # Ownership
//
// NewMWDT and NewRWDT claim the watchdog's token (periph.MWDT, periph.RWDT): a watchdog is
// configured by one driver at a time, and a second New is a *periph.InUseError naming the
// owner. An MWDT's token is apart from its group's TIMG token, so hal/timer may run the
// group's timer meanwhile. hal.Init turns every watchdog off by default (Config.Watchdogs);
// a driver takes one over from there, and Close disables it and releases it.
package wdt

import (
	"math/bits"
	"time"

	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/internal/itoa"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/rtc_cntl"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/pac/esp32c3/timg"
	"github.com/gohal/gohal/rt"
)

// Action is what a stage does when it expires.
type Action uint8

// The stage actions. The zero Action is ResetSystem.
const (
	// ResetSystem resets the digital system (CPU and peripherals; the RTC domain keeps
	// its state).
	ResetSystem Action = iota
	// ResetCPU resets the CPU only.
	ResetCPU
	// Interrupt raises the watchdog's interrupt: Config.OnInterrupt runs.
	Interrupt
	// ResetChip (RWDT only) resets the digital system and the RTC domain.
	ResetChip
	// Off does nothing; the next stage starts.
	Off
)

var actionNames = [...]string{"ResetSystem", "ResetCPU", "Interrupt", "ResetChip", "Off"}

// String names the action.
func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(?)"
}

// Stage is one of stages 1..3: how long it lasts after the stage before it expired, and what
// it does when it expires.
type Stage struct {
	Timeout time.Duration
	Action  Action
}

// Config configures a watchdog.
type Config struct {
	// Timeout is stage 0's: how long after Enable or the last Feed the watchdog acts.
	Timeout time.Duration
	// Action is what stage 0 does when it expires (ResetSystem when zero).
	Action Action
	// Then are stages 1..3, in order; the first with a zero Timeout ends the list.
	Then [3]Stage
	// OnInterrupt runs in the watchdog's interrupt handler when an Interrupt stage
	// expires (the interrupt is cleared first). Required when a stage's action is
	// Interrupt. It must not block or allocate; it may Feed.
	OnInterrupt func()
	// Priority is the interrupt's priority (1..15; 0 means DefaultPriority).
	Priority rt.Priority
}

// DefaultPriority is the watchdog interrupt's priority when Config.Priority is 0.
const DefaultPriority rt.Priority = 1

// TolerancePercent is how far, in percent of the timeout asked for, the timeout the clock
// can reach may be from it.
const TolerancePercent = 1

// Write-protection key of the MWDTs and the RWDT (esp32c3-facts.md §4; ESP-IDF's
// RTC_CNTL_WDT_WKEY_VALUE and TIMG_WDT_WKEY_VALUE).
const wkey = 0x50D83AA1

// Clocks.
const (
	xtalHz     = 40_000_000
	rcSlowHz   = 136_000
	xtal32kHz  = 32_768
	rcFastD256 = 17_500_000 / 256
	maxHold    = 1<<32 - 1
	maxPresc   = 1<<16 - 1
	nsPerSec   = uint64(time.Second)
)

// Which watchdog a driver is.
const (
	idMWDT0 = 0
	idMWDT1 = 1
	idRWDT  = 2
	numIDs  = 3
)

var idNames = [numIDs]string{"MWDT0", "MWDT1", "RWDT"}

// ConfigError is a configuration New refuses, naming the watchdog and the problem.
type ConfigError struct {
	Watchdog string
	Problem  string
}

// Error says what is wrong: "wdt: MWDT0: ...".
func (e *ConfigError) Error() string { return "wdt: " + e.Watchdog + ": " + e.Problem }

// TimeoutError is New's error for a stage timeout the watchdog's clock cannot reach within
// TolerancePercent: below one tick, above the range, or between two reachable values too
// far apart. Nearest is the reachable timeout nearest to Requested.
type TimeoutError struct {
	Watchdog  string
	Stage     int
	Requested time.Duration
	Nearest   time.Duration
	Clock     string // the clock the watchdog counts, for the message
	Problem   string // "is shorter than the shortest", "is longer than the longest" or "is not within 1% of any"
}

// Error says what is wrong and names the nearest reachable timeout: "wdt: RWDT stage 0: a
// timeout of 20µs is shorter than the shortest timeout the RC_SLOW (136 kHz nominal) can
// count; the nearest reachable timeout is 14.706µs".
func (e *TimeoutError) Error() string {
	return "wdt: " + e.Watchdog + " stage " + string(rune('0'+e.Stage)) + ": a timeout of " + e.Requested.String() +
		" " + e.Problem + " timeout the " + e.Clock + " can count; the nearest reachable timeout is " + e.Nearest.String()
}

// Watchdog is a configured watchdog: an MWDT or the RWDT.
type Watchdog struct {
	id       uint8
	closed   bool
	enabled  bool
	bound    bool
	prescale uint32    // MWDT: WDT_CLK_PRESCALE
	holds    [4]uint32 // stage hold registers
	acts     [4]uint32 // stage action codes as the hardware takes them
	timeouts [4]time.Duration
	stages   int
	prio     rt.Priority
}

// callbacks are the OnInterrupt functions; handlers are plain functions per watchdog, so
// binding allocates nothing.
var (
	callbacks [numIDs]func()
	handlers  = [numIDs]func(){onMWDT0, onMWDT1, onRWDT}
)

// NewMWDT configures the main watchdog of timer group t.Number() and leaves it disabled:
// Enable starts it.
func NewMWDT(t periph.MWDT, cfg Config) (*Watchdog, error) {
	g := t.Number()
	if g < 0 || g >= periph.NumMWDTs {
		return nil, periph.ErrNoSuchResource
	}
	w := &Watchdog{id: uint8(g)}
	if err := w.plan(cfg); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindMWDT, g, "wdt.Watchdog"); err != nil {
		return nil, err
	}
	w.configure(cfg)
	return w, nil
}

// NewRWDT configures the RTC watchdog and leaves it disabled: Enable starts it.
func NewRWDT(_ periph.RWDT, cfg Config) (*Watchdog, error) {
	w := &Watchdog{id: idRWDT}
	if err := w.plan(cfg); err != nil {
		return nil, err
	}
	if err := periph.Claim(periph.KindRWDT, 0, "wdt.Watchdog"); err != nil {
		return nil, err
	}
	w.configure(cfg)
	return w, nil
}

// Name returns "MWDT0", "MWDT1" or "RWDT".
func (w *Watchdog) Name() string { return idNames[w.id] }

func (w *Watchdog) check() {
	if w.closed {
		panic("wdt: " + w.Name() + " used after Close")
	}
}

// Timeouts returns the configured stages' timeouts as the hardware counts them (within
// TolerancePercent of those asked for); stage 0's is first.
func (w *Watchdog) Timeouts() []time.Duration { return w.timeouts[:w.stages] }

// Timeout returns stage 0's timeout as the hardware counts it.
func (w *Watchdog) Timeout() time.Duration { return w.timeouts[0] }

// Enabled reports whether the watchdog runs.
func (w *Watchdog) Enabled() bool { return w.enabled }

// plan validates cfg and computes the registers' values.
func (w *Watchdog) plan(cfg Config) error {
	if cfg.Priority > rt.MaxPriority {
		return &ConfigError{w.Name(), "interrupt priority must be 1..15 (0 for the default)"}
	}
	w.prio = cfg.Priority
	if w.prio == 0 {
		w.prio = DefaultPriority
	}
	var req [4]time.Duration
	var acts [4]Action
	req[0], acts[0] = cfg.Timeout, cfg.Action
	w.stages = 1
	for i, s := range cfg.Then {
		if s.Timeout == 0 {
			break
		}
		req[i+1], acts[i+1] = s.Timeout, s.Action
		w.stages++
	}
	if cfg.Timeout <= 0 {
		return &ConfigError{w.Name(), "Config.Timeout (stage 0) must be positive"}
	}
	interrupt := false
	for i := 0; i < w.stages; i++ {
		if req[i] < 0 {
			return &ConfigError{w.Name(), "a stage timeout must be positive"}
		}
		code, ok := w.actionCode(acts[i])
		if !ok {
			if acts[i] == ResetChip {
				return &ConfigError{w.Name(), "ResetChip is the RWDT's action; an MWDT resets the system or the CPU"}
			}
			return &ConfigError{w.Name(), "unknown stage action"}
		}
		w.acts[i] = code
		interrupt = interrupt || acts[i] == Interrupt
	}
	if interrupt && cfg.OnInterrupt == nil {
		return &ConfigError{w.Name(), "an Interrupt stage needs Config.OnInterrupt"}
	}
	for i := w.stages; i < 4; i++ {
		w.holds[i] = maxHold // idle until fed
	}
	if w.id == idRWDT {
		return w.planRWDT(req)
	}
	return w.planMWDT(req)
}

// actionCode maps an Action to the stage field's value: 0 off, 1 interrupt, 2 CPU reset,
// 3 system reset, and for the RWDT 4 RTC reset.
func (w *Watchdog) actionCode(a Action) (uint32, bool) {
	switch a {
	case Off:
		return 0, true
	case Interrupt:
		return 1, true
	case ResetCPU:
		return 2, true
	case ResetSystem:
		return 3, true
	case ResetChip:
		return 4, w.id == idRWDT
	}
	return 0, false
}

// mulDivRound returns round(a·b/c), saturating at 2⁶⁴−1.
func mulDivRound(a, b, c uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	lo, carry := bits.Add64(lo, c/2, 0)
	hi += carry
	if hi >= c {
		return 1<<64 - 1
	}
	q, _ := bits.Div64(hi, lo, c)
	return q
}

// durationOf returns the time ticks cycles of a hz clock take, to the nearest nanosecond.
func durationOf(ticks, hz uint64) time.Duration {
	ns := mulDivRound(ticks, nsPerSec, hz)
	if ns > 1<<63-1 {
		ns = 1<<63 - 1
	}
	return time.Duration(ns)
}

// fit returns the hold value (in units of unit cycles of a hz clock) nearest to d, and the
// timeout it gives, or the *TimeoutError.
func (w *Watchdog) fit(stage int, d time.Duration, hz, unit uint64, clock string) (uint32, time.Duration, error) {
	h := mulDivRound(uint64(d), hz, nsPerSec*unit)
	problem := "is not within 1% of any"
	if h < 1 {
		h, problem = 1, "is shorter than the shortest"
	}
	if h > maxHold {
		h, problem = maxHold, "is longer than the longest"
	}
	got := durationOf(h*unit, hz)
	diff := got - d
	if diff < 0 {
		diff = -diff
	}
	if uint64(diff)*100 > uint64(d)*TolerancePercent {
		return 0, 0, &TimeoutError{Watchdog: w.Name(), Stage: stage, Requested: d, Nearest: got, Clock: clock, Problem: problem}
	}
	return uint32(h), got, nil
}

func (w *Watchdog) planMWDT(req [4]time.Duration) error {
	// The prescaler the longest stage needs.
	var longest uint64
	for i := 0; i < w.stages; i++ {
		if t := mulDivRound(uint64(req[i]), xtalHz, nsPerSec); t > longest {
			longest = t
		}
	}
	p := (longest + maxHold - 1) / maxHold
	if p < 1 {
		p = 1
	}
	if p > maxPresc {
		p = maxPresc
	}
	// A larger prescaler that divides every stage exactly beats the smallest one that only
	// comes close: three hours is 108 × 4,000,000,000 ticks, not 101 × 4,277,227,723.
	for q := p; p > 1 && q <= maxPresc; q++ {
		exact := true
		for i := 0; i < w.stages && exact; i++ {
			exact = mulDivRound(uint64(req[i]), xtalHz, nsPerSec)%q == 0
		}
		if exact {
			p = q
			break
		}
	}
	w.prescale = uint32(p)
	clock := "40 MHz crystal"
	if p > 1 {
		clock = "40 MHz crystal divided by " + itoa.Utoa(p) + " (the prescaler the longest stage needs)"
	}
	for i := 0; i < w.stages; i++ {
		h, got, err := w.fit(i, req[i], xtalHz, p, clock)
		if err != nil {
			return err
		}
		w.holds[i], w.timeouts[i] = h, got
	}
	return nil
}

// slowClock returns the RTC slow clock's nominal rate and name (RTC_CNTL_CLK_CONF
// ANA_CLK_RTC_SEL: 0 RC_SLOW, 1 the 32 kHz crystal, 2 RC_FAST/256).
func slowClock() (uint64, string) {
	switch esp32c3.RTC_CNTL.RTC_CLK_CONF.Read().ANA_CLK_RTC_SEL() {
	case 1:
		return xtal32kHz, "32.768 kHz crystal (XTAL32K)"
	case 2:
		return rcFastD256, "RC_FAST/256 (68.36 kHz)"
	}
	return rcSlowHz, "RC_SLOW (136 kHz nominal)"
}

// stage0Unit is the RWDT stage 0 multiplier: 2 << EFUSE WDT_DELAY_SEL.
func stage0Unit() uint64 {
	return 2 << esp32c3.EFUSE.RD_REPEAT_DATA1.Read().WDT_DELAY_SEL()
}

func (w *Watchdog) planRWDT(req [4]time.Duration) error {
	hz, clock := slowClock()
	for i := 0; i < w.stages; i++ {
		unit := uint64(1)
		if i == 0 {
			unit = stage0Unit()
		}
		h, got, err := w.fit(i, req[i], hz, unit, clock)
		if err != nil {
			return err
		}
		w.holds[i], w.timeouts[i] = h, got
	}
	return nil
}

func mwdtRegs(id uint8) *timg.TIMG {
	if id == idMWDT1 {
		return esp32c3.TIMG1
	}
	return esp32c3.TIMG0
}

// unlock and lock write the write-protect key and 0.
func (w *Watchdog) unlock() {
	if w.id == idRWDT {
		esp32c3.RTC_CNTL.RTC_WDTWPROTECT.Write(rtc_cntl.RTC_WDTWPROTECTValue(0).WithWDT_WKEY(wkey))
		return
	}
	mwdtRegs(w.id).WDTWPROTECT.Write(timg.WDTWPROTECTValue(0).WithWDT_WKEY(wkey))
}

func (w *Watchdog) lock() {
	if w.id == idRWDT {
		esp32c3.RTC_CNTL.RTC_WDTWPROTECT.Write(0)
		return
	}
	mwdtRegs(w.id).WDTWPROTECT.Write(0)
}

func (w *Watchdog) usesCPUReset() bool {
	for i := 0; i < w.stages; i++ {
		if w.acts[i] == 2 {
			return true
		}
	}
	return false
}

func (w *Watchdog) usesInterrupt() bool {
	for i := 0; i < w.stages; i++ {
		if w.acts[i] == 1 {
			return true
		}
	}
	return false
}

// configure writes the planned configuration, the watchdog disabled, and binds the
// interrupt if a stage raises it.
func (w *Watchdog) configure(cfg Config) {
	if w.usesInterrupt() {
		callbacks[w.id] = cfg.OnInterrupt
	}
	cs := rt.EnterCritical()
	if w.id == idRWDT {
		w.configureRWDT()
	} else {
		w.configureMWDT()
	}
	cs.Exit()
	if w.usesInterrupt() {
		w.bind()
	}
}

func (w *Watchdog) configureMWDT() {
	s := esp32c3.SYSTEM
	r := mwdtRegs(w.id)
	// The group's clock on (never its reset: hal/timer may run the group's timer).
	if w.id == idMWDT0 {
		s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithTIMERGROUP_CLK_EN(true) })
	} else {
		s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithTIMERGROUP1_CLK_EN(true) })
	}
	r.REGCLK.Write(r.REGCLK.Read().WithCLK_EN(true))
	w.unlock()
	r.WDTCONFIG0.Write(r.WDTCONFIG0.Read().WithWDT_EN(false).WithWDT_CONF_UPDATE_EN(true))
	r.WDTCONFIG1.Write(timg.WDTCONFIG1Value(0).WithWDT_CLK_PRESCALE(w.prescale).WithWDT_DIVCNT_RST(true))
	r.WDTCONFIG2.Write(timg.WDTCONFIG2Value(w.holds[0]))
	r.WDTCONFIG3.Write(timg.WDTCONFIG3Value(w.holds[1]))
	r.WDTCONFIG4.Write(timg.WDTCONFIG4Value(w.holds[2]))
	r.WDTCONFIG5.Write(timg.WDTCONFIG5Value(w.holds[3]))
	r.WDTCONFIG0.Write(w.mwdtConfig0(false))
	w.lock()
}

// mwdtConfig0 is WDTCONFIG0 as configured, enabled or not, with CONF_UPDATE_EN.
func (w *Watchdog) mwdtConfig0(en bool) timg.WDTCONFIG0Value {
	return timg.WDTCONFIG0Value(0).
		WithWDT_STG0(w.acts[0]).WithWDT_STG1(w.acts[1]).WithWDT_STG2(w.acts[2]).WithWDT_STG3(w.acts[3]).
		WithWDT_CPU_RESET_LENGTH(7).WithWDT_SYS_RESET_LENGTH(7).
		WithWDT_PROCPU_RESET_EN(w.usesCPUReset()).
		WithWDT_USE_XTAL(true).WithWDT_FLASHBOOT_MOD_EN(false).
		WithWDT_EN(en).WithWDT_CONF_UPDATE_EN(true)
}

func (w *Watchdog) configureRWDT() {
	r := esp32c3.RTC_CNTL
	w.unlock()
	r.RTC_WDTCONFIG0.Write(0)
	r.RTC_WDTCONFIG1.Write(rtc_cntl.RTC_WDTCONFIG1Value(w.holds[0]))
	r.RTC_WDTCONFIG2.Write(rtc_cntl.RTC_WDTCONFIG2Value(w.holds[1]))
	r.RTC_WDTCONFIG3.Write(rtc_cntl.RTC_WDTCONFIG3Value(w.holds[2]))
	r.RTC_WDTCONFIG4.Write(rtc_cntl.RTC_WDTCONFIG4Value(w.holds[3]))
	r.RTC_WDTCONFIG0.Write(w.rwdtConfig0(false))
	w.lock()
}

// rwdtConfig0 is RTC_WDTCONFIG0 as configured (esp-hal's Rwdt::enable fields).
func (w *Watchdog) rwdtConfig0(en bool) rtc_cntl.RTC_WDTCONFIG0Value {
	return rtc_cntl.RTC_WDTCONFIG0Value(0).
		WithWDT_STG0(w.acts[0]).WithWDT_STG1(w.acts[1]).WithWDT_STG2(w.acts[2]).WithWDT_STG3(w.acts[3]).
		WithWDT_CPU_RESET_LENGTH(7).WithWDT_SYS_RESET_LENGTH(7).
		WithWDT_PROCPU_RESET_EN(w.usesCPUReset()).
		WithWDT_PAUSE_IN_SLP(true).WithWDT_FLASHBOOT_MOD_EN(false).
		WithWDT_EN(en)
}

// Enable feeds the watchdog and starts it: stage 0 begins now.
func (w *Watchdog) Enable() {
	w.check()
	cs := rt.EnterCritical()
	w.unlock()
	w.feed()
	if w.id == idRWDT {
		esp32c3.RTC_CNTL.RTC_WDTCONFIG0.Write(w.rwdtConfig0(true))
	} else {
		mwdtRegs(w.id).WDTCONFIG0.Write(w.mwdtConfig0(true))
	}
	w.lock()
	w.enabled = true
	cs.Exit()
}

// Disable stops the watchdog; Enable starts it again with the same configuration.
func (w *Watchdog) Disable() {
	w.check()
	cs := rt.EnterCritical()
	w.disable()
	cs.Exit()
}

func (w *Watchdog) disable() {
	w.unlock()
	if w.id == idRWDT {
		esp32c3.RTC_CNTL.RTC_WDTCONFIG0.Write(w.rwdtConfig0(false))
	} else {
		mwdtRegs(w.id).WDTCONFIG0.Write(w.mwdtConfig0(false))
	}
	w.lock()
	w.enabled = false
}

// Feed restarts stage 0. It allocates nothing and may be called from interrupt handlers.
func (w *Watchdog) Feed() {
	w.check()
	cs := rt.EnterCritical()
	w.unlock()
	w.feed()
	w.lock()
	cs.Exit()
}

// feed writes the feed register; the caller has unlocked.
func (w *Watchdog) feed() {
	if w.id == idRWDT {
		esp32c3.RTC_CNTL.RTC_WDTFEED.Write(rtc_cntl.RTC_WDTFEEDValue(0).WithRTC_WDT_FEED(true))
		return
	}
	mwdtRegs(w.id).WDTFEED.Write(timg.WDTFEEDValue(0).WithWDT_FEED(1))
}

// Close disables the watchdog, unbinds its interrupt and releases it.
func (w *Watchdog) Close() {
	w.check()
	cs := rt.EnterCritical()
	w.disable()
	cs.Exit()
	if w.bound {
		w.unbind()
	}
	w.closed = true
	if w.id == idRWDT {
		periph.Release(periph.KindRWDT, 0)
	} else {
		periph.Release(periph.KindMWDT, int(w.id))
	}
}

// Interrupts.

// Source returns the interrupt source of watchdog w: TG0_WDT, TG1_WDT or RTC_CORE.
func (w *Watchdog) Source() rt.Source { return source(w.id) }

func source(id uint8) rt.Source {
	switch id {
	case idMWDT0:
		return rt.Source(esp32c3.IRQ_TG0_WDT_LEVEL)
	case idMWDT1:
		return rt.Source(esp32c3.IRQ_TG1_WDT_LEVEL)
	}
	return rt.Source(esp32c3.IRQ_RTC_CORE)
}

func (w *Watchdog) bind() {
	setIntEnable(w.id, false)
	clearInt(w.id)
	rt.Bind(source(w.id), handlers[w.id])
	rt.Enable(source(w.id), w.prio)
	setIntEnable(w.id, true)
	w.bound = true
}

func (w *Watchdog) unbind() {
	setIntEnable(w.id, false)
	rt.Disable(source(w.id))
	rt.Unbind(source(w.id))
	callbacks[w.id] = nil
	w.bound = false
}

// setIntEnable sets the watchdog's bit of INT_ENA in a critical section: hal/timer writes
// the same TIMG register for its alarm.
func setIntEnable(id uint8, on bool) {
	cs := rt.EnterCritical()
	if id == idRWDT {
		r := esp32c3.RTC_CNTL
		r.INT_ENA_RTC.Write(r.INT_ENA_RTC.Read().WithRTC_WDT_INT_ENA(on))
	} else {
		r := mwdtRegs(id)
		r.INT_ENA_TIMG.Write(r.INT_ENA_TIMG.Read().WithWDT_INT_ENA(on))
	}
	cs.Exit()
}

func clearInt(id uint8) {
	if id == idRWDT {
		esp32c3.RTC_CNTL.INT_CLR_RTC.Write(rtc_cntl.INT_CLR_RTCValue(0).WithRTC_WDT_INT_CLR(true))
		return
	}
	mwdtRegs(id).INT_CLR_TIMG.Write(timg.INT_CLR_TIMGValue(0).WithWDT_INT_CLR(true))
}

func pending(id uint8) bool {
	if id == idRWDT {
		return esp32c3.RTC_CNTL.INT_ST_RTC.Read().RTC_WDT_INT_ST()
	}
	return mwdtRegs(id).INT_ST_TIMG.Read().WDT_INT_ST()
}

func onMWDT0() { onInterrupt(idMWDT0) }
func onMWDT1() { onInterrupt(idMWDT1) }
func onRWDT()  { onInterrupt(idRWDT) }

// onInterrupt is the watchdog interrupt handler: if the watchdog's interrupt is pending,
// clear it (the level line drops) and run the OnInterrupt callback. It allocates nothing.
func onInterrupt(id uint8) {
	if !pending(id) {
		return
	}
	clearInt(id)
	if f := callbacks[id]; f != nil {
		f()
	}
}
