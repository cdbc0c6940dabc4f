//go:build !tinygo

package host

import "runtime"

// Handoff is the link between a coroutine and the code that resumes it. A coroutine is a
// goroutine that runs only while its resumer waits for it, like a straight-line async task
// that its executor polls: the resumer calls Resume and blocks until the coroutine yields.
// That is one thread of control, so on a simulated core the coroutine must be whatever
// context resumed it. While it runs, the coroutine is adopted:
//
//   - it is the resumer's core and context for the CPU model: CoreID, InInterrupt, OnCore,
//     CurrentCore, critical sections, WaitForInterrupt, virtual time;
//   - its register accesses are preemption points, and interrupts taken there run their
//     handlers exactly as they would for the resumer (nested above the resumer's level,
//     which waits on the handler's return as the resumer's own goroutine would);
//   - the race detector sees the edges of a function call and no others: everything the
//     resumer did before Resume happens before the coroutine's code, and everything the
//     coroutine did before it yields happens before Resume returns. The hand-over of the
//     context's identity uses the model's invisible atomics, so handlers it takes are
//     ordered with the coroutine's code only by what the program does (critical sections,
//     interrupt-controller operations), as with the resumer's own code.
//
// When the resumer is not one of a running machine's cores (there is no machine, or it is a
// plain goroutine), Resume and Yield are plain hand-offs over two unbuffered channels.
//
// The coroutine's goroutine calls Wait before anything else, Yield to give control back and
// wait for the next Resume, and Done, deferred, as its last act. It must not let a panic
// escape (it would end the program, not the resumer): recover it and pass it on. If the
// machine stops while the coroutine runs, the coroutine's goroutine exits at its next
// preemption point (runtime.Goexit, as a core's own goroutine does); its deferred Done then
// returns control and Resume ends the resumer's goroutine too.
//
// A Handoff never allocates after NewHandoff. Resume is not reentrant: one resumer at a time.
type Handoff struct {
	resume chan *context // the context lent, nil when the resumer is not a core
	yield  chan struct{}

	// Used by the coroutine's goroutine alone.
	x      *context // the context it runs as, nil if none
	owner  uint64   // the goroutine that ran x before Resume
	locked bool     // locked to its OS thread (measured CPU time)
}

// NewHandoff returns a hand-off for one coroutine.
func NewHandoff() *Handoff {
	return &Handoff{resume: make(chan *context), yield: make(chan struct{})}
}

// Resume runs the coroutine, as the caller's core context, until it calls Yield or Done.
func (h *Handoff) Resume() {
	var x *context
	if m := current.Load(); m != nil {
		_, x = m.self()
	}
	var exiting uint32
	if x != nil {
		exiting = load32(&x.exiting)
		if m := x.core.m; m.cpu.scale > 0 && !m.checkStop(x) {
			m.settle(x.core, x) // the resumer's computation up to here
		}
	}
	h.resume <- x
	<-h.yield
	if x != nil && x.core.m.cpu.scale > 0 {
		// The coroutine accrued its computation (Done); the resumer charges it and starts
		// its own interval afresh.
		m := x.core.m
		m.rebase(x)
		if !m.checkStop(x) {
			m.flush(x.core, x)
		}
	}
	if x != nil && exiting == 0 && load32(&x.exiting) != 0 {
		// The machine stopped while the coroutine ran as x: x's goroutine ends here, as it
		// would have at the same preemption point.
		runtime.Goexit()
	}
}

// Wait blocks the coroutine's goroutine until the next Resume and makes it the resumer's
// context.
func (h *Handoff) Wait() {
	x := <-h.resume
	h.x = x
	if x == nil {
		return
	}
	// Only the context that owns a core writes its running word, and the owner is blocked
	// in Resume: the core is ours until we give it back.
	g := getg()
	h.owner = load64(&x.g)
	store64(&x.g, g)
	store64(&x.core.running, g)
	if m := x.core.m; m.cpu.scale > 0 {
		if !h.locked {
			// Measured CPU time: the coroutine's thread clock must be its own.
			runtime.LockOSThread()
			h.locked = true
		}
		m.rebase(x)
	}
}

// Yield gives the context back, returns control to the resumer and waits for the next
// Resume.
func (h *Handoff) Yield() {
	h.Done()
	h.Wait()
}

// Done gives the context back and returns control to the resumer for the last time: the
// coroutine's goroutine then ends.
func (h *Handoff) Done() {
	if x := h.x; x != nil {
		if m := x.core.m; m.cpu.scale > 0 {
			m.accrue(x) // the coroutine's computation since its last preemption point
		}
		// Every handler this coroutine took has returned (they nest inside it), so the
		// core is back at x's depth and running is ours to hand back.
		store64(&x.g, h.owner)
		store64(&x.core.running, h.owner)
		h.x = nil
	}
	h.yield <- struct{}{}
}
