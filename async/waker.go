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
	id := uint32(w) >> 8
	if id == 0 || id > MaxExecutors {
		if id > MaxExecutors {
			wakeGoroutine(w) // on the host, a goroutine parked in Block; nothing under TinyGo
		}
		return
	}
	if e := executors[id-1].Load(); e != nil {
		e.wake(uint8(w))
	}
}

// Valid reports whether w wakes a task.
func (w Waker) Valid() bool { return uint32(w)>>8 != 0 }

// orUint32 sets bits in *p and returns the previous value. sync/atomic's Or is not available
// on TinyGo's ESP32-C3 target (no __atomic_fetch_or_4 on rv32imc), CompareAndSwap is.
func orUint32(p *atomic.Uint32, bits uint32) uint32 {
	for {
		old := p.Load()
		if old&bits == bits || p.CompareAndSwap(old, old|bits) {
			return old
		}
	}
}

// andNotUint32 clears bits in *p and returns the previous value.
func andNotUint32(p *atomic.Uint32, bits uint32) uint32 {
	for {
		old := p.Load()
		if old&bits == 0 || p.CompareAndSwap(old, old&^bits) {
			return old
		}
	}
}
