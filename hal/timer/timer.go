// Package timer is gohal's timer driver for the ESP32-C3: one-shot and periodic timers on
// timer 0 of the timer groups TIMG0 and TIMG1, with blocking waits and, after IntoAsync,
// futures completed by the timer's alarm interrupt; and Delay, which waits by busy-waiting
// on the SYSTIMER (blocking) or through the async time driver (async).
//
//	p, _ := hal.Init(hal.Config{})
//	t, err := timer.NewOneShot(p.TIMG1, timer.Config{})
//	err = t.Delay(250 * async.Microsecond)        // blocking: schedule, wait for the alarm
//	tick, _ := timer.NewPeriodic(p.TIMG0, timer.Config{})
//	at := tick.IntoAsync()                        // tick is consumed
//	at.Start(10 * async.Millisecond)
//	w := at.WaitAsync()                           // a future: poll it from a task
//	timer.Delay{}.DelayUs(10)                     // busy-wait 10 µs on the SYSTIMER
//
// # Registers
//
// The driver follows esp-hal's TIMG sequences (esp32c3-facts.md §4). At construction the
// group's clock is switched on (SYSTEM.PERIP_CLK_EN0, released from reset), REGCLK.CLK_EN
// set, the timer stopped and clocked from the 40 MHz crystal (T0CONFIG.USE_XTAL = 1)
// divided by 2: the timer counts at 20 MHz, as under esp-hal. esp-hal leaves DIVIDER at its
// reset value 1, which it reads as ÷2; gohal writes 2 (with DIVCNT_RST, timer stopped),
// which is ÷2 under either reading of the unconfirmed point, so the rate does not hang on
// it. Schedule is esp-hal's: stop, clear the interrupt, counter := 0 (LOADLO/HI, then
// LOAD), AUTORELOAD for periodic timers, ALARMLO/HI = µs × 20, then start (EN, ALARM_EN).
// At the alarm the hardware sets INT_RAW.T0 and clears ALARM_EN; a periodic timer's
// counter reloads to 0 and its wait sets ALARM_EN again after clearing INT_RAW.T0, so its
// ticks do not drift as long as each is consumed within one period (ticks missed by a late
// task collapse into one).
//
// # Ownership
//
// NewOneShot and NewPeriodic claim the group's token: a second timer on a group is an
// error naming it and its owner. Under TinyGo, TIMG0's timer 0 is the runtime's clock
// (time.Now, time.Sleep) and hal.Init claims it, so a timer on p.TIMG0 fails there with a
// *periph.InUseError saying so; use TIMG1. On the simulator both groups are free.
//
// # Blocking and async
//
// Timers are Blocking when constructed: Wait polls INT_RAW.T0 until the alarm, and returns
// ErrNotScheduled instead of hanging when no alarm is armed (never scheduled, stopped, or
// a one-shot alarm already consumed). IntoAsync binds the group's timer interrupt
// (TG0_T0 / TG1_T0) on the current core at Config.Priority and returns AsyncOneShot or
// AsyncPeriodic, which keep the blocking methods and add WaitAsync (and DelayAsync): the
// future enables INT_ENA.T0 and sleeps; the interrupt handler reads INT_ST, clears
// INT_ENA.T0 and wakes the task; the future sees INT_RAW.T0, clears it and completes.
// Cancel clears INT_ENA.T0. One wait per timer at a time: polling a second WaitAsync or
// DelayAsync while one is pending panics, naming the timer and both. The consumed Blocking
// value panics when used, with a message saying so.
package timer

import (
	"errors"
	"github.com/gohal/gohal/hal/internal/irqevent"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/pac/esp32c3"
	"github.com/gohal/gohal/pac/esp32c3/system"
	"github.com/gohal/gohal/pac/esp32c3/timg"
	"github.com/gohal/gohal/rt"
)

// TicksPerMicrosecond is the timers' counting rate: the 40 MHz crystal divided by 2.
const TicksPerMicrosecond = 20

