package async

import "github.com/gohal/gohal/rt"

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
	mu  spinlock
	v   T
	set bool
	q   waitQueue // granted: at most one waiter, the one the value is reserved for
}

// unlock releases the lock. After a queue repair it first passes on the value reserved for
// a granted waiter it dropped (it was overwritten), and if the repair lost waiters it could
// not save, it panics once the lock is released. One check on the hot paths.
func (s *Signal[T]) unlock(cs rt.CS) {
	if s.q.lost != 0 {
		s.unlockWakeSlow(cs, 0)
		return
	}
	s.mu.unlock(cs)
}

// unlockWake is unlock, then w.Wake() (before any panic, so that no wake is lost).
func (s *Signal[T]) unlockWake(cs rt.CS, w Waker) {
	if s.q.lost != 0 {
		s.unlockWakeSlow(cs, w)
		return
	}
	s.mu.unlock(cs)
	w.Wake()
}

// unlockWakeSlow is unlockWake after a queue repair. Cold.
func (s *Signal[T]) unlockWakeSlow(cs rt.CS, w Waker) { releaseWake(s, cs, w) }

// release reserves the value for the next waiter, if it is free and someone waits, wakes it
// after unlocking, and returns the message of a repair that lost waiters, if one did. Cold:
// only misuse gets here.
func (s *Signal[T]) release(cs rt.CS) error {
	err := s.q.broken()
	s.q.lost = 0
	var g *waiter
	if s.set && s.q.granted == 0 {
		g = s.q.grant()
	}
	if e := s.q.broken(); e != nil {
		err = e
	}
	s.q.lost = 0
	w := wakerOf(g)
	s.mu.unlock(cs)
	w.Wake()
	return err
}

// Signal stores v, replacing any value not yet taken, and wakes the waiter (if one waits).
func (s *Signal[T]) Signal(v T) {
	cs := s.mu.lock()
	s.v = v
	s.set = true
	var w Waker
	if s.q.granted == 0 && !s.q.empty() {
		w = wakerOf(s.q.grant())
	}
	s.unlockWake(cs, w)
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
	if !s.set || s.q.granted != 0 {
		s.unlock(cs)
		var zero T
		return zero, false
	}
	v := s.take()
	s.unlock(cs)
	return v, true
}

// Signaled reports whether a value is waiting to be taken.
func (s *Signal[T]) Signaled() bool {
	cs := s.mu.lock()
	set := s.set
	s.unlock(cs)
	return set
}

// Reset discards a value not yet taken. A waiter that had been woken for it goes back to
// the head of the queue and keeps waiting.
func (s *Signal[T]) Reset() {
	cs := s.mu.lock()
	var zero T
	s.v = zero
	s.set = false
	s.q.regrant()
	err := s.q.broken()
	s.q.lost = 0 // the value a dropped grantee held is discarded anyway
	s.mu.unlock(cs)
	if err != nil {
		panic(err)
	}
}

// Wait returns a future that completes with the next signalled value (or the one already
// signalled), taking it. Keep it at one address while it waits; see SignalFuture.
func (s *Signal[T]) Wait() SignalFuture[T] { return SignalFuture[T]{s: s} }

// SignalFuture waits for a Signal's value; *SignalFuture[T] is a Future[T]. Make it with
// Signal.Wait, or Init one in place. Once it has completed, polling it again waits for the
// next value, so a task can keep one in a field and poll it in a loop. Cancel stops waiting;
// a value that had already been reserved for it stays in the Signal (or goes to the next
// waiter).
//
// While it waits it is linked into the Signal's queue: do not copy it or assign over it
// (f = s.Wait()) before it has completed or been cancelled; Init cancels first. A future
// found copied or overwritten while waiting panics, and the queue is repaired. A
// straight-line task waits with Signal.Await instead, which allocates nothing.
type SignalFuture[T any] struct {
	s  *Signal[T]
	op waitOp
}

// Init makes f a future waiting on s, cancelling first what f was doing (no allocation):
// f.Init(s) in place of f = s.Wait().
func (f *SignalFuture[T]) Init(s *Signal[T]) {
	f.Cancel()
	f.s = s
}

