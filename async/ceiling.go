package async

import "github.com/gohal/gohal/rt"

// CeilingLock guards data shared between interrupt handlers ("hardware tasks"), interrupt
// executors and thread-mode code on one core, by RTIC's stack resource policy: the ceiling
// is the highest interrupt priority of any context that takes the lock, and Lock raises the
// core's interrupt threshold above it for the duration, so no context that shares the data
// can preempt the holder, while higher-priority interrupts still run. Unlike a critical
// section it leaves unrelated, more urgent interrupts alone; unlike a mutex it cannot
// deadlock or block. The data is reached only inside Lock.
//
// It protects against preemption on the current core only; data shared across cores needs
// a critical section (rt.EnterCritical) or a Mutex.
type CeilingLock[T any] struct {
	ceiling rt.Priority
	data    T
}

// NewCeilingLock returns a lock for data used at interrupt priorities up to ceiling.
func NewCeilingLock[T any](ceiling rt.Priority, data T) *CeilingLock[T] {
	return &CeilingLock[T]{ceiling: min(ceiling, rt.MaxPriority), data: data}
}

// Ceiling returns the lock's ceiling priority.
func (l *CeilingLock[T]) Ceiling() rt.Priority { return l.ceiling }

// Lock calls f with the data while interrupts of priority up to the ceiling are masked. It
// costs two threshold writes (none when the caller already runs at or above the ceiling);
// at the top priority it is a critical section.
func (l *CeilingLock[T]) Lock(f func(*T)) {
	if l.ceiling >= rt.MaxPriority {
		cs := rt.EnterCritical()
		f(&l.data)
		cs.Exit()
		return
	}
	old := rt.Threshold()
	if old > l.ceiling {
		f(&l.data)
		return
	}
	rt.SetThreshold(l.ceiling + 1)
	f(&l.data)
	rt.SetThreshold(old)
}

// CeilingGuard is a CeilingLock taken with Acquire; Release gives it back.
type CeilingGuard struct {
	cs    rt.CS
	old   rt.Priority
	state uint8 // guardCritical, guardThreshold or guardNone
}

const (
	guardNone      = iota // the caller already ran above the ceiling
	guardThreshold        // the threshold was raised; Release restores old
	guardCritical         // a critical section (ceiling at the top priority)
)

// Acquire is Lock without a function: it masks interrupts of priority up to the ceiling and
// returns the data and a guard whose Release undoes it. Use it where Lock's function would
// capture variables: TinyGo puts such a closure on the heap, and a heap allocation in an
// interrupt handler (an interrupt executor's task, for one) panics on the chip with "heap
// alloc in interrupt". Release must be called on every path, by the same context, before
// any other lock taken after this one is released (locks nest like critical sections).
func (l *CeilingLock[T]) Acquire() (*T, CeilingGuard) {
	if l.ceiling >= rt.MaxPriority {
		return &l.data, CeilingGuard{cs: rt.EnterCritical(), state: guardCritical}
	}
	old := rt.Threshold()
	if old > l.ceiling {
		return &l.data, CeilingGuard{state: guardNone}
	}
	rt.SetThreshold(l.ceiling + 1)
	return &l.data, CeilingGuard{old: old, state: guardThreshold}
}

// Release gives back a lock taken with Acquire.
func (g CeilingGuard) Release() {
	switch g.state {
	case guardCritical:
		g.cs.Exit()
	case guardThreshold:
		rt.SetThreshold(g.old)
	}
}
