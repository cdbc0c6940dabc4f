// Package irqevent is the one shape of every async driver's interrupt wait, as esp-hal has
// one UartRxFuture/UartTxFuture shape instead of a copy per operation: a future arms the
// events it waits for under a critical section, the interrupt handler reads the masked
// status, disables what fired (so the level line drops) and wakes the waiting task through
// an atomic waker, and the future, polled again, sees the event and disarms; Cancel
// disarms too.
//
// A Block is a peripheral's interrupt registers (INT_ENA, INT_ST, INT_CLR, INT_RAW) and its
// lanes: one lane per independent waiter (a UART has a reader and a writer; I2C, SPI and a
// timer group have one). A Lane holds the waiting task's waker and which operation holds
// it, so that a second operation polled while the first is pending is caught (the drivers
// panic naming both) instead of silently taking over the first one's wake-up.
//
// The GPIO block has no INT_ENA register (each pin enables itself in its PINn register);
// gpio uses Lane, one per pin, and arms its pins itself.
//
// Nothing here allocates; the handler path is a handful of loads and stores.
package irqevent

import (
	"sync/atomic"
	"unsafe"

	"github.com/gohal/gohal/async"
	"github.com/gohal/gohal/rt"
	"github.com/gohal/gohal/rt/mmio"
)

// Regs are a peripheral's four interrupt registers.
type Regs struct {
	ena, st, clr, raw *mmio.U32
}

// RegsOf returns the interrupt registers of a peripheral from its generated PAC registers:
// the enable, masked-status, clear and raw-status registers, each a generated 32-bit
// register (a struct of one mmio.U32, as every pac register of that width is).
func RegsOf[E, S, C, R any](ena *E, st *S, clr *C, raw *R) Regs {
	if unsafe.Sizeof(*ena) != 4 || unsafe.Sizeof(*st) != 4 || unsafe.Sizeof(*clr) != 4 || unsafe.Sizeof(*raw) != 4 {
		panic("irqevent: RegsOf takes 32-bit registers")
	}
	return Regs{
		ena: (*mmio.U32)(unsafe.Pointer(ena)),
		st:  (*mmio.U32)(unsafe.Pointer(st)),
		clr: (*mmio.U32)(unsafe.Pointer(clr)),
		raw: (*mmio.U32)(unsafe.Pointer(raw)),
	}
}

// MaxLanes is how many independent waiters a Block serves.
const MaxLanes = 2

// Block is one peripheral's interrupt events and the tasks waiting on them.
type Block struct {
	Regs
	// Events[i] are the status bits that wake lane i.
	Events [MaxLanes]uint32
	Lanes  [MaxLanes]Lane
}

// Handle is the body of the peripheral's interrupt handler: it reads the masked status,
// disables the sources that fired, and wakes the lanes whose events are among them. It
// reports the bits that fired. Bits outside every lane's Events are left alone: they
// belong to another source sharing the register (a timer group's watchdog). The read of INT_ST and the read-modify-write of INT_ENA are
// one critical section: a future polled at a higher priority may arm the same bits again
// in between, and the write would disable them.
func (b *Block) Handle() uint32 {
	cs := rt.EnterCritical()
	st := b.st.Load() & (b.Events[0] | b.Events[1])
	if st != 0 {
		b.ena.Store(b.ena.Load() &^ st)
	}
	cs.Exit()
	if st == 0 {
		return 0
	}
	for i := range b.Events {
		if st&b.Events[i] != 0 {
			b.Lanes[i].Wake()
		}
	}
	return st
}

// Arm registers w on lane l and enables bits, after clearing the raw bits in clear (a
// stale event from an earlier operation must not complete this one).
func (b *Block) Arm(l int, w async.Waker, bits, clear uint32) {
	b.Lanes[l].Register(w)
	b.Enable(bits, clear)
}

// Enable sets bits in INT_ENA, after clearing the raw bits in clear. The read-modify-write
// is a critical section, as the handler writes the register too.
func (b *Block) Enable(bits, clear uint32) {
	cs := rt.EnterCritical()
	if clear != 0 {
		b.clr.Store(clear)
	}
	b.ena.Store(b.ena.Load() | bits)
	cs.Exit()
}

