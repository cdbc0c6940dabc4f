package async

import "github.com/gohal/gohal/rt"

// Poll polls every queued task until none is left queued, then returns. Thread-mode
// executors call it from Run; tests may call it directly to step an executor. It panics on
// an interrupt-mode executor, whose software interrupt polls it (its handler would re-enter
// a Poll it preempted), and when called while the executor is already polling (from one
// of its own tasks, or a handler that preempted it).
func (e *Executor) Poll() {
	if e.interrupt {
		panic("async: Poll called on interrupt-mode executor " + e.name + ": its software interrupt polls it; wake a task (or raise the interrupt) instead")
	}
	e.pollProtected(false)
}

// onInterrupt is an interrupt-mode executor's software-interrupt handler.
func (e *Executor) onInterrupt() {
	e.swi.Clear()
	e.pollProtected(false)
}

// Run is the thread-mode executor's loop: poll what is ready, sleep in WaitForInterrupt
// when nothing is, repeat. It returns when the table is empty (every task has finished) or
// Stop was called. Checking the queue and sleeping happen in one critical section: a task
// woken from an interrupt in between leaves that interrupt pending, which ends the sleep.
//
// The sleep is part of the poll loop (pollReady calls sleep when the queue is empty), inside
// its deferred recover: a wake from WaitForInterrupt goes straight back to polling, without
// setting up the recover again (about 40 instructions on the chip per wake from sleep).
func (e *Executor) Run() {
	if e.interrupt {
		panic("async: Run called on interrupt-mode executor " + e.name)
	}
	e.running = true
	e.startCycles = e.cycles()
	e.idleCycles = 0
	if loadWord(&e.stop) == 0 {
		e.pollProtected(true)
	}
	e.running = false
	e.stop.Store(0)
}

// sleep is Run's step when the queue was found empty: it reports false when Run must
// return (Stop was called, or the table is empty), and otherwise waits, in one critical
// section with the check of the queue, for an interrupt, unless a task was woken in the
// meantime.
func (e *Executor) sleep() bool {
	if loadWord(&e.stop) != 0 {
		return false
	}
	cs := rt.EnterCritical()
	if loadWord(&e.summary) == 0 {
		if e.Len() == 0 || loadWord(&e.stop) != 0 {
			cs.Exit()
			return false
		}
		t0 := e.cycles()
		rt.WaitForInterrupt()
		e.idleCycles += e.cycles() - t0
	}
	cs.Exit()
	return loadWord(&e.stop) == 0
}

// Stop makes Run return after the current poll; from any context.
func (e *Executor) Stop() {
	e.stop.Store(1)
	e.pend()
}

// cycles extends rt.Cycles to 64 bits. It is called at least once per poll loop, so it sees
// every wrap as long as the core does not sleep longer than one wrap (26 s at 160 MHz).
func (e *Executor) cycles() uint64 {
	c := rt.Cycles()
	if c < e.cycleLast {
		e.cycleHigh += 1 << 32
	}
	e.cycleLast = c
	return e.cycleHigh | uint64(c)
}
