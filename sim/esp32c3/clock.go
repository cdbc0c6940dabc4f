package esp32c3

import (
	"container/heap"
	"time"
)

// Now returns the virtual time since reset. Inside an event callback it is the event's own
// time, so models that schedule relative to it keep exact timing.
func (c *Chip) Now() time.Duration {
	if t := c.evNow.Load(); t >= 0 {
		return time.Duration(t)
	}
	return c.m.Now()
}

// Event is a scheduled model action.
type Event struct {
	at    time.Duration
	seq   uint64
	f     func()
	index int // in the heap, -1 once run or cancelled
	c     *Chip
	// passive events (the run's time limit) cannot wake firmware, so they do not keep a
	// chip whose cores all wait for an interrupt from being reported idle.
	passive bool
}

// At returns the virtual time the event is scheduled for.
func (e *Event) At() time.Duration { return e.at }

// Pending reports whether the event is still waiting to run.
func (e *Event) Pending() bool {
	e.c.evMu.Lock()
	defer e.c.evMu.Unlock()
	return e.index >= 0
}

// Cancel removes the event if it has not run yet. It is idempotent.
func (e *Event) Cancel() {
	c := e.c
	c.evMu.Lock()
	defer c.evMu.Unlock()
	if e.index >= 0 {
		heap.Remove(&c.events, e.index)
		c.unqueuedLocked(e)
		c.setDeadlineLocked()
	}
}

// Schedule runs f at virtual time at (at once, at the next clock step, if at is not in the
// future) with the chip lock held. Events due at the same time run in the order they were
// scheduled. f runs on the simulator's clock goroutine, or on the goroutine advancing time
// with Advance.
func (c *Chip) Schedule(at time.Duration, f func()) *Event { return c.schedule(at, f, false) }

func (c *Chip) schedule(at time.Duration, f func(), passive bool) *Event {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	c.seq++
	e := &Event{at: at, seq: c.seq, f: f, c: c, passive: passive}
	heap.Push(&c.events, e)
	if !passive {
		c.active++
	}
	c.setDeadlineLocked()
	return e
}

// unqueuedLocked accounts for e leaving the queue.
func (c *Chip) unqueuedLocked(e *Event) {
	if !e.passive {
		c.active--
	}
}

// canWake reports whether an event that could wake the firmware is scheduled.
func (c *Chip) canWake() bool {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	return c.active > 0
}

// After runs f d after the current virtual time (see Schedule).
func (c *Chip) After(d time.Duration, f func()) *Event { return c.Schedule(c.Now()+d, f) }

func (c *Chip) setDeadlineLocked() {
	if len(c.events) == 0 {
		c.m.SetDeadline(-1)
		return
	}
	c.m.SetDeadline(c.events[0].at)
}

// popDue removes and returns the next event due at or before t.
func (c *Chip) popDue(t time.Duration) *Event {
	c.evMu.Lock()
	defer c.evMu.Unlock()
	if len(c.events) == 0 || c.events[0].at > t {
		return nil
	}
	e := heap.Pop(&c.events).(*Event)
	c.unqueuedLocked(e)
	c.setDeadlineLocked()
	return e
}

// runDue runs every event due at or before t, with the chip lock held.
func (c *Chip) runDue(t time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	defer c.evNow.Store(-1)
	for e := c.popDue(t); e != nil; e = c.popDue(t) {
		c.evNow.Store(int64(e.at))
		e.f()
	}
}

// onTime is the machine's clock callback.
func (c *Chip) onTime() { c.runDue(c.m.Now()) }

// Advance runs the chip for d of virtual time without firmware: every event due runs, in
// order, at its own time. For model tests; while firmware runs, time passes by itself.
func (c *Chip) Advance(d time.Duration) {
	end := c.Now() + d
	for {
		c.evMu.Lock()
		next := time.Duration(-1)
		if len(c.events) > 0 && c.events[0].at <= end {
			next = c.events[0].at
		}
		c.evMu.Unlock()
		if next < 0 {
			break
		}
		c.m.Advance(next)
		c.runDue(next)
	}
	c.m.Advance(end)
}

type eventHeap []*Event

func (h eventHeap) Len() int { return len(h) }
func (h eventHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h eventHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *eventHeap) Push(x any) {
	e := x.(*Event)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *eventHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	e.index = -1
	*h = old[:len(old)-1]
	return e
}
