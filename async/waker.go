package async

import "sync/atomic"

// Waker wakes one task: the executor's id in the high byte, the task's slot below. The zero
// Waker wakes nothing. Wakers are plain values: copy and store them freely, and call Wake
// from anywhere (interrupt handlers of any priority, another core, a goroutine). Waking a
// task that is already queued does nothing; waking one that has finished, or a slot that now
// holds another task, costs at most one spurious poll.
type Waker uint32

// MaxExecutors is how many executors can exist at once.
const MaxExecutors = 16

// executors holds every started executor, indexed by id-1.
var executors [MaxExecutors]atomic.Pointer[Executor]

func makeWaker(exec uint8, slot uint8) Waker { return Waker(uint32(exec)<<8 | uint32(slot)) }

// Wake queues the task for polling.
func (w Waker) Wake() {
	id := uint32(w)>>8 - 1 // the executor's index; the zero Waker wraps around
	if id >= MaxExecutors {
		if id != ^uint32(0) {
			wakeGoroutine(w) // on the host, a goroutine parked in Block; nothing under TinyGo
		}
		return
	}
	if e := loadPointer(&executors[id]); e != nil {
		e.wake(uint8(w))
	}
}

// Valid reports whether w wakes a task.
func (w Waker) Valid() bool { return uint32(w)>>8 != 0 }
