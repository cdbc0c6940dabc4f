//go:build tinygo

package async

import (
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// coro is a straight-line task's coroutine under TinyGo: a goroutine that the poller and
// the task hand the CPU to each other on, with the scheduler's own two primitives, the
// ones TinyGo's channels are built from: put a task on the run queue, pause the current
// one. (iter.Pull does not link on TinyGo 0.33: there is no runtime.newcoro.) Two
// unbuffered channels did the same, but linked TinyGo's channel implementation (about 2 KB
// of flash in a program that had no channel) and cost two channel objects of heap per
// task. The goroutine starts when the task is made, so its stack is allocated by Go, not
// by a poll.
//
// The handoff is safe because both sides run in thread mode on one core: TinyGo's
// scheduler is cooperative, and Poll refuses to run in an interrupt handler.
type coro struct {
	task    unsafe.Pointer // the goroutine's *internal/task.Task, once it reached wait
	poller  unsafe.Pointer // the task that resumed it, to hand the CPU back to
	resumed bool           // resume ran before the goroutine reached wait
	entrySP uintptr        // the goroutine's stack pointer when it started, for StackUse
	body    func()         // what coroEntry runs, for a goroutine with a stack size of its own
}

// The scheduler primitives, by name (TinyGo resolves a body-less //go:linkname declaration
// to the named function; a TinyGo release that renamed one would fail to link, not
// misbehave). A *task.Task is passed as an unsafe.Pointer: the package is internal.

//go:linkname currentTask internal/task.Current
func currentTask() unsafe.Pointer

//go:linkname pauseTask internal/task.Pause
func pauseTask()

//go:linkname runTask runtime.runqueuePushBack
func runTask(t unsafe.Pointer)

//go:linkname startGoroutine internal/task.start
func startGoroutine(fn uintptr, args unsafe.Pointer, stackSize uintptr)

// init starts the coroutine's goroutine. With stackSize 0 that is a go statement, which
// gets the program's -stack-size. Otherwise it starts the goroutine as a go statement
// does, through internal/task.start, which takes the stack size as an argument (the
// compiler passes its one -stack-size there): the goroutine runs coroEntry with c.
func (c *coro) init(body func(), stackSize uintptr) {
	if stackSize == 0 {
		go body()
		return
	}
	c.body = body
	entry := coroEntry
	startGoroutine((*funcValue)(unsafe.Pointer(&entry)).code, unsafe.Pointer(c), stackSize)
}

// funcValue is TinyGo's layout of a func value: the closure's context, then the address of
// its code. A top-level function's context is nil.
type funcValue struct {
	context unsafe.Pointer
	code    uintptr
}

// coroEntry is the function a goroutine started by init runs: tinygo_startTask calls it
// with the argument init passed to internal/task.start, as it calls the wrapper a go
// statement compiles to.
func coroEntry(c unsafe.Pointer) { (*coro)(c).body() }

// resume runs the goroutine until it yields or ends.
func (c *coro) resume() {
	c.poller = currentTask()
	if c.task != nil {
		runTask(c.task)
	} else {
		c.resumed = true // still on the run queue since the go statement: wait will not pause
	}
	pauseTask()
}

// wait is the goroutine's first step: until the first resume.
func (c *coro) wait() {
	c.entrySP = rt.StackPointer()
	c.task = currentTask()
	if !c.resumed {
		pauseTask()
	}
}

// yield hands the CPU back to the poller until the next resume.
func (c *coro) yield() {
	runTask(c.poller)
	pauseTask()
}

// done hands the CPU back to the poller for the last time: the goroutine is ending.
func (c *coro) done() { runTask(c.poller) }

// StackUse measures the task's goroutine stack (see StackUse): how far below where its
// goroutine started it has been written, and how much above TinyGo's stack canary never
// was. Call it from the task's function.
func (t *T) StackUse() StackUse {
	low, bottom, ok := rt.StackLowWater()
	if !ok || t.co.entrySP == 0 || low > t.co.entrySP {
		return StackUse{}
	}
	return StackUse{Deepest: int(t.co.entrySP - low), Unused: int(low - bottom), Measured: true}
}

// TinyGo's runtime.Goexit runs no deferred calls, so a function that ended without
// returning and without a recoverable value panicked with nil.
func goexit() { panic("async: straight-line task panicked with nil") }
