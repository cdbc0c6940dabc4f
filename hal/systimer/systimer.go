// Package systimer is the ESP32-C3 SYSTIMER driver of gohal's HAL. Today it is the async
// time driver (async.TimeDriver) on a SYSTIMER alarm; it is named after the peripheral, not
// its first use, because the SYSTIMER's other comparators belong here too.
//
// Time: unit 0's 52-bit counter runs at 16 MHz from reset (esp32c3-facts.md §3); an
// async.Instant is that count divided by 16, microseconds since reset. The counter is read
// as esp-hal and ESP-IDF read it (write UPDATE, wait for VALUE_VALID, then LO, HI, LO again
// until both LO reads agree), inside a critical section, so Now is safe from any context.
//
// Alarms: the executors of core k wait on comparator 1+k, in target mode on unit 0, its
// level interrupt (source SYSTIMER_TARGET1+k) bound on core k. Comparator 0 is left to the
// application (the blinky example keeps it). The ESP32-C3 has one core, so comparator 2 is
// used only by the simulator's two-core test configuration.
//
// Start sets it all up at run time (TinyGo runs package init at compile time, so nothing
// here touches hardware before Start) and installs the driver with async.SetTimeDriver:
//
//	if err := systimer.Start(1); err != nil { ... } // alarm interrupt at priority 1, this core
//	t := async.After(500 * async.Millisecond)       // timers now work
//
// hal/executor calls Start for you.
package systimer

import (
	"errors"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/pac/esp32c3"
	st "github.com/gohal/gohal/pac/esp32c3/systimer"
	"github.com/gohal/gohal/rt"
)

// TicksPerMicrosecond is the SYSTIMER counting rate: XTAL (40 MHz) ÷ 2.5 = 16 MHz.
const TicksPerMicrosecond = 16

// MaxCores is the number of cores the driver serves: one comparator each, after the
// application's comparator 0.
const MaxCores = 2

// DefaultPriority is the alarm interrupt's priority when Start is called by hal/executor.
const DefaultPriority rt.Priority = 1

// Errors returned by Start.
var (
	ErrPriority = errors.New("systimer: alarm priority must be 1..15")
	ErrCore     = errors.New("systimer: the time driver serves cores 0 and 1 only (comparators 1 and 2)")
)

// Driver is the time driver: the zero-size value installed with async.SetTimeDriver.
type Driver struct{}

var _ async.TimeDriver = Driver{}

// Comparator returns the SYSTIMER comparator that serves core's timers.
func Comparator(core int) int { return 1 + core }

// Source returns the interrupt source of core's alarm.
func Source(core int) rt.Source {
	return rt.Source(esp32c3.IRQ_SYSTIMER_TARGET0) + rt.Source(Comparator(core))
}

// handlers are plain functions, one per core, so binding them allocates nothing.
var handlers = [MaxCores]func(){onAlarm0, onAlarm1}

func onAlarm0() { onAlarm(0) }
func onAlarm1() { onAlarm(1) }

// onAlarm is the alarm interrupt's handler: acknowledge the comparator (its level goes
// down), then wake the due timers of this core and re-arm for the next one.
func onAlarm(core int) {
	esp32c3.SYSTIMER.INT_CLR.Write(st.INT_CLRValue(1) << Comparator(core))
	async.ExpireTimersOf(Driver{})
}