// MaxDuration is the longest alarm: the 54-bit counter at 20 MHz, about 28.5 years.
const MaxDuration = async.Duration((1<<54 - 1) / TicksPerMicrosecond)

// DefaultPriority is the alarm interrupt's priority when Config.Priority is 0.
const DefaultPriority rt.Priority = 1

// Config configures a timer.
type Config struct {
	// Priority is the alarm interrupt's priority (1..15) once IntoAsync binds it; 0 means
	// DefaultPriority.
	Priority rt.Priority
}

// ErrNotScheduled is Wait's error when no alarm is armed: the timer was never scheduled,
// was stopped, or its one-shot alarm has already been waited for.
var ErrNotScheduled = errors.New("timer: no alarm is scheduled")

// ConfigError is a configuration or duration the driver refuses, naming the timer group
// and the problem.
type ConfigError struct {
	Group   int
	Problem string
}

// Error says what is wrong: "timer: TIMG1: a timer duration must be at least 1 µs".
func (e *ConfigError) Error() string {
	return "timer: " + periph.Name(periph.KindTIMG, e.Group) + ": " + e.Problem
}

// Source returns the timer interrupt source of group (TG0_T0 or TG1_T0).
func Source(group int) rt.Source {
	if group == 1 {
		return rt.Source(esp32c3.IRQ_TG1_T0_LEVEL)
	}
	return rt.Source(esp32c3.IRQ_TG0_T0_LEVEL)
}

// handle is one driver value's claim on its group; see hal/gpio.
type handle struct {
	g    uint8
	kind string
	gone string
	prio rt.Priority
	// await is the typed awaits' future (AwaitAlarm, AwaitDelay): a local would escape.
	await DelayFuture
}

func (h *handle) name() string { return periph.Name(periph.KindTIMG, int(h.g)) }

func (h *handle) check() {
	if h.gone != "" {
		msg := "timer: " + h.name() + " " + h.kind + " used after "
		if h.gone == "Close" {
			panic(msg + "Close")
		}
		panic(msg + h.gone + " consumed it")
	}
}

func (h *handle) consume(op, kind string) *handle {
	h.check()
	h.gone = op
	return &handle{g: h.g, kind: kind, prio: h.prio}
}

func regs(g uint8) *timg.TIMG {
	if g == 1 {
		return esp32c3.TIMG1
	}
	return esp32c3.TIMG0
}

func newHandle(t periph.TIMG, cfg Config, kind string) (*handle, error) {
	g := t.Number()
	if g < 0 || g >= periph.NumTIMGs {
		return nil, periph.ErrNoSuchResource
	}
	if cfg.Priority > rt.MaxPriority {
		return nil, &ConfigError{g, "interrupt priority must be 1..15 (0 for the default)"}
	}
	if err := periph.Claim(periph.KindTIMG, g, "timer."+kind); err != nil {
		return nil, err
	}
	p := cfg.Priority
	if p == 0 {
		p = DefaultPriority
	}
	h := &handle{g: uint8(g), kind: kind, prio: p}
	setup(h.g)
	return h, nil
}

// NewOneShot returns a one-shot timer on timer 0 of group t.
func NewOneShot(t periph.TIMG, cfg Config) (*OneShot, error) {
	h, err := newHandle(t, cfg, "OneShot")
	if err != nil {
		return nil, err
	}
	return &OneShot{common{h}, waiter{h}, oneShot{h}, h}, nil
}

// NewPeriodic returns a periodic timer on timer 0 of group t.
func NewPeriodic(t periph.TIMG, cfg Config) (*Periodic, error) {
	h, err := newHandle(t, cfg, "Periodic")
	if err != nil {
		return nil, err
	}
	return &Periodic{common{h}, waiter{h}, periodic{h}, h}, nil
}