// Poll takes the value if it is there for this waiter, otherwise waits.
func (f *SignalFuture[T]) Poll(cx *Context) (T, bool) { return f.s.pollWait(&f.op, cx, kindSignal) }

// pollWait is SignalFuture.Poll and Await's poll: op waits for the value; kind names it in
// misuse messages (kindSignal, or kindAwait for a T's op).
func (s *Signal[T]) pollWait(op *waitOp, cx *Context, kind uint8) (T, bool) {
	cs := s.mu.lock()
	if s.q.suspect(&op.w) {
		s.misuse(op, kind, cs)
	}
	switch op.w.state {
	case waitGranted:
		s.q.ungrant(&op.w)
		op.armed = false
		v := s.take()
		s.unlock(cs)
		return v, true
	case waitQueued:
		op.w.waker = cx.Waker()
	default: // idle
		if s.set && s.q.granted == 0 {
			v := s.take()
			s.unlock(cs)
			return v, true
		}
		op.w.waker = cx.Waker()
		if !s.q.enqueue(&op.w, kindSignal) {
			s.misuse(op, kind, cs)
		}
		op.armed = true
	}
	s.unlock(cs)
	var zero T
	return zero, false
}

// cancelWait undoes w's arming (the lock is held): it leaves the queue, or passes the value
// reserved for it to the next waiter, whose waker it returns.
func (s *Signal[T]) cancelWait(w *waiter) Waker {
	switch w.state {
	case waitQueued:
		s.q.unqueue(w)
	case waitGranted:
		s.q.ungrant(w)
		if s.set && s.q.granted == 0 {
			return wakerOf(s.q.grant())
		}
	}
	return 0
}

// misuse repairs what a copy or an overwrite of op (a waiter of the given kind) broke,
// releases the lock and panics.
func (s *Signal[T]) misuse(op *waitOp, kind uint8, cs rt.CS) {
	undo, err := s.q.misuse(&op.w, kind)
	var orig, next Waker
	if undo != nil {
		if undo != &op.w {
			orig = undo.waker
		}
		next = s.cancelWait(undo)
	}
	op.armed = false
	s.release(cs)
	orig.Wake()
	next.Wake()
	panic(err)
}

// withdraw is the Cancel of op, an armed waiter of the given kind.
func (s *Signal[T]) withdraw(op *waitOp, kind uint8) {
	cs := s.mu.lock()
	if s.q.suspect(&op.w) {
		s.misuse(op, kind, cs)
	}
	op.armed = false
	w := s.cancelWait(&op.w)
	s.unlockWake(cs, w)
}

// Cancel stops waiting. A value reserved for this waiter goes to the next one, or stays in
// the Signal for TryTake or a later Wait.
func (f *SignalFuture[T]) Cancel() {
	if f.op.armed { // else not waiting: nobody else refers to f
		f.s.withdraw(&f.op, kindSignal)
	}
}

// Await takes the next signalled value (or the one already signalled) from a straight-line
// task (async.Go), waiting until there is one: Wait and async.Await in one call, served in
// the same FIFO order as SignalFutures. It allocates nothing: the waiter it queues lives in
// t (a SignalFuture in the task function's own variable escapes to the heap, since the
// queue records its address, so "f := s.Wait(); async.Await(t, &f)" allocates once per
// await).
//
// Call it only from t's own function, with the t it received: elsewhere (another task, an
// interrupt handler, after the function returned) it panics before touching s or t. If the
// function ends while it waits (a panic it did not recover), the waiter leaves the queue as
// SignalFuture.Cancel would: a value reserved for it goes to the next waiter or stays in the
// Signal. A t copied or overwritten while it waits is detected as a misused SignalFuture is:
// the queue is repaired and the await panics.
func (s *Signal[E]) Await(t *T) E {
	t.mustRun("Signal.Await")
	op := t.beginOp(s)
	for {
		if v, ok := s.pollWait(op, t.cx, kindAwait); ok {
			return v
		}
		t.co.yield()
	}
}

func (s *Signal[E]) cancelOp(op *waitOp) { s.withdraw(op, kindAwait) }
