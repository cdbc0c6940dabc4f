//go:build !tinygo

package async

import (
	"runtime"

	"github.com/gohal/gohal/rt/host"
)

// coro is a straight-line task's coroutine on the host: rt/host's Handoff, two unbuffered
// channels that, when the poller is a simulated core, also make the coroutine that core's
// context while it runs (its core, interrupt level and critical sections; its register
// accesses are preemption points; the race detector sees the edges of a function call).
// Without a simulated machine it is the plain channel hand-off.
//
// The goroutine starts on the first resume, so the only goroutine whose go statement is
// ordered before it is its executor's.
type coro struct {
	h       *host.Handoff
	body    func()
	started bool
}

// init prepares the coroutine; stackSize (GoOptions.StackSize) has no meaning here:
// goroutine stacks grow.
func (c *coro) init(body func(), stackSize uintptr) {
	c.h = host.NewHandoff()
	c.body = body
}

func (c *coro) resume() {
	if !c.started {
		c.started = true
		go c.body()
	}
	c.h.Resume()
}

func (c *coro) wait()  { c.h.Wait() }
func (c *coro) yield() { c.h.Yield() }
func (c *coro) done()  { c.h.Done() }

// goexit ends the poller's goroutine because the task's function called runtime.Goexit (a
// failed require in a test, for one): one thread of control, so it ends both.
func goexit() { runtime.Goexit() }

// StackUse reports Measured = false: on the host goroutine stacks grow, there is nothing to
// size.
func (t *T) StackUse() StackUse { return StackUse{} }