// OneShot is a one-shot timer: Schedule arms an alarm, Wait waits for it.
type OneShot struct {
	common
	waiter
	oneShot
	h *handle
}

// Periodic is a periodic timer: Start sets the period, each Wait waits for the next tick.
type Periodic struct {
	common
	waiter
	periodic
	h *handle
}

// Close stops the timer and releases the group.
func (t *OneShot) Close() { closeHandle(t.h) }

// Close stops the timer and releases the group.
func (t *Periodic) Close() { closeHandle(t.h) }

func closeHandle(h *handle) {
	h.check()
	h.gone = "Close"
	stop(h.g)
	periph.Release(periph.KindTIMG, int(h.g))
}

// Method groups.

type common struct{ h *handle }

// Group returns the timer group's number (0 for TIMG0).
func (c common) Group() int { c.h.check(); return int(c.h.g) }

// Counter returns the counter: 20 MHz ticks since the timer was last started (a periodic
// timer's counter restarts at every tick). It latches the counter with T0UPDATE and reads
// T0LO and T0HI, as esp-hal's now().
func (c common) Counter() uint64 { c.h.check(); return counter(c.h.g) }

// Elapsed returns the counter in microseconds.
func (c common) Elapsed() async.Duration {
	c.h.check()
	return async.Duration(counter(c.h.g) / TicksPerMicrosecond)
}

// Stop stops the timer: no alarm is armed afterwards, and a task waiting on it is woken
// (its wait completes with ErrNotScheduled).
func (c common) Stop() {
	c.h.check()
	stop(c.h.g)
	events[c.h.g].Lanes[0].Wake()
}

// Pending reports whether the alarm has fired and not yet been waited for.
func (c common) Pending() bool { c.h.check(); return regs(c.h.g).INT_RAW_TIMG.Read().T0_INT_RAW() }

type oneShot struct{ h *handle }

// Schedule arms the alarm d from now (1 µs ≤ d ≤ MaxDuration), replacing any earlier one.
func (o oneShot) Schedule(d async.Duration) error {
	o.h.check()
	return schedule(o.h.g, d, false)
}

// Delay schedules the alarm d from now and waits for it (blocking).
func (o oneShot) Delay(d async.Duration) error {
	o.h.check()
	if err := schedule(o.h.g, d, false); err != nil {
		return err
	}
	return wait(o.h.g)
}

type periodic struct{ h *handle }

// Start makes the timer tick every period (1 µs ≤ period ≤ MaxDuration), the first tick
// one period from now, replacing any earlier schedule.
func (p periodic) Start(period async.Duration) error {
	p.h.check()
	return schedule(p.h.g, period, true)
}

type waiter struct{ h *handle }

// Wait waits (blocking) for the alarm, or a periodic timer's next tick, and consumes it. It
// returns ErrNotScheduled at once, or as soon as the timer is stopped, when no alarm is
// armed: it never waits for an alarm that cannot come.
func (w waiter) Wait() error { w.h.check(); return wait(w.h.g) }

// Registers.

// setup is the per-timer part of esp-hal's TimerGroup::new and timer set-up: clock on,
// REGCLK.CLK_EN, timer stopped, counting up at XTAL/2, interrupt disabled and cleared.
func setup(g uint8) {
	s := esp32c3.SYSTEM
	cs := rt.EnterCritical()
	if g == 0 {
		s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithTIMERGROUP_CLK_EN(true) })
		s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithTIMERGROUP_RST(false) })
	} else {
		s.PERIP_CLK_EN0.Modify(func(v system.PERIP_CLK_EN0Value) system.PERIP_CLK_EN0Value { return v.WithTIMERGROUP1_CLK_EN(true) })
		s.PERIP_RST_EN0.Modify(func(v system.PERIP_RST_EN0Value) system.PERIP_RST_EN0Value { return v.WithTIMERGROUP1_RST(false) })
	}
	cs.Exit()
	r := regs(g)
	r.REGCLK.Modify(func(v timg.REGCLKValue) timg.REGCLKValue { return v.WithCLK_EN(true) })
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue {
		return v.WithT0_EN(false).WithT0_ALARM_EN(false)
	})
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue {
		return v.WithT0_USE_XTAL(true).WithT0_DIVIDER(2).WithT0_DIVCNT_RST(true).
			WithT0_INCREASE(true).WithT0_AUTORELOAD(false)
	})
	disableInt(g)
	r.INT_CLR_TIMG.Write(timg.INT_CLR_TIMGValue(0).WithT0_INT_CLR(true))
}

