package async

import (
	"math/bits"

	"github.com/gohal/gohal/rt"
)

// wake queues slot idx and pends the executor if its queue was empty.
func (e *Executor) wake(idx uint8) {
	if int(idx) >= len(e.slots) {
		return
	}
	s := e.slots[idx].sched.Load()
	if s&live == 0 {
		return // finished: nothing to poll
	}
	w, b := (s>>8)&0x1F, s&0x1F
	if orUint32(&e.ready[w], 1<<b)&(1<<b) != 0 {
		return // already queued
	}
	// The executor is pended only when its queue goes from empty to non-empty: the
	// summary word is that queue's state.
	if orUint32(&e.summary, 1<<w) == 0 {
		e.pend()
	}
}

// pend makes the executor look at its queue soon.
func (e *Executor) pend() {
	switch {
	case e.swi == nil:
		// A thread-mode executor without a cross-core interrupt: nothing to raise. Its own
		// core sees the queue before it sleeps; other wakers are seen at its next interrupt.
	case e.interrupt:
		e.swi.Raise()
	case rt.OnCore() && rt.CoreID() == e.core:
		// Thread mode on the executor's own core: either this is the executor itself (it
		// looks at the queue before sleeping) or an interrupt handler, whose interrupt
		// already ends the WaitForInterrupt.
	default:
		e.swi.Raise()
	}
}

// pollReady polls queued tasks, highest priority first, until none is queued. It takes the
// whole summary at once (one atomic swap), then each ready word of it, highest first, and
// polls that word's tasks in slot order, so a task that keeps waking itself cannot starve
// its peers. Between two polls it checks for a newly woken task of higher priority and, if
// there is one, gives back what it has not polled yet and starts over.
func (e *Executor) pollReady() {
	for {
		sum := e.summary.Swap(0)
		if sum == 0 {
			return
		}
		for sum != 0 {
			w := uint32(bits.Len32(sum) - 1)
			sum &^= 1 << w
			batch := e.ready[w].Swap(0)
			for batch != 0 {
				b := bits.TrailingZeros32(batch)
				batch &^= 1 << b
				// What is taken but not yet polled, for giveBack if this poll panics.
				e.takenWord, e.takenBatch, e.takenSum = w, batch, sum
				e.pollSlot(int(e.byBit[int(w)*e.bitsPer+b]))
				// Only words of a higher task priority preempt the batch: the words of one
				// priority are one queue, served a round at a time, so a task that wakes
				// itself cannot starve the others of its priority, whatever their slots.
				if e.summary.Load()>>((int(w)/e.wordsPer+1)*e.wordsPer) != 0 {
					// A higher priority was woken: hand back the rest, then start over.
					e.takenBatch, e.takenSum = 0, 0
					e.requeue(w, batch, sum)
					sum = 0
					break
				}
			}
		}
		e.takenBatch, e.takenSum = 0, 0
	}
}

// requeue puts back tasks taken from the queue but not polled: batch of word w, and the
// words of sum.
func (e *Executor) requeue(w, batch, sum uint32) {
	if batch != 0 {
		orUint32(&e.ready[w], batch)
		sum |= 1 << w
	}
	if sum != 0 {
		orUint32(&e.summary, sum)
	}
}

// giveBack requeues what pollReady had taken when a poll ended in a panic or Goexit, so
// that the tasks after the failed one keep their wakes.
func (e *Executor) giveBack() {
	w, batch, sum := e.takenWord, e.takenBatch, e.takenSum
	e.takenBatch, e.takenSum = 0, 0
	e.requeue(w, batch, sum)
}