// Start sets up the current core's alarm with its interrupt at priority p (1..15) and
// installs the time driver. It is idempotent per core: when the alarm is already set up
// (its interrupt enabled in SYSTIMER.INT_ENA) a second call keeps the first priority and
// returns nil. Call it on each core whose executors use timers. hal.Init and hal/executor
// call it for the core they run on.
//
// Whether the alarm is set up is read from the hardware, not remembered in a variable, so a
// fresh simulated chip (or a chip after reset) is set up again.
func Start(p rt.Priority) error {
	if p < 1 || p > rt.MaxPriority {
		return ErrPriority
	}
	core := rt.CoreID()
	if core >= MaxCores {
		return ErrCore
	}
	k := Comparator(core)
	s := esp32c3.SYSTIMER
	cs := rt.EnterCritical()
	if s.INT_ENA.Read()&(1<<k) != 0 {
		cs.Exit()
		return nil
	}
	// Unit 0 counts (it does from reset), and does not stall while a debugger halts the
	// CPU (esp-hal clears the stall bit too). The comparator starts disarmed, in target
	// mode on unit 0, with its interrupt enabled in the peripheral.
	s.CONF.Write(s.CONF.Read().WithTIMER_UNIT0_WORK_EN(true).WithTIMER_UNIT0_CORE0_STALL_EN(false) &^ workEn(k))
	s.TARGET_CONF[k].Write(st.TARGET_CONFValue(0))
	s.INT_CLR.Write(st.INT_CLRValue(1) << k)
	s.INT_ENA.Write(s.INT_ENA.Read() | 1<<k)
	if firstPriority == 0 {
		firstPriority = p
	}
	cs.Exit()
	async.SetTimeDriver(Driver{})
	rt.Bind(Source(core), handlers[core])
	rt.Enable(Source(core), p)
	return nil
}

// firstPriority is the alarm priority of the first Start since the time driver was last
// uninstalled (0: none). StartHere uses it on the other cores. Written in critical sections.
var firstPriority rt.Priority

// StartHere sets up the current core's alarm at the priority the first Start chose, if the
// time driver runs (hal.Init starts it on the core it runs on, unless
// hal.Config.NoTimeDriver); without it, it does nothing, and async timers panic with
// async.ErrNoTimeDriver as documented. hal/executor's constructors call it, so that timers
// work on every core that has an executor, without a second priority setting.
func StartHere() error {
	cs := rt.EnterCritical()
	p := firstPriority
	cs.Exit()
	if p == 0 {
		return nil
	}
	return Start(p)
}

// ResetForTest uninstalls the time driver and forgets the first Start's priority, whatever
// core (or test goroutine) calls it: hal.ResetForTest calls it between firmware runs.
func ResetForTest() {
	cs := rt.EnterCritical()
	firstPriority = 0
	cs.Exit()
	async.SetTimeDriver(nil)
}

// Started reports whether the current core's alarm is set up.
func Started() bool {
	core := rt.CoreID()
	return core < MaxCores && esp32c3.SYSTIMER.INT_ENA.Read()&(1<<Comparator(core)) != 0
}

// Stop disarms the current core's alarm and unbinds its interrupt; when no core's alarm is
// left, it uninstalls the time driver. For tests and firmware that shut down.
func Stop() {
	core := rt.CoreID()
	if core >= MaxCores || !Started() {
		return
	}
	k := Comparator(core)
	rt.Disable(Source(core))
	rt.Unbind(Source(core))
	s := esp32c3.SYSTIMER
	cs := rt.EnterCritical()
	s.CONF.Write(s.CONF.Read() &^ workEn(k))
	s.INT_ENA.Write(s.INT_ENA.Read() &^ (1 << k))
	s.INT_CLR.Write(st.INT_CLRValue(1) << k)
	left := s.INT_ENA.Read()&(1<<Comparator(0)|1<<Comparator(1)) != 0
	cs.Exit()
	if !left {
		cs := rt.EnterCritical()
		firstPriority = 0
		cs.Exit()
		async.SetTimeDriver(nil)
	}
}

// workEn is CONF's TARGETk_WORK_EN bit (TARGET0 at bit 24, TARGET1 at 23, TARGET2 at 22).
func workEn(k int) st.CONFValue { return st.CONFValue(1) << (24 - k) }

// Register updates below are Read then Write, not Modify with a closure: SetAlarm runs in
// the alarm interrupt (through async.ExpireTimersOf), and TinyGo heap-allocates a closure that
// captures a variable.

// validPolls bounds the wait for TIMER_UNIT_VALUE_VALID: far above the chip's few cycles.
const validPolls = 10_000