// disableInt and enableInt change INT_ENA.T0 inside a critical section: the interrupt
// handler writes the same register.
func disableInt(g uint8) { events[g].Disable(intT0) }

func enableInt(g uint8) { events[g].Enable(intT0, 0) }

func checkDuration(g uint8, d async.Duration) error {
	if d < 1 {
		return &ConfigError{int(g), "a timer duration must be at least 1 µs"}
	}
	if d > MaxDuration {
		return &ConfigError{int(g), "a timer duration must be at most MaxDuration (the 54-bit counter at 20 MHz, about 28.5 years)"}
	}
	return nil
}

// schedule is esp-hal's Timer::schedule followed by start().
func schedule(g uint8, d async.Duration, autoreload bool) error {
	if err := checkDuration(g, d); err != nil {
		return err
	}
	r := regs(g)
	ticks := uint64(d) * TicksPerMicrosecond
	// 1. stop
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_EN(false) })
	// 2. clear the interrupt; ALARM_EN := AUTORELOAD (esp-hal's clear_interrupt)
	r.INT_CLR_TIMG.Write(timg.INT_CLR_TIMGValue(0).WithT0_INT_CLR(true))
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_ALARM_EN(v.T0_AUTORELOAD()) })
	// 3. counter := 0
	load(r)
	// 4. auto-reload as requested
	r.T0CONFIG.Write(r.T0CONFIG.Read().WithT0_AUTORELOAD(autoreload)) // no closure: no allocation
	// 5. the alarm
	r.T0ALARMLO.Write(timg.T0ALARMLOValue(0).WithT0_ALARM_LO(uint32(ticks)))
	r.T0ALARMHI.Write(timg.T0ALARMHIValue(0).WithT0_ALARM_HI(uint32(ticks >> 32)))
	// 6. start(): EN = 0, ALARM_EN = 0, counter := 0, INCREASE, EN = 1, ALARM_EN = 1
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_EN(false).WithT0_ALARM_EN(false) })
	load(r)
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_INCREASE(true) })
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_EN(true) })
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_ALARM_EN(true) })
	return nil
}

// load sets the counter to 0: LOADLO, LOADHI, then a write to T0LOAD.
func load(r *timg.TIMG) {
	r.T0LOADLO.Write(0)
	r.T0LOADHI.Write(0)
	r.T0LOAD.Write(timg.T0LOADValue(0).WithT0_LOAD(1))
}

// stop stops the counter and the alarm, disables and clears the interrupt.
func stop(g uint8) {
	r := regs(g)
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue { return v.WithT0_EN(false).WithT0_ALARM_EN(false) })
	disableInt(g)
	r.INT_CLR_TIMG.Write(timg.INT_CLR_TIMGValue(0).WithT0_INT_CLR(true))
}

// counter latches and reads the 54-bit counter.
func counter(g uint8) uint64 {
	r := regs(g)
	r.T0UPDATE.Write(timg.T0UPDATEValue(0).WithT0_UPDATE(true))
	for i := 0; i < 1000 && r.T0UPDATE.Read().T0_UPDATE(); i++ {
	}
	lo := uint64(r.T0LO.Read().T0_LO())
	hi := uint64(r.T0HI.Read().T0_HI())
	return hi<<32 | lo
}

