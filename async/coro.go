package async

import "github.com/gohal/gohal/rt"

// Straight-line tasks. Go has no async/await, so a task can also be a plain function that
// awaits futures:
//
//	async.GoNamed("blink", func(t *async.T) {
//		for {
//			led.Toggle()
//			async.Sleep(t, 500*async.Millisecond)
//			n := ch.AwaitReceive(t) // a typed await: allocates nothing
//			v := async.Await(t, &f) // any Future
//			...
//		}
//	})
//
// The primitives' typed awaits (Channel.AwaitSend and AwaitReceive, Signal.Await,
// Mutex.AwaitLock, Notify.AwaitNotified) queue a waiter node that lives in T: a straight-line
// task awaits one thing at a time, so one node is enough, and nothing escapes. A future in a
// local variable escapes to the heap when it queues itself (the queue records its address),
// so "f := ch.Send(v); async.Await(t, &f)" allocates once per await. If the function ends
// (returns after recovering a panic, panics, calls runtime.Goexit) with that node or Sleep's
// timer still armed, the task cancels them before it finishes, as their futures' Cancel
// would: a reservation the node held passes to the next waiter, so no other task loses its
// wake-up.
//
// The function runs on a coroutine of its own, a goroutine that runs only while its task is
// polled: Poll resumes it and waits until it awaits a future that is not ready (or returns).
// The task is driven by the same wakers and executor as stackless tasks and lives in the
// same task table. The two goroutines hand control to each other over two unbuffered
// channels: nothing is allocated per await. On the host the coroutine runs as the context
// that polls it (rt/host's Handoff): it has the executor's core, interrupt level, critical
// sections and virtual time, and its register accesses are preemption points.
//
// The price is a goroutine stack per task and two goroutine switches per poll. Measured
// under TinyGo 0.33 for the ESP32-C3 (32-bit layout), a straight-line task holds, on the
// heap, once, when Go is called: its coroTask (120 bytes: T 88, of which Sleep's Timer 40
// and the typed awaits' waitOp 28), two unbuffered channels and TinyGo's goroutine record
// (a few dozen bytes each), and the goroutine stack, which is most of it: the target's
// default-stack-size, 2048 bytes on riscv32 targets. A stackless task costs its own struct
// and the executor's 12-byte slot (plus 16 bytes of TaskStats) either way.
//
// The stack size is one number for every goroutine of a TinyGo program: the -stack-size
// flag of tinygo build (e.g. -stack-size=1kb) overrides the target's default. TinyGo 0.33
// has no per-goroutine size: a go statement passes that one value to internal/task.start,
// and nothing in the language or runtime API chooses another for one goroutine. Measure
// before lowering it: make qemu-c3 prints each example's stack high-water mark. Flash: the
// first straight-line task in a program brings in TinyGo's scheduler, its channels and the
// task switch, about 4 KB (a one-task program: 20,418 bytes with a stackless task, 24,398
// with async.Go, -size short). Straight-line tasks run on thread-mode executors only: a goroutine switch cannot
// happen inside an interrupt handler on the chip, and the host refuses it too, with the same
// panic, so that the simulator never runs what the chip cannot.

// errStraightLineInInterrupt is the panic of a straight-line task polled in an interrupt
// handler, on the chip and on the host alike.
const errStraightLineInInterrupt = "async: a straight-line task (async.Go) was polled in an interrupt handler, by an interrupt-mode executor; it needs a goroutine switch, which cannot happen in a handler on the chip: spawn it on a thread-mode executor, or write it as a type with a Poll method"

// T is a straight-line task's handle, passed to its function; Await and Sleep take it.
// Use it only on the task's own coroutine.
type T struct {
	cx    *Context // the context of the poll in progress, nil between polls
	co    coro
	timer Timer       // Sleep's
	op    waitOp      // the typed awaits' waiter (Channel.AwaitSend, ...): one await at a time
	opOn  opCanceller // the primitive (and queue) op was last armed on
}

// StackUse is how much of its goroutine's stack a straight-line task has used, from
// T.StackUse: the measurement to choose TinyGo's -stack-size from. Every goroutine a TinyGo
// 0.33 program starts gets that size (2 KiB by default on the ESP32-C3): one async.Go
// takes 2,232 bytes of heap on the chip with the default, its stack and 184 bytes for the
// task and its goroutine's state; 1,208 bytes with -stack-size=1KB (measured on
// Espressif's QEMU with runtime.ReadMemStats). TinyGo 0.33 cannot size one goroutine's stack on its own, so the
// size cannot be a per-task option: -stack-size sets every goroutine's, main's included.
type StackUse struct {
	// Deepest is how many bytes below the goroutine's first frame the stack has been
	// written, the task's interrupt handlers included (they run on the stack they
	// interrupt).
	Deepest int
	// Unused is how many bytes of the stack, above TinyGo's canary at its bottom, were
	// never written: the margin left.
	Unused int
	// Measured is false where nothing is measured: on the host (goroutine stacks grow) and
	// on chips other than the ESP32-C3.
	Measured bool
}

// Context returns the context of the poll in progress: for futures written by hand, and to
// get the task's own waker (t.Context().Waker()).
func (t *T) Context() *Context { return t.cx }

// How a straight-line task's function ended.
const (
	coroRunning  = iota
	coroReturned // fn returned
	coroPanicked // fn panicked with pv
	coroExited   // fn called runtime.Goexit (testing's FailNow, for one)
)

