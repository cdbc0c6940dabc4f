package async

import (
	"unsafe"

	"github.com/gohal/gohal/rt"
)

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
// same task table. Under TinyGo the two goroutines hand the CPU to each other with the
// scheduler's own primitives (coro_tinygo.go): nothing is allocated per await. On the host
// the coroutine runs as the context that polls it (rt/host's Handoff): it has the
// executor's core, interrupt level, critical sections and virtual time, and its register
// accesses are preemption points.
//
// The price is a goroutine stack per task and two goroutine switches per poll. Measured
// under TinyGo 0.33 with runtime.ReadMemStats (on QEMU: 32-bit RISC-V and Cortex-M alike),
// a straight-line task holds, on the heap, once, when Go is called, its stack plus 192
// bytes for the task (T, its Timer and waiter node) and its goroutine's record. The stack
// is the program's -stack-size (the target's default-stack-size, 2 KiB on riscv32
// targets), or the task's own GoOptions.StackSize: measure it with T.StackUse and give the
// task what it needs plus its interrupts' frames and a margin (examples/lines: two tasks
// about 480 bytes deep, on 1 KiB stacks). A stackless task costs its own struct and the
// executor's 32-byte slot either way. Flash:
// the first straight-line task of a program brings in TinyGo's goroutine start and task
// switch and the coroutine's own code, about 1.4 KB (README's size section).
// Straight-line tasks run on thread-mode executors only: a goroutine switch cannot happen
// inside an interrupt handler on the chip, and the host refuses it too, with the same
// panic, so that the simulator never runs what the chip cannot.

// errStraightLineInInterrupt is the panic of a straight-line task polled in an interrupt
// handler, on the chip and on the host alike.
const errStraightLineInInterrupt = "async: async.Go task polled by an interrupt-mode executor, where no goroutine switch can happen: spawn it on a thread-mode executor"

// T is a straight-line task's handle, passed to its function; Await and Sleep take it.
// Use it only on the task's own coroutine.
type T struct {
	cx    *Context // the context of the poll in progress, nil between polls
	co    coro
	timer Timer // Sleep's
	// cancelSleep is Timer.Cancel once Sleep has armed timer, for the cleanup of a function
	// that ends in the middle of a Sleep: through this field, a program whose
	// straight-line tasks never sleep does not link the timer queue's removal and misuse
	// checks (320 bytes).
	cancelSleep func(*Timer)
	op          waitOp      // the typed awaits' waiter (Channel.AwaitSend, ...): one await at a time
	opOn        opCanceller // the primitive (and queue) op was last armed on
}

// StackUse is how much of its goroutine's stack a straight-line task has used, from
// T.StackUse: the measurement to choose its GoOptions.StackSize (or the program's
// -stack-size) from. One task takes its stack plus 192 bytes of heap (measured on QEMU
// with runtime.ReadMemStats, on 32-bit RISC-V and Cortex-M alike): 2,240 bytes with the
// ESP32-C3's default 2 KiB stack, 1,216 with a 1 KiB one.
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

// coroTask is a straight-line task's state. The Task that Go returns is a goTask, which
// refers to it.
type coroTask struct {
	t     T
	fn    func(*T)
	name  string
	state uint8
	pv    any
	where string // the panic's file:line (host)
}

// goTask is the Task Go returns: its coroTask behind an unsafe.Pointer. TinyGo emits a type
// descriptor for every type reachable from a value stored in an interface; through a
// *coroTask that is T's whole state (its Timer, its waiter node and the types they point
// to), about 1.4 KB of flash in every program with a straight-line task. One pointer word,
// it is stored in the interface itself: no allocation either. (Spawner does the same for
// the executor.)
type goTask struct{ c unsafe.Pointer }

func (g goTask) state() *coroTask { return (*coroTask)(g.c) }

// Poll resumes the function until it awaits a future that is not ready, and reports whether
// it has finished.
func (g goTask) Poll(cx *Context) bool { return g.state().poll(cx) }

// TaskName returns the task's name.
func (g goTask) TaskName() string { return g.state().name }

