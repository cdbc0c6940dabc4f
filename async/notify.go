package async

// Notify wakes waiting tasks without passing a value, like tokio's Notify. NotifyOne wakes
// the longest waiter or, if nobody waits, stores a permit (at most one) that the next wait
// consumes at once, so a notification sent before the wait is not lost. NotifyAll wakes
// everyone waiting at that moment and stores no permit.
//
// NotifyOne and NotifyAll never block and never allocate: call them from interrupt handlers
// of any priority, tasks, other cores or goroutines. Tasks wait with Notified; host
// goroutines with WaitBlocking.
//
// The zero Notify has no permit and no waiters. It must not be copied after first use.
type Notify struct {
	mu     spinlock
	permit bool
	epoch  uint32 // advanced by each NotifyAll; a waiter's tag is the epoch it queued in
	q      waitList
}

// NotifyOne wakes the longest waiter, or stores a permit if nobody waits.
func (n *Notify) NotifyOne() {
	cs := n.mu.lock()
	var w Waker
	if n.q.head != nil {
		w = n.q.grant(waitGranted).waker
	} else {
		n.permit = true
	}
	n.mu.unlock(cs)
	w.Wake()
}

// NotifyAll wakes every task waiting when it is called (not those that start waiting while
// it runs) and stores no permit. It takes the lock once per waiter, so an interrupt handler
// is never delayed by more than one waiter's worth of work.
func (n *Notify) NotifyAll() {
	cs := n.mu.lock()
	n.epoch++
	epoch := n.epoch
	n.mu.unlock(cs)
	for {
		cs := n.mu.lock()
		h := n.q.head
		// The list is in queueing order, so epochs along it never decrease: stop at the
		// first waiter that queued after this call began.
		if h == nil || int32(h.tag-epoch) >= 0 {
			n.mu.unlock(cs)
			return
		}
		n.q.grant(waitGrantedAll)
		w := h.waker
		n.mu.unlock(cs)
		w.Wake()
	}
}

// HasPermit reports whether a permit is stored (a snapshot, for tests and diagnostics).
func (n *Notify) HasPermit() bool {
	cs := n.mu.lock()
	p := n.permit
	n.mu.unlock(cs)
	return p
}

// Notified returns a future that completes when the Notify is notified, or at once if a
// permit is stored (consuming it). Keep it at one address while it waits; see
// NotifiedFuture.
func (n *Notify) Notified() NotifiedFuture { return NotifiedFuture{n: n} }

// NotifiedFuture waits for a Notify; *NotifiedFuture is a Future[struct{}]. Make it with
// Notify.Notified. Once it has completed, polling it again waits for the next notification,
// so a task can keep one in a field and poll it in a loop. Cancel stops waiting; a
// NotifyOne already delivered to it passes to the next waiter, or is stored as the permit.
type NotifiedFuture struct {
	n     *Notify
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// Poll completes once notified (or on a stored permit), otherwise waits.
func (f *NotifiedFuture) Poll(cx *Context) (struct{}, bool) {
	n := f.n
	cs := n.mu.lock()
	switch f.w.state {
	case waitGranted, waitGrantedAll:
		f.w.state = waitIdle
		f.armed = false
		n.mu.unlock(cs)
		return struct{}{}, true
	case waitQueued:
		f.w.waker = cx.Waker()
	default: // idle
		if n.permit {
			n.permit = false
			n.mu.unlock(cs)
			return struct{}{}, true
		}
		f.w.waker = cx.Waker()
		f.w.tag = n.epoch
		n.q.push(&f.w)
		f.armed = true
	}
	n.mu.unlock(cs)
	return struct{}{}, false
}

// Cancel stops waiting. A NotifyOne delivered to this waiter but not yet seen by it goes to
// the next waiter, or becomes the stored permit; a NotifyAll needs no passing on.
func (f *NotifiedFuture) Cancel() {
	if !f.armed {
		return // not waiting: nobody else refers to f
	}
	n := f.n
	cs := n.mu.lock()
	f.armed = false
	var w Waker
	switch f.w.state {
	case waitQueued:
		n.q.remove(&f.w)
	case waitGranted:
		if n.q.head != nil {
			w = n.q.grant(waitGranted).waker
		} else {
			n.permit = true
		}
	}
	f.w.state = waitIdle
	n.mu.unlock(cs)
	w.Wake()
}
