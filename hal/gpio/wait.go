package gpio

import (
	"math/bits"
	"sync/atomic"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/hal/internal/irqevent"
	"github.com/gohal/gohal/hal/periph"
	"github.com/gohal/gohal/hal/systimer"
	"github.com/gohal/gohal/pac/esp32c3"
	gpioreg "github.com/gohal/gohal/pac/esp32c3/gpio"
	"github.com/gohal/gohal/rt"
)

// PINn.INT_ENA bit 13 (of the 5-bit field at 17:13) routes the pin's interrupt to the CPU.
const intEnaCPU = 1

// Source is the GPIO block's interrupt source (GPIO, 16).
const Source = rt.Source(esp32c3.IRQ_GPIO)

// DefaultPriority is the GPIO interrupt's priority unless SetInterruptPriority changes it.
const DefaultPriority rt.Priority = 1

// Async state shared with the interrupt handler. asyncMask has a pin's bit set while an
// async wait on it is armed; the handler clears it when the pin's event arrives. lanes
// holds, per pin, the waker of the armed wait and, as the lane's holder, the event of the
// wait pending on it (armed, not yet completed or cancelled), or 0: the handler does not
// touch the holder, a second wait's first poll checks it. The holder is claimed in arm's
// critical section and released when the wait completes or is disarmed. (The GPIO block
// has no INT_ENA register: each pin enables itself in its PINn register, so gpio uses
// irqevent's Lane but arms its pins itself.)
var (
	asyncMask atomic.Uint32
	lanes     [NumPins]irqevent.Lane
)

// waitNames are the futures' methods by event, for messages.
var waitNames = [...]string{"Wait", "WaitForRisingEdge", "WaitForFallingEdge", "WaitForAnyEdge", "WaitForLow", "WaitForHigh"}

// concurrentWait panics for a wait polled while another is pending on the same pin: the
// second would take over the first one's waker and async bit, and the first would never
// complete. The message is built only here, at the end.
func concurrentWait(n uint8, second, first Event) {
	pin := periph.Name(periph.KindPin, int(n))
	panic("gpio: " + pin + ": " + waitNames[second] + " polled while a " + waitNames[first] +
		" is still pending on " + pin + "; one wait per pin at a time: await the " + waitNames[first] +
		" (or Cancel it) before waiting again")
}

// The handler's binding: how many async pins there are, at which priority.
var (
	asyncPins int
	priority  = DefaultPriority
)

// SetInterruptPriority sets the priority (1..15) the GPIO interrupt is enabled at; if the
// handler is bound, it takes effect at once, on the current core.
func SetInterruptPriority(p rt.Priority) error {
	if p < 1 || p > rt.MaxPriority {
		return &ConfigError{-1, "interrupt priority must be 1..15"}
	}
	cs := rt.EnterCritical()
	priority = p
	bound := asyncPins > 0
	cs.Exit()
	if bound {
		rt.Enable(Source, p)
	}
	return nil
}

// bindHandler counts one more async pin and binds the handler on the current core.
func bindHandler() {
	cs := rt.EnterCritical()
	asyncPins++
	p := priority
	cs.Exit()
	rt.Bind(Source, onInterrupt)
	rt.Enable(Source, p)
}

// unbindHandler counts one async pin less and unbinds the handler after the last.
func unbindHandler() {
	cs := rt.EnterCritical()
	asyncPins--
	last := asyncPins <= 0
	if last {
		asyncPins = 0
	}
	cs.Exit()
	if last {
		rt.Disable(Source)
		rt.Unbind(Source)
	}
}

// onInterrupt is the GPIO interrupt handler (esp32c3-facts.md §5): it reads PCPU_INT, stops
// every pin that fired from listening, clears their STATUS bits and their async bits, and
// wakes their waiting tasks. It allocates nothing. Everything up to the wakes is one
// critical section, as arm and disarm are: a wait on the same pin cancelled and armed again
// at a higher priority in between would otherwise have its PINn read-modify-write undone
// (it stops listening) and its async bit cleared (it completes on the old edge).
func onInterrupt() {
	g := esp32c3.GPIO
	cs := rt.EnterCritical()
	pending := g.PCPU_INT.Read().PROCPU_INT() & (1<<NumPins - 1)
	if pending == 0 {
		cs.Exit()
		return
	}
	for m := pending; m != 0; m &= m - 1 {
		n := bits.TrailingZeros32(m)
		g.PIN[n].Write(unlisten(g.PIN[n].Read()))
	}
	g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(pending))
	fired := andNotMask(pending) & pending
	cs.Exit()
	for m := fired; m != 0; m &= m - 1 {
		lanes[bits.TrailingZeros32(m)].Wake()
	}
}

