package async

// Signal holds the latest value signalled and not yet taken, like embassy's Signal: a second
// Signal before anyone takes the first replaces it. It is meant for one waiting task (an
// interrupt handler signalling "data ready" to the task that drives a peripheral); if several
// wait, they are served in the order they started waiting, each signalled value going to
// one of them.
//
// Signal (the method) is non-blocking and allocation-free, callable from interrupt handlers
// of any priority, tasks, other cores and plain goroutines. Tasks wait with Wait; interrupt
// handlers poll with TryTake; host goroutines block with WaitBlocking.
//
// The zero Signal is ready to use. It must not be copied after first use.
type Signal[T any] struct {
	mu      spinlock
	v       T
	set     bool
	grantee *waiter // the waiter the value is reserved for, if any
	q       waitList
}

// Signal stores v, replacing any value not yet taken, and wakes the waiter (if one waits).
func (s *Signal[T]) Signal(v T) {
	cs := s.mu.lock()
	s.v = v
	s.set = true
	var w Waker
	if s.grantee == nil && s.q.head != nil {
		s.grantee = s.q.grant(waitGranted)
		w = s.grantee.waker
	}
	s.mu.unlock(cs)
	w.Wake()
}

// take clears and returns the value; the caller holds the lock and checked it is set.
func (s *Signal[T]) take() T {
	var zero T
	v := s.v
	s.v = zero
	s.set = false
	return v
}

// TryTake takes the signalled value, if there is one that no woken waiter is owed, and
// reports whether it did. It never blocks: call it from interrupt handlers.
func (s *Signal[T]) TryTake() (T, bool) {
	cs := s.mu.lock()
	if !s.set || s.grantee != nil {
		s.mu.unlock(cs)
		var zero T
		return zero, false
	}
	v := s.take()
	s.mu.unlock(cs)
	return v, true
}

// Signaled reports whether a value is waiting to be taken.
func (s *Signal[T]) Signaled() bool {
	cs := s.mu.lock()
	set := s.set
	s.mu.unlock(cs)
	return set
}

// Reset discards a value not yet taken. A waiter that had been woken for it goes back to
// the head of the queue and keeps waiting.
func (s *Signal[T]) Reset() {
	cs := s.mu.lock()
	var zero T
	s.v = zero
	s.set = false
	if g := s.grantee; g != nil {
		s.grantee = nil
		s.q.pushFront(g)
	}
	s.mu.unlock(cs)
}

// Wait returns a future that completes with the next signalled value (or the one already
// signalled), taking it. Keep it at one address while it waits; see SignalFuture.
func (s *Signal[T]) Wait() SignalFuture[T] { return SignalFuture[T]{s: s} }

// SignalFuture waits for a Signal's value; *SignalFuture[T] is a Future[T]. Make it with
// Signal.Wait. Once it has completed, polling it again waits for the next value, so a task
// can keep one in a field and poll it in a loop. Cancel stops waiting; a value that had
// already been reserved for it stays in the Signal (or goes to the next waiter).
type SignalFuture[T any] struct {
	s     *Signal[T]
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// Poll takes the value if it is there for this waiter, otherwise waits.
func (f *SignalFuture[T]) Poll(cx *Context) (T, bool) {
	s := f.s
	cs := s.mu.lock()
	switch f.w.state {
	case waitGranted:
		s.grantee = nil
		f.w.state = waitIdle
		f.armed = false
		v := s.take()
		s.mu.unlock(cs)
		return v, true
	case waitQueued:
		f.w.waker = cx.Waker()
	default: // idle
		if s.set && s.grantee == nil {
			v := s.take()
			s.mu.unlock(cs)
			return v, true
		}
		f.w.waker = cx.Waker()
		s.q.push(&f.w)
		f.armed = true
	}
	s.mu.unlock(cs)
	var zero T
	return zero, false
}

// Cancel stops waiting. A value reserved for this waiter goes to the next one, or stays in
// the Signal for TryTake or a later Wait.
func (f *SignalFuture[T]) Cancel() {
	if !f.armed {
		return // not waiting: nobody else refers to f
	}
	s := f.s
	cs := s.mu.lock()
	f.armed = false
	var w Waker
	switch f.w.state {
	case waitQueued:
		s.q.remove(&f.w)
	case waitGranted:
		f.w.state = waitIdle
		s.grantee = nil
		if s.q.head != nil {
			s.grantee = s.q.grant(waitGranted)
			w = s.grantee.waker
		}
	}
	s.mu.unlock(cs)
	w.Wake()
}