// Disable clears bits in INT_ENA (in a critical section, see Enable).
func (b *Block) Disable(bits uint32) {
	cs := rt.EnterCritical()
	b.ena.Store(b.ena.Load() &^ bits)
	cs.Exit()
}

// Clear clears the raw bits in bits.
func (b *Block) Clear(bits uint32) { b.clr.Store(bits) }

// Raw returns the raw status.
func (b *Block) Raw() uint32 { return b.raw.Load() }

// Fired reports whether an armed wait on bits saw its event: the handler disabled one of
// them, or one is set in the raw status (the handler has not run yet: the future is polled
// at or above the interrupt's priority, or with interrupts off).
func (b *Block) Fired(bits uint32) bool {
	return b.ena.Load()&bits != bits || b.raw.Load()&bits != 0
}

// Reset disables every source, clears the raw bits in all (0: none) and forgets every lane's waker
// and holder: a driver binding or unbinding its handler.
func (b *Block) Reset(all uint32) {
	cs := rt.EnterCritical()
	b.ena.Store(0)
	cs.Exit()
	if all != 0 {
		b.clr.Store(all)
	}
	for i := range b.Lanes {
		b.Lanes[i].Reset()
	}
}

// Wait is a future's arm-check-disarm cycle on some of a Block's events (embed it in the
// future).
type Wait struct{ armed bool }

// Armed reports whether the wait's events are enabled.
func (w *Wait) Armed() bool { return w.armed }

// Pending is what a future calls when the condition it waits for does not hold yet. It
// returns true when the future must return pending: its events are armed and have not
// fired, and cx's waker is registered on lane l. It returns false when the future must
// look at the condition again: the events have just been armed (something may have
// happened before they were), or they fired and are disarmed now. clear are raw bits
// cleared before arming.
func (w *Wait) Pending(b *Block, l int, cx *async.Context, bits, clear uint32) bool {
	if w.armed {
		if !b.Fired(bits) {
			b.Lanes[l].Register(cx.Waker())
			return true
		}
		w.Disarm(b, bits, 0)
		return false
	}
	w.armed = true
	b.Arm(l, cx.Waker(), bits, clear)
	return false
}

// Disarm disables the wait's events and clears the raw bits in clear, if it is armed.
func (w *Wait) Disarm(b *Block, bits, clear uint32) {
	if !w.armed {
		return
	}
	w.armed = false
	b.Disable(bits)
	if clear != 0 {
		b.Clear(clear)
	}
}

// Forget marks the wait disarmed without touching the registers: the driver disarmed
// everything itself (unbinding its handler).
func (w *Wait) Forget() { w.armed = false }

// Lane is one waiter's place: the waker the handler wakes, and the operation holding the
// lane (a driver's code for the method that made the future, 0 when free).
type Lane struct {
	waker  atomic.Uint32
	holder atomic.Uint32
}

// Register makes w the waker the handler wakes.
func (l *Lane) Register(w async.Waker) { l.waker.Store(uint32(w)) }

// Wake wakes the registered waker (none registered: nothing).
func (l *Lane) Wake() { async.Waker(l.waker.Load()).Wake() }

// Unregister forgets the waker.
func (l *Lane) Unregister() { l.waker.Store(0) }

// Claim makes op (non-zero) the lane's holder if the lane is free, and returns 0; if
// another operation holds it, it returns that holder and changes nothing (the driver then
// panics naming both).
func (l *Lane) Claim(op uint32) uint32 {
	for {
		if l.holder.CompareAndSwap(0, op) {
			return 0
		}
		if first := l.holder.Load(); first != 0 {
			return first
		}
	}
}

// Holder returns the operation holding the lane, 0 if it is free.
func (l *Lane) Holder() uint32 { return l.holder.Load() }

// Release frees the lane.
func (l *Lane) Release() { l.holder.Store(0) }

// Reset frees the lane and forgets its waker: its driver disarmed everything (unbinding).
func (l *Lane) Reset() {
	l.waker.Store(0)
	l.holder.Store(0)
}