// Ticks returns SYSTIMER unit 0's counter, 16 MHz ticks since reset.
func Ticks() uint64 {
	s := esp32c3.SYSTIMER
	cs := rt.EnterCritical()
	s.UNIT_OP[0].Write(st.UNIT_OPValue(0).WithTIMER_UNIT_UPDATE(true))
	// VALID follows UPDATE within a few cycles of the 16 MHz clock. A bound turns "it never
	// does" (no simulated chip running: a time driver left installed by an earlier program,
	// read from a test's goroutine) into a message instead of a hang.
	for n := 0; !s.UNIT_OP[0].Read().TIMER_UNIT_VALUE_VALID(); n++ {
		if n == validPolls {
			cs.Exit()
			panic("systimer: TIMER_UNIT_VALUE_VALID never set after UPDATE: SYSTIMER is not counting" + notCountingHint)
		}
	}
	var lo, hi uint32
	for {
		lo = s.UNIT_VALUE[0].LO.Read().TIMER_UNIT_VALUE_LO()
		hi = s.UNIT_VALUE[0].HI.Read().TIMER_UNIT_VALUE_HI()
		if s.UNIT_VALUE[0].LO.Read().TIMER_UNIT_VALUE_LO() == lo {
			break
		}
	}
	cs.Exit()
	return uint64(hi)<<32 | uint64(lo)
}

// Now returns the current time: unit 0's counter in microseconds.
func Now() async.Instant { return async.Instant(Ticks() / TicksPerMicrosecond) }

// Now returns the current time (async.TimeDriver).
func (Driver) Now() async.Instant { return Now() }

// SetAlarm arms core's comparator for at and reports true, or reports false and leaves it
// disarmed when at has already passed (async.TimeDriver). It follows ESP-IDF's sequence:
// disable the comparator, clear its interrupt, write the target, load it, enable. The
// counter is read after enabling, so a target the counter passes while it is being armed is
// never lost: either the check sees it passed (the comparator is disarmed again and the
// caller expires the timer itself) or the counter was still below it when armed, and the
// comparator fires.
func (Driver) SetAlarm(core int, at async.Instant) bool {
	if core < 0 || core >= MaxCores {
		core = 0
	}
	k := Comparator(core)
	target := uint64(at) * TicksPerMicrosecond
	if target >= 1<<52 {
		target = 1<<52 - 1 // beyond the counter's 8.9 years: never in practice
	}
	s := esp32c3.SYSTIMER
	cs := rt.EnterCritical()
	s.CONF.Write(s.CONF.Read() &^ workEn(k))
	s.INT_CLR.Write(st.INT_CLRValue(1) << k)
	s.TARGET[k].HI.Write(st.TARGET_HIValue(0).WithTIMER_TARGET_HI(uint32(target >> 32)))
	s.TARGET[k].LO.Write(st.TARGET_LOValue(0).WithTIMER_TARGET_LO(uint32(target)))
	s.COMP_LOAD[k].Write(st.COMP_LOADValue(0).WithTIMER_COMP_LOAD(true))
	s.CONF.Write(s.CONF.Read() | workEn(k))
	if Ticks() >= target {
		// Passed while arming: disarm, so the caller's own expiry is the only one.
		s.CONF.Write(s.CONF.Read() &^ workEn(k))
		s.INT_CLR.Write(st.INT_CLRValue(1) << k)
		cs.Exit()
		return false
	}
	cs.Exit()
	return true
}

// Alarm returns the target of core's comparator in microseconds and whether it is armed
// (enabled and not yet fired), for tests and diagnostics.
func Alarm(core int) (at async.Instant, armed bool) {
	if core < 0 || core >= MaxCores {
		return 0, false
	}
	k := Comparator(core)
	s := esp32c3.SYSTIMER
	cs := rt.EnterCritical()
	hi := uint64(s.TARGET[k].HI.Read().TIMER_TARGET_HI())
	lo := uint64(s.TARGET[k].LO.Read().TIMER_TARGET_LO())
	en := s.CONF.Read()&workEn(k) != 0
	raw := s.INT_RAW.Read()&(1<<k) != 0
	cs.Exit()
	target := hi<<32 | lo
	return async.Instant(target / TicksPerMicrosecond), en && !raw && Ticks() < target
}