// take consumes a fired alarm: INT_CLR.T0, and for a periodic timer ALARM_EN again (the
// hardware cleared it at the alarm; the counter has already restarted from 0).
func take(r *timg.TIMG) {
	r.INT_CLR_TIMG.Write(timg.INT_CLR_TIMGValue(0).WithT0_INT_CLR(true))
	r.T0CONFIG.Modify(func(v timg.T0CONFIGValue) timg.T0CONFIGValue {
		if v.T0_AUTORELOAD() && v.T0_EN() {
			return v.WithT0_ALARM_EN(true)
		}
		return v
	})
}

// armed reports whether an alarm can still fire: the counter runs and ALARM_EN is set.
// It is read before INT_RAW, so an alarm that fires in between is seen in INT_RAW.
func armed(r *timg.TIMG) bool {
	v := r.T0CONFIG.Read()
	return v.T0_EN() && v.T0_ALARM_EN()
}

func wait(g uint8) error {
	r := regs(g)
	for {
		live := armed(r)
		if r.INT_RAW_TIMG.Read().T0_INT_RAW() {
			take(r)
			return nil
		}
		if !live {
			return ErrNotScheduled
		}
	}
}

// Async.

// intT0 is T0's bit in INT_ENA/ST/CLR/RAW_TIMG.
const intT0 = 1

// events are each group's interrupt registers and the lane of the wait pending on its
// timer: its waker, and its method (opWaitAsync, ...) as the lane's holder
// (hal/internal/irqevent: the interrupt-event shape every async driver shares).
var events = [periph.NumTIMGs]irqevent.Block{
	{
		Regs:   irqevent.RegsOf(&esp32c3.TIMG0.INT_ENA_TIMG, &esp32c3.TIMG0.INT_ST_TIMG, &esp32c3.TIMG0.INT_CLR_TIMG, &esp32c3.TIMG0.INT_RAW_TIMG),
		Events: [irqevent.MaxLanes]uint32{intT0},
	},
	{
		Regs:   irqevent.RegsOf(&esp32c3.TIMG1.INT_ENA_TIMG, &esp32c3.TIMG1.INT_ST_TIMG, &esp32c3.TIMG1.INT_CLR_TIMG, &esp32c3.TIMG1.INT_RAW_TIMG),
		Events: [irqevent.MaxLanes]uint32{intT0},
	},
}

// The futures' methods, as the lane's holder records them.
const (
	opNone = iota
	opWaitAsync
	opDelayAsync
	opAwaitAlarm
	opAwaitDelay
)

var opNames = [...]string{"", "WaitAsync", "DelayAsync", "AwaitAlarm", "AwaitDelay"}

// checkIdle panics if a wait is pending on the timer: a second one would take over the
// first one's waker, and the first would never complete. The message is built only here.
func checkIdle(h *handle, second uint8) {
	if first := events[h.g].Lanes[0].Holder(); first != opNone {
		concurrent(h, second, first)
	}
}

func concurrent(h *handle, second uint8, first uint32) {
	panic("timer: " + h.name() + ": " + opNames[second] + " polled while a " + opNames[first] +
		" is still pending on " + h.name() + "; one wait per timer at a time: await the " + opNames[first] +
		" (or Cancel it) before waiting again")
}

// claim records f as the wait pending on its timer (it has enabled the interrupt and not
// yet completed or been cancelled), or panics if another one is.
func (f *WaitFuture) claim() {
	if first := events[f.h.g].Lanes[0].Claim(uint32(f.op)); first != opNone {
		concurrent(f.h, f.op, first)
	}
	f.pending = true
}

// release gives up f's claim, if it holds it.
func (f *WaitFuture) release() {
	if f.pending {
		f.pending = false
		events[f.h.g].Lanes[0].Release()
	}
}

// handlers are plain functions, one per group, so binding them allocates nothing.
var handlers = [periph.NumTIMGs]func(){onAlarm0, onAlarm1}