// coroTask is the Task Go returns.
type coroTask struct {
	t     T
	fn    func(*T)
	name  string
	state uint8
	pv    any
	where string // the panic's file:line (host)
}

func (c *coroTask) panicSite() string { return c.where }

// Go returns a task that runs fn as a straight-line task. Spawn it like any task; it
// finishes when fn returns. A panic in fn surfaces in the executor as the task's panic, with
// the same value. The coroutine starts on the first poll (host) or here (TinyGo).
func Go(fn func(t *T)) Task { return GoNamed("task", fn) }

// GoNamed is Go with a name, for statistics and panic reports (the task implements Named).
func GoNamed(name string, fn func(t *T)) Task {
	c := &coroTask{fn: fn, name: name}
	c.t.co.init(c.run)
	return c
}

// TaskName returns the task's name.
func (c *coroTask) TaskName() string { return c.name }

// Poll resumes the function until it awaits a future that is not ready, and reports whether
// it has finished.
func (c *coroTask) Poll(cx *Context) bool {
	if c.state != coroRunning {
		return true
	}
	if rt.InInterrupt() {
		// On the chip the goroutine switch below cannot happen in a handler; the host
		// could do it, so it refuses here too, with the same message (issue 13: the
		// simulator must refuse what the chip refuses).
		panic(errStraightLineInInterrupt)
	}
	c.t.cx = cx
	c.t.co.resume()
	c.t.cx = nil
	switch c.state {
	case coroRunning:
		return false
	case coroPanicked:
		v := c.pv
		c.pv = nil
		panic(v)
	case coroExited:
		goexit()
	}
	return true
}

// run is the coroutine's body, on its own goroutine.
func (c *coroTask) run() {
	c.t.co.wait()
	returned := false
	defer func() {
		if !returned {
			if r := recover(); r != nil {
				c.pv, c.state, c.where = r, coroPanicked, panicSite()
			} else {
				c.state = coroExited
			}
		} else {
			c.state = coroReturned
		}
		if c.t.op.armed {
			c.cancelOnExit(cancelOp)
		}
		if c.t.timer.node.home != nil { // it slept: queued() needs the queue's lock
			c.cancelOnExit(cancelTimer)
		}
		c.t.co.done()
	}()
	c.fn(&c.t)
	returned = true
}

// What cancelOnExit cancels.
const (
	cancelOp = iota
	cancelTimer
)

// cancelOnExit cancels T's op (cancelOp) or Sleep's timer (cancelTimer), left armed by a
// function that ended in the middle of an await (the await panicked, and the function ended
// or recovered and returned): a waiter queued for a task that is gone would take the
// reservation meant for the next one. Cold. A misuse the cancel finds (its own panic)
// becomes the task's panic, unless the function panicked already.
func (c *coroTask) cancelOnExit(what int) {
	defer recoverOnExit(c)
	if what == cancelOp {
		c.t.opOn.cancelOp(&c.t.op)
	} else {
		c.t.timer.Cancel()
	}
}

// recoverOnExit is cancelOnExit's deferred recover (a plain function: see pollGuarded).
func recoverOnExit(c *coroTask) {
	if r := recover(); r != nil && c.state != coroPanicked {
		c.pv, c.state, c.where = r, coroPanicked, panicSite()
	}
}

// Await returns f's value, polling f with the task's context and yielding to the executor
// each time f is not ready. It must be called from t's own function.
func Await[R any](t *T, f Future[R]) R {
	for {
		if t.cx == nil {
			panic("async: Await outside its straight-line task")
		}
		if v, ok := f.Poll(t.cx); ok {
			return v
		}
		t.co.yield()
	}
}

// beginOp readies t's op for a typed await on p and returns it. An op still armed (an await
// that panicked, recovered by the function) is cancelled first, as a future's Init does. The
// caller has checked mustRun.
func (t *T) beginOp(p opCanceller) *waitOp {
	if t.op.armed {
		t.opOn.cancelOp(&t.op)
	}
	t.op.w.state = waitIdle // not armed: owner-only (a send leaves it waitDone)
	t.opOn = p
	return &t.op
}

// mustRun panics unless t's task is the one running: a *T used outside its own task (kept
// by another task, or after the function returned) would otherwise re-arm the owner's
// queued timer and lose its wake-up. It checks before anything is touched.
func (t *T) mustRun(op string) {
	if t.cx == nil {
		panic("async: " + op + " outside its straight-line task (use the *async.T your task's function received, only while it runs)")
	}
}

// Sleep suspends the task for d and returns the deadline it woke at (Timer's value).
func Sleep(t *T, d Duration) Instant {
	t.mustRun("Sleep") // before the timer is touched: it may be another task's, and queued
	t.timer.Reset(Now().Add(d))
	return Await(t, &t.timer)
}

// SleepUntil suspends the task until deadline.
func SleepUntil(t *T, deadline Instant) Instant {
	t.mustRun("SleepUntil")
	t.timer.Reset(deadline)
	return Await(t, &t.timer)
}

// Yield lets the executor poll its other ready tasks before the task goes on: it wakes the
// task and yields once.
func Yield(t *T) {
	t.mustRun("Yield")
	t.cx.Waker().Wake()
	t.co.yield()
}