func (g goTask) panicSite() string { return g.state().where }

// Go returns a task that runs fn as a straight-line task. Spawn it like any task; it
// finishes when fn returns. A panic in fn surfaces in the executor as the task's panic, with
// the same value. The coroutine starts on the first poll (host) or here (TinyGo).
func Go(fn func(t *T)) Task { return newGoTask("task", 0, fn) }

// GoNamed is Go with a name, for statistics and panic reports (the task implements Named).
func GoNamed(name string, fn func(t *T)) Task { return newGoTask(name, 0, fn) }

// GoOptions configures a straight-line task made by GoWith.
type GoOptions struct {
	// Name is the task's name in statistics and panic reports; "task" when empty.
	Name string
	// StackSize is the size in bytes of the task's goroutine stack on the chip, rounded up
	// to a multiple of 16. 0 keeps the program's -stack-size (the target's
	// default-stack-size, 2 KiB on the ESP32-C3), which every other goroutine, main's
	// included, still gets. Choose it from T.StackUse, measured on the chip, plus the
	// frames of the interrupts that can preempt the task, plus a margin. An interrupt's
	// trap runs on the interrupted stack: about 140 bytes each in examples/lines (80 bytes
	// of trap entry, rt's dispatch, the handler), one more for each priority level that
	// can nest, and T.StackUse counts them only if one happened to land at the task's
	// deepest point. A task that outgrows its stack stops the program at its next await
	// with TinyGo's "stack overflow". At least MinStackSize. On the host, where goroutine
	// stacks grow, it is checked and otherwise has no effect: the simulator cannot tell a
	// stack too small, only the chip can (make qemu-c3 fails a run that leaves less than
	// 128 bytes of any stack unused).
	StackSize int
}

// MinStackSize is the smallest GoOptions.StackSize. A straight-line task's goroutine holds
// TinyGo's saved registers and stack canary, the coroutine's own frames and those of
// every future it awaits, and the frames of each interrupt handler that preempts it: the
// tasks of examples/lines reach about 480 bytes.
const MinStackSize = 256

// GoWith is Go with options: a name, and a stack size of the task's own.
func GoWith(opts GoOptions, fn func(t *T)) Task {
	if opts.StackSize != 0 && opts.StackSize < MinStackSize {
		panic(errStackTooSmall)
	}
	if opts.Name == "" {
		opts.Name = "task"
	}
	return newGoTask(opts.Name, uintptr(opts.StackSize+15)&^15, fn)
}

// newGoTask makes the task; Go and GoNamed do not go through GoWith, so that a program
// that never sizes a stack does not link its check.
func newGoTask(name string, stackSize uintptr, fn func(t *T)) Task {
	c := &coroTask{fn: fn, name: name}
	c.t.co.init(c.run, stackSize)
	return goTask{unsafe.Pointer(c)}
}

const errStackTooSmall = "async: GoOptions.StackSize below async.MinStackSize (256): 0 for -stack-size, or T.StackUse's figure plus a margin"

// poll is the task's Poll.
func (c *coroTask) poll(cx *Context) bool {
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
		if c.t.cancelSleep != nil { // it slept (armSleep sets both the cancel and the timer's queue)
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
		c.t.cancelSleep(&c.t.timer)
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
	t.armSleep(Now().Add(d))
	return Await(t, &t.timer)
}

// armSleep arms the task's timer for deadline, and what cancels it if the function ends
// before it fires.
func (t *T) armSleep(deadline Instant) {
	t.cancelSleep = (*Timer).Cancel
	t.timer.Reset(deadline)
}

// SleepUntil suspends the task until deadline.
func SleepUntil(t *T, deadline Instant) Instant {
	t.mustRun("SleepUntil")
	t.armSleep(deadline)
	return Await(t, &t.timer)
}

// Yield lets the executor poll its other ready tasks before the task goes on: it wakes the
// task and yields once.
func Yield(t *T) {
	t.mustRun("Yield")
	t.cx.Waker().Wake()
	t.co.yield()
}