func onAlarm0() { onAlarm(0) }
func onAlarm1() { onAlarm(1) }

// onAlarm is the timer interrupt handler: INT_ST.T0 set means the alarm fired with its
// interrupt enabled; disable it (the level line drops) and wake the waiting task, which
// sees INT_RAW.T0 and completes (irqevent.Block.Handle, which leaves the group's other
// source, its watchdog's, alone). It allocates nothing.
func onAlarm(g uint8) { events[g].Handle() }

func bind(h *handle) {
	disableInt(h.g)
	rt.Bind(Source(int(h.g)), handlers[h.g])
	rt.Enable(Source(int(h.g)), h.prio)
}

func unbind(h *handle) {
	disableInt(h.g)
	events[h.g].Lanes[0].Release()
	rt.Disable(Source(int(h.g)))
	rt.Unbind(Source(int(h.g)))
}

// AsyncOneShot is a OneShot whose waits can be awaited; it keeps the blocking methods.
type AsyncOneShot struct {
	common
	waiter
	oneShot
	asyncWaiter
	h *handle
}

// AsyncPeriodic is a Periodic whose ticks can be awaited; it keeps the blocking methods.
type AsyncPeriodic struct {
	common
	waiter
	periodic
	asyncWaiter
	h *handle
}

// IntoAsync binds the group's timer interrupt on the current core at the configured
// priority and returns the timer as an AsyncOneShot. t is consumed: using it afterwards
// panics. A scheduled alarm stays scheduled.
func (t *OneShot) IntoAsync() *AsyncOneShot {
	h := t.h.consume("IntoAsync", "AsyncOneShot")
	bind(h)
	return &AsyncOneShot{common{h}, waiter{h}, oneShot{h}, asyncWaiter{h}, h}
}

// IntoAsync binds the group's timer interrupt on the current core at the configured
// priority and returns the timer as an AsyncPeriodic. t is consumed.
func (t *Periodic) IntoAsync() *AsyncPeriodic {
	h := t.h.consume("IntoAsync", "AsyncPeriodic")
	bind(h)
	return &AsyncPeriodic{common{h}, waiter{h}, periodic{h}, asyncWaiter{h}, h}
}

// IntoBlocking unbinds the interrupt (a wait in progress must not be polled again) and
// returns the timer as a OneShot. t is consumed.
func (t *AsyncOneShot) IntoBlocking() *OneShot {
	h := t.h.consume("IntoBlocking", "OneShot")
	unbind(h)
	return &OneShot{common{h}, waiter{h}, oneShot{h}, h}
}

// IntoBlocking unbinds the interrupt (a wait in progress must not be polled again) and
// returns the timer as a Periodic. t is consumed.
func (t *AsyncPeriodic) IntoBlocking() *Periodic {
	h := t.h.consume("IntoBlocking", "Periodic")
	unbind(h)
	return &Periodic{common{h}, waiter{h}, periodic{h}, h}
}

// Close stops the timer, unbinds its interrupt and releases the group.
func (t *AsyncOneShot) Close() {
	closeHandle(t.h)
	unbind(t.h)
}

// Close stops the timer, unbinds its interrupt and releases the group.
func (t *AsyncPeriodic) Close() {
	closeHandle(t.h)
	unbind(t.h)
}

type asyncWaiter struct{ h *handle }

// WaitAsync returns a future that completes at the alarm (a periodic timer's next tick)
// with nil, or with ErrNotScheduled when no alarm is armed or the timer is stopped. Keep it
// at one address while it is pending. One wait per timer at a time: polling a second while
// one is pending panics, naming the timer and both.
func (a asyncWaiter) WaitAsync() WaitFuture { a.h.check(); return WaitFuture{h: a.h, op: opWaitAsync} }

