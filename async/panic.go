package async

// pollProtected polls until nothing is queued. A task that panics is removed and reported
// (reportPanic), and polling goes on with the others: the recover sits around the whole
// loop, not each poll, so it costs nothing per poll.
func (e *Executor) pollProtected() {
	if e.polling {
		panic("async: executor " + e.name + " polled while it is polling (Poll called from one of its tasks, or from a handler that preempted it): its state would be corrupted")
	}
	e.polling = true
	for {
		e.panicked = false
		e.pollGuarded()
		if !e.panicked {
			e.polling = false
			return
		}
	}
}

// pollGuarded is pollReady behind a deferred recover. The deferred call is a plain function
// with an argument, not a closure: TinyGo then keeps the defer frame on the stack, so a
// poll allocates nothing.
func (e *Executor) pollGuarded() {
	defer recoverTask(e)
	e.pollReady()
}

// recoverTask reports a task's panic. recover returns nil both on a normal return and for
// runtime.Goexit (a machine stopping mid-poll, t.FailNow in a test's task): a Goexit in the
// middle of a poll (e.current still set) removes that task without reporting a panic.
func recoverTask(e *Executor) {
	if v := recover(); v != nil {
		e.panicked = true
		e.giveBack()
		e.reportPanic(v, panicSite())
		return
	}
	if idx := e.current; idx >= 0 {
		e.polling = false // the poller's goroutine is exiting (runtime.Goexit)
		e.current = -1
		e.giveBack()
		e.release(idx)
	}
}