func unlisten(v gpioreg.PINValue) gpioreg.PINValue { return v.WithINT_ENA(0).WithINT_TYPE(0) }

// orMask and andNotMask set and clear bits of asyncMask and return its previous value,
// with CompareAndSwap: sync/atomic's Or and And do not link on the ESP32-C3.
func orMask(bits uint32) uint32 {
	for {
		old := asyncMask.Load()
		if asyncMask.CompareAndSwap(old, old|bits) {
			return old
		}
	}
}

func andNotMask(bits uint32) uint32 {
	for {
		old := asyncMask.Load()
		if old&bits == 0 || asyncMask.CompareAndSwap(old, old&^bits) {
			return old
		}
	}
}

// arm is esp-hal's wait_for set-up: stop listening and clear the pin's status, set its
// async bit, then listen for ev with the CPU interrupt enabled, in one PINn write. It
// panics if another wait is pending on the pin.
func arm(n uint8, ev Event, w async.Waker) {
	g := esp32c3.GPIO
	cs := rt.EnterCritical()
	if first := lanes[n].Claim(uint32(ev)); first != 0 {
		cs.Exit()
		concurrentWait(n, ev, Event(first))
	}
	lanes[n].Register(w)
	v := unlisten(g.PIN[n].Read())
	g.PIN[n].Write(v)
	g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(1 << n))
	orMask(1 << n)
	g.PIN[n].Write(v.WithINT_TYPE(uint32(ev)).WithINT_ENA(intEnaCPU).WithWAKEUP_ENABLE(true))
	cs.Exit()
}

// disarm stops an armed async wait on pin n, if any: the async bit is cleared and the pin
// stops listening; no wait is pending on the pin afterwards. It reports whether a wait was
// armed.
func disarm(n uint8) bool {
	g := esp32c3.GPIO
	cs := rt.EnterCritical()
	lanes[n].Release()
	was := andNotMask(1<<n)&(1<<n) != 0
	if was {
		g.PIN[n].Write(unlisten(g.PIN[n].Read()))
		g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(1 << n))
	}
	cs.Exit()
	return was
}

// Blocking waits.

type waiter struct{ h *handle }

// WaitTimeout waits for ev on the pin, for at most timeout (Forever: no limit), and
// returns nil, or ErrTimeout. A level event whose level already holds returns at once; an
// edge must happen after the call. It polls the pin's interrupt status latch with the
// pin's CPU interrupt off, so even a pulse shorter than one poll is seen.
func (w waiter) WaitTimeout(ev Event, timeout async.Duration) error {
	w.h.check()
	if ev < RisingEdge || ev > HighLevel {
		return &ConfigError{int(w.h.n), "no such event"}
	}
	n := w.h.n
	switch ev {
	case HighLevel:
		if padHigh(n) {
			return nil
		}
	case LowLevel:
		if !padHigh(n) {
			return nil
		}
	}
	g := esp32c3.GPIO
	bit := uint32(1) << n
	cs := rt.EnterCritical()
	v := unlisten(g.PIN[n].Read())
	g.PIN[n].Write(v)
	g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(bit))
	g.PIN[n].Write(v.WithINT_TYPE(uint32(ev)))
	cs.Exit()
	var deadline uint64
	if timeout >= 0 {
		deadline = systimer.Ticks() + uint64(timeout)*systimer.TicksPerMicrosecond
	}
	err := ErrTimeout
	for i := 0; ; i++ {
		if g.STATUS.Read().INTERRUPT()&bit != 0 {
			err = nil
			break
		}
		if timeout >= 0 && i%8 == 0 && systimer.Ticks() >= deadline {
			if g.STATUS.Read().INTERRUPT()&bit != 0 {
				err = nil
			}
			break
		}
	}
	modifyPin(n, unlisten)
	g.STATUS_W1TC.Write(gpioreg.STATUS_W1TCValue(0).WithSTATUS_W1TC(bit))
	return err
}

// WaitForHighTimeout waits until the pin is high (at once if it is), for at most timeout.
func (w waiter) WaitForHighTimeout(timeout async.Duration) error {
	return w.WaitTimeout(HighLevel, timeout)
}

