package async

// TaskPanic describes a task that panicked.
type TaskPanic struct {
	Executor string
	Task     string
	Value    any
	// Where is the file:line of the panic on the host ("" under TinyGo, which keeps no
	// such information at run time).
	Where string
}

func (p TaskPanic) Error() string {
	at := ""
	if p.Where != "" {
		at = " at " + p.Where
	}
	return "async: task " + p.Task + " of executor " + p.Executor + " panicked" + at + ": " + describe(p.Value)
}

func describe(v any) string {
	switch v := v.(type) {
	case error:
		return v.Error()
	case string:
		return v
	case interface{ String() string }:
		return v.String()
	}
	return "(non-string value)"
}

// pollProtected polls until nothing is queued (with sleep, Run's: until sleep says to
// return). A task that panics is removed and reported (reportPanic), and polling goes on
// with the others: the recover sits around the whole loop, not each poll, so it costs
// nothing per poll.
func (e *Executor) pollProtected(sleep bool) {
	if e.polling {
		panic("async: executor " + e.name + " polled while it is polling (Poll called from one of its tasks, or from a handler that preempted it): its state would be corrupted")
	}
	e.polling = true
	for {
		e.panicked = false
		e.pollGuarded(sleep)
		if !e.panicked {
			e.polling = false
			return
		}
	}
}

// pollGuarded is pollReady behind a deferred recover. The deferred call is a plain function
// with an argument, not a closure: TinyGo then keeps the defer frame on the stack, so a
// poll allocates nothing.
func (e *Executor) pollGuarded(sleep bool) {
	defer recoverTask(e)
	e.pollReady(sleep)
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

// reportPanic removes the task being polled and reports it.
func (e *Executor) reportPanic(v any, where string) {
	idx := e.current
	e.current = -1
	if idx < 0 {
		panic(v) // not from a task: the executor itself is broken
	}
	// (Under TinyGo there are no sites: the constant drops the type assertion, its
	// interface thunk and every panicSite method from the program.)
	if panicSites {
		if s, ok := e.slots[idx].taskInterface().(interface{ panicSite() string }); ok && s.panicSite() != "" {
			where = s.panicSite() // a straight-line task's own function, not the re-panic in its Poll
		}
	}
	p := TaskPanic{Executor: e.name, Task: e.slots[idx].stats.Name, Value: v, Where: where}
	e.release(idx)
	if e.onPanic != nil {
		e.onPanic(p)
		return
	}
	println(p.Error())
}
