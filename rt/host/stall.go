//go:build !tinygo

package host

import "time"

// Stall makes the calling core spend d of virtual time without touching a register, as a
// firmware busy-wait loop would: events due in that span run at their own times (OnTime, on
// the clock goroutine, as for a register access that reaches a deadline), and the core takes
// the interrupts they raise, if it may, as they come. A simulator calls it on the core's
// own goroutine (thread or handler context, or a coroutine adopted as one) for time that
// passed for the firmware outside the model, such as a time.Sleep on a fake clock. On a
// goroutine that is not a core, or with d <= 0, it does nothing.
//
// In RealTime mode the stall is paced to the wall clock.
func (m *Machine) Stall(d time.Duration) {
	c, x := m.self()
	if c == nil || d <= 0 || m.checkStop(x) {
		return
	}
	m.settle(c, x)
	m.stall(c, x, uint64(d))
	m.rebase(x)
}

// stall is Stall for core c's running context x, d nanoseconds.
func (m *Machine) stall(c *Core, x *context, d uint64) {
	end := load64(&m.now) + d
	for {
		n := load64(&m.now)
		if n >= end {
			return
		}
		step := end
		if dl := load64(&m.deadline); dl < step {
			step = dl
		}
		if step > n {
			m.pace(step)
			if !cas64(&m.now, n, step) {
				continue // another core moved time; start again from its value
			}
		}
		if load64(&m.now) >= load64(&m.deadline) {
			m.reachDeadline(x)
		}
		if m.checkStop(x) {
			return
		}
		if load32(&c.pending) != 0 {
			c.poll(x)
		}
	}
}

// Depth returns the nesting depth of the caller's context on the running machine: 0 in
// thread mode (or a coroutine adopted as thread mode), n in the handler of the n-th nested
// interrupt, and -1 if the caller is not one of its cores or no machine is running. Unlike
// InInterrupt it does not read mcause, which trap software may leave set.
func Depth() int {
	if m := current.Load(); m != nil {
		if c, _ := m.self(); c != nil {
			return int(load32(&c.depth))
		}
	}
	return -1
}