// WaitForLowTimeout waits until the pin is low (at once if it is), for at most timeout.
func (w waiter) WaitForLowTimeout(timeout async.Duration) error {
	return w.WaitTimeout(LowLevel, timeout)
}

// WaitForRisingEdgeTimeout waits for the next rising edge, for at most timeout.
func (w waiter) WaitForRisingEdgeTimeout(timeout async.Duration) error {
	return w.WaitTimeout(RisingEdge, timeout)
}

// WaitForFallingEdgeTimeout waits for the next falling edge, for at most timeout.
func (w waiter) WaitForFallingEdgeTimeout(timeout async.Duration) error {
	return w.WaitTimeout(FallingEdge, timeout)
}

// WaitForAnyEdgeTimeout waits for the next edge, for at most timeout.
func (w waiter) WaitForAnyEdgeTimeout(timeout async.Duration) error {
	return w.WaitTimeout(AnyEdge, timeout)
}

// Async waits.

type asyncWaiter struct{ h *handle }

// Wait returns a future that completes on ev. Keep it at one address while it is armed
// (a field of the task) and Cancel it if its result is no longer wanted.
func (a asyncWaiter) Wait(ev Event) WaitFuture {
	a.h.check()
	if ev < RisingEdge || ev > HighLevel {
		panic("gpio: Wait: no such event")
	}
	return WaitFuture{h: a.h, ev: ev}
}

// WaitForHigh returns a future that completes when the pin is high: on its first poll if
// it already is.
func (a asyncWaiter) WaitForHigh() WaitFuture { return a.Wait(HighLevel) }

// WaitForLow returns a future that completes when the pin is low: on its first poll if it
// already is.
func (a asyncWaiter) WaitForLow() WaitFuture { return a.Wait(LowLevel) }

// WaitForRisingEdge returns a future that completes on the first rising edge after its
// first poll.
func (a asyncWaiter) WaitForRisingEdge() WaitFuture { return a.Wait(RisingEdge) }

// WaitForFallingEdge returns a future that completes on the first falling edge after its
// first poll.
func (a asyncWaiter) WaitForFallingEdge() WaitFuture { return a.Wait(FallingEdge) }

// WaitForAnyEdge returns a future that completes on the first edge after its first poll.
func (a asyncWaiter) WaitForAnyEdge() WaitFuture { return a.Wait(AnyEdge) }

// AwaitEvent waits for ev on the pin from a straight-line task (async.Go): Wait and
// async.Await in one call, with the future kept in the pin's driver, so it allocates
// nothing (a future in the task's own variable escapes to the heap, as Await takes an
// interface). One wait per pin at a time: called while another is pending, it panics naming
// both.
func (a asyncWaiter) AwaitEvent(t *async.T, ev Event) {
	a.h.check()
	if ev < RisingEdge || ev > HighLevel {
		panic("gpio: AwaitEvent: no such event")
	}
	if first := lanes[a.h.n].Holder(); first != 0 {
		concurrentWait(a.h.n, ev, Event(first)) // before the pin's future is touched
	}
	a.h.await = WaitFuture{h: a.h, ev: ev}
	async.Await(t, &a.h.await)
}

// AwaitHigh waits until the pin is high (at once if it is), from a straight-line task.
func (a asyncWaiter) AwaitHigh(t *async.T) { a.AwaitEvent(t, HighLevel) }

// AwaitLow waits until the pin is low (at once if it is), from a straight-line task.
func (a asyncWaiter) AwaitLow(t *async.T) { a.AwaitEvent(t, LowLevel) }

// AwaitRisingEdge waits for the next rising edge, from a straight-line task.
func (a asyncWaiter) AwaitRisingEdge(t *async.T) { a.AwaitEvent(t, RisingEdge) }

// AwaitFallingEdge waits for the next falling edge, from a straight-line task.
func (a asyncWaiter) AwaitFallingEdge(t *async.T) { a.AwaitEvent(t, FallingEdge) }

// AwaitAnyEdge waits for the next edge, from a straight-line task.
func (a asyncWaiter) AwaitAnyEdge(t *async.T) { a.AwaitEvent(t, AnyEdge) }

// WaitFuture is an async wait for a pin event (an async.Future[struct{}]). It arms the
// pin's interrupt on its first poll and completes once the GPIO interrupt handler has seen
// the event and disabled the pin's interrupt. Polling it after the pin was converted or
// closed panics.
type WaitFuture struct {
	h     *handle
	ev    Event
	state uint8
}

