package async

import (
	"math/bits"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// readyWord is one word of the ready queue, and what the poll loop needs to serve it,
// computed once by New rather than at every batch.
type readyWord struct {
	bits   atomic.Uint32
	higher uint32 // the summary bits of the words of higher task priorities
	base   int32  // the slot of bit 0: a priority's words hold slots 0-31, 32-63, ...
	_      uint32 // 16 bytes: a shift, not a multiply, indexes the queue on every wake
}

// wake queues slot idx and pends the executor if its queue was empty.
func (e *Executor) wake(idx uint8) {
	if uint(idx) >= uint(len(e.slots)) {
		return
	}
	s := loadWord(&e.slots[idx].sched)
	if s&live == 0 {
		return // finished: nothing to poll
	}
	w, b := (s>>8)&0x1F, s&0x1F
	// The ready bit, then the word's summary bit (queueBits: one critical section on the
	// chip). The executor is pended only when its summary goes from 0 to non-zero. While it
	// polls, the word's summary bit is usually still set (see pollReady): then that only
	// loads. A task already queued changes nothing.
	if queueBits(&e.ready[w].bits, 1<<b, &e.summary, 1<<w) {
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

// pollReady polls queued tasks, highest priority first, until none is queued; with sleep
// (Run's loop) it then calls sleep and goes on until that says to return. Each round
// takes a snapshot of the summary, then each ready word of it, highest first (one atomic
// swap per word), and polls that word's tasks in slot order, so a task that keeps waking
// itself cannot starve its peers. Between two polls it checks for a newly woken task of
// higher priority and, if there is one, gives back what it has not polled yet and starts
// over.
//
// The summary is a hint while pollReady runs: taking a word leaves its summary bit set, so
// the wakes that refill it during the round (a task waking another, an interrupt handler
// waking a task) find the bit set and cost one read-modify-write, not two, and the next
// round takes the word without touching the summary. A bit whose word turns out empty is
// cleared by settle, which looks at the word again afterwards, and pollReady returns only
// once the summary reads 0, so what the invariant needs holds whenever the executor is not
// polling: a non-empty word has its summary bit set (or a wake is between its two steps and
// is about to set it, pending the executor if the summary was 0).
func (e *Executor) pollReady(sleep bool) {
	for {
		sum := loadWord(&e.summary)
		if sum == 0 {
			if !sleep || !e.sleep() {
				return
			}
			continue
		}
		for sum != 0 {
			// (Shift counts masked to 31 where they are below 32 anyway: Go's shift by 32
			// or more gives 0, and the compiler guards every unmasked shift for it.)
			w := highBit(sum)
			sum &^= 1 << (w & 31)
			rw := &e.ready[w]
			batch := swapWord(&rw.bits, 0)
			if batch == 0 {
				e.settle(1 << (w & 31))
				continue
			}
			higherWords, base := rw.higher, int(rw.base)
			// What is taken but not yet polled, for giveBack if a poll panics.
			e.takenWord, e.takenSum = w, sum
			for batch != 0 {
				b := bits.TrailingZeros32(batch)
				batch &^= 1 << (b & 31)
				e.takenBatch = batch
				e.pollSlot(base + b)
				// Only words of a higher task priority preempt the batch: the words of one
				// priority are one queue, served a round at a time, so a task that wakes
				// itself cannot starve the others of its priority, whatever their slots.
				if loadWord(&e.summary)&higherWords != 0 && e.higherQueued(higherWords) {
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

// bitsFrom returns the bits from shift (1..32) up: ^uint32(0) << shift, written so that no
// shift count reaches 32 (Go's shift by 32 or more gives 0, which costs a guard).
func bitsFrom(shift uint) uint32 { return ^(uint32(2)<<((shift-1)&31) - 1) }

// higherQueued reports whether a ready word of the summary bits higher (a higher task
// priority than the batch's, readyWord.higher) holds a queued task. The summary says which
// words may; the bits it finds stale it clears.
func (e *Executor) higherQueued(higher uint32) bool {
	hi := loadWord(&e.summary) & higher
	if hi == 0 {
		return false
	}
	for m := hi; m != 0; m &= m - 1 {
		if loadWord(&e.ready[bits.TrailingZeros32(m)].bits) != 0 {
			return true
		}
	}
	return e.settle(hi)
}

// settle clears the summary bits of mask, whose words were found empty, then looks at those
// words again: one that a wake filled in between gets its bit back (that wake may have seen
// the bit still set and left it alone). It reports whether one did.
func (e *Executor) settle(mask uint32) bool {
	andNotUint32(&e.summary, mask)
	refilled := false
	for m := mask; m != 0; m &= m - 1 {
		w := bits.TrailingZeros32(m)
		if loadWord(&e.ready[w].bits) != 0 {
			orUint32(&e.summary, 1<<w)
			refilled = true
		}
	}
	return refilled
}

// requeue puts back tasks taken from the queue but not polled: batch of word w, and the
// words of sum.
func (e *Executor) requeue(w, batch, sum uint32) {
	if batch != 0 {
		orUint32(&e.ready[w].bits, batch)
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