// DelayAsync returns a future that schedules the alarm d from its first poll and completes
// when it fires (one-shot timers only: on a periodic timer it restarts it as a one-shot).
func (a asyncWaiter) DelayAsync(d async.Duration) DelayFuture {
	a.h.check()
	return DelayFuture{w: WaitFuture{h: a.h, op: opDelayAsync}, d: d}
}

// AwaitAlarm waits for the alarm (a periodic timer's next tick) from a straight-line task
// (async.Go): WaitAsync and async.Await in one call, with the future kept in the driver,
// so it allocates nothing (a future in the task's own variable escapes to the heap, as
// Await takes an interface). It returns nil, or ErrNotScheduled when no alarm can come. One
// wait per timer at a time: called while another is pending, it panics naming both.
func (a asyncWaiter) AwaitAlarm(t *async.T) error {
	a.h.check()
	checkIdle(a.h, opAwaitAlarm) // before the driver's future is touched: it may be pending
	f := &a.h.await
	f.w = WaitFuture{h: a.h, op: opAwaitAlarm}
	return async.Await(t, &f.w)
}

// AwaitDelay schedules the alarm d from now and waits for it, from a straight-line task
// (one-shot timers; see DelayAsync and AwaitAlarm).
func (a asyncWaiter) AwaitDelay(t *async.T, d async.Duration) error {
	a.h.check()
	checkIdle(a.h, opAwaitDelay)
	f := &a.h.await
	f.w, f.d, f.started = WaitFuture{h: a.h, op: opAwaitDelay}, d, false
	return async.Await(t, f)
}

// WaitFuture waits for a timer's alarm (an async.Future[error]).
type WaitFuture struct {
	h       *handle
	op      uint8 // the method that made it (opWaitAsync, ...)
	pending bool  // it is the wait recorded in waiting
	done    bool
	err     error
}

var _ async.Future[error] = (*WaitFuture)(nil)

// Poll completes with nil once the alarm has fired (consuming it), or with
// ErrNotScheduled when no alarm can come; otherwise it enables the alarm interrupt and
// waits to be woken. It allocates nothing.
func (f *WaitFuture) Poll(cx *async.Context) (error, bool) {
	if f.done {
		return f.err, true
	}
	f.h.check()
	if !f.pending {
		checkIdle(f.h, f.op)
	}
	r := regs(f.h.g)
	live := armed(r)
	if r.INT_RAW_TIMG.Read().T0_INT_RAW() {
		take(r)
		f.done = true
		f.release()
		return nil, true
	}
	if !live {
		f.done, f.err = true, ErrNotScheduled
		f.release()
		return f.err, true
	}
	if !f.pending {
		f.claim()
	}
	events[f.h.g].Arm(0, cx.Waker(), intT0, 0)
	return nil, false
}

// Cancel disables the alarm interrupt; the alarm itself stays scheduled.
func (f *WaitFuture) Cancel() {
	if f.done || f.h.gone != "" {
		return
	}
	disableInt(f.h.g)
	f.release()
}

// DelayFuture schedules a one-shot alarm on its first poll and waits for it (an
// async.Future[error]); an invalid duration completes it with the ConfigError.
type DelayFuture struct {
	w       WaitFuture
	d       async.Duration
	started bool
}

var _ async.Future[error] = (*DelayFuture)(nil)

// Poll schedules the alarm on the first poll, then waits for it.
func (f *DelayFuture) Poll(cx *async.Context) (error, bool) {
	if !f.started {
		f.w.h.check()
		checkIdle(f.w.h, f.w.op) // before scheduling, which would move the pending wait's alarm
		f.started = true
		if err := schedule(f.w.h.g, f.d, false); err != nil {
			f.w.done, f.w.err = true, err
			return err, true
		}
	}
	return f.w.Poll(cx)
}

// Cancel stops the timer if the delay is still pending.
func (f *DelayFuture) Cancel() {
	if !f.started || f.w.done || f.w.h.gone != "" {
		return
	}
	f.w.Cancel()
	stop(f.w.h.g)
}