const (
	waitIdle uint8 = iota
	waitArmed
	waitDone
)

var _ async.Future[struct{}] = (*WaitFuture)(nil)

// Poll arms the wait on the first poll and completes once the event has happened. It
// allocates nothing.
func (f *WaitFuture) Poll(cx *async.Context) (struct{}, bool) {
	if f.state == waitDone {
		return struct{}{}, true
	}
	f.h.check()
	n := f.h.n
	bit := uint32(1) << n
	if f.state == waitIdle {
		if first := lanes[n].Holder(); first != 0 {
			concurrentWait(n, f.ev, Event(first))
		}
		switch f.ev {
		case HighLevel:
			if padHigh(n) {
				f.state = waitDone
				return struct{}{}, true
			}
		case LowLevel:
			if !padHigh(n) {
				f.state = waitDone
				return struct{}{}, true
			}
		}
		arm(n, f.ev, cx.Waker())
		f.state = waitArmed
	} else {
		lanes[n].Register(cx.Waker())
	}
	if asyncMask.Load()&bit == 0 {
		f.state = waitDone
		lanes[n].Release()
		return struct{}{}, true
	}
	return struct{}{}, false
}

// Cancel disarms the wait: the pin stops listening. It does nothing on a completed wait or
// once the pin was converted or closed (which disarmed it already). Polling again re-arms.
func (f *WaitFuture) Cancel() {
	if f.state != waitArmed || f.h.gone != "" {
		return
	}
	disarm(f.h.n)
	f.state = waitIdle
}

// Done reports whether the wait has completed.
func (f *WaitFuture) Done() bool { return f.state == waitDone }

// AsyncInput is an Input whose waits can be awaited; it keeps Input's blocking methods.
type AsyncInput struct {
	ident
	reader
	waiter
	asyncWaiter
	h *handle
}

// AsyncFlex is a Flex pin whose waits can be awaited; it keeps Flex's blocking methods.
type AsyncFlex struct {
	ident
	reader
	writer
	waiter
	asyncWaiter
	configurer
	h *handle
}

// IntoAsync binds the GPIO interrupt handler on the current core and returns the input as
// an AsyncInput. p is consumed: using it afterwards panics.
func (p *Input) IntoAsync() *AsyncInput {
	h := p.h.consume("IntoAsync", "AsyncInput")
	bindHandler()
	return &AsyncInput{ident{h}, reader{h}, waiter{h}, asyncWaiter{h}, h}
}

// IntoAsync binds the GPIO interrupt handler on the current core and returns the pin as an
// AsyncFlex. p is consumed: using it afterwards panics.
func (p *Flex) IntoAsync() *AsyncFlex {
	h := p.h.consume("IntoAsync", "AsyncFlex")
	bindHandler()
	return &AsyncFlex{ident{h}, reader{h}, writer{h}, waiter{h}, asyncWaiter{h}, configurer{h}, h}
}

// IntoBlocking disarms any wait in progress (its future must not be polled again), unbinds
// the handler if no async pin is left, and returns the pin as an Input. p is consumed.
func (p *AsyncInput) IntoBlocking() *Input {
	h := p.h.consume("IntoBlocking", "Input")
	disarm(h.n)
	unbindHandler()
	return &Input{ident{h}, reader{h}, waiter{h}, h}
}

// IntoBlocking disarms any wait in progress (its future must not be polled again), unbinds
// the handler if no async pin is left, and returns the pin as a Flex. p is consumed.
func (p *AsyncFlex) IntoBlocking() *Flex {
	h := p.h.consume("IntoBlocking", "Flex")
	disarm(h.n)
	unbindHandler()
	return &Flex{ident{h}, reader{h}, writer{h}, waiter{h}, configurer{h}, h}
}

// ApplyConfig changes the input's pull.
func (p *AsyncInput) ApplyConfig(cfg InputConfig) error {
	p.h.check()
	if err := checkPull(int(p.h.n), cfg.Pull); err != nil {
		return err
	}
	setInput(p.h.n, cfg.Pull)
	return nil
}

// Close disarms any wait, unbinds the handler if no async pin is left, returns the pad to
// its reset state and releases the pin.
func (p *AsyncInput) Close() {
	closeHandle(p.h)
	unbindHandler()
}

// Close disarms any wait, unbinds the handler if no async pin is left, returns the pad to
// its reset state and releases the pin.
func (p *AsyncFlex) Close() {
	closeHandle(p.h)
	unbindHandler()
}
