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
