package async

import "github.com/gohal/gohal/rt"

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
	epoch  uint32    // advanced by each NotifyAll; a waiter's tag is the epoch it queued in
	q      waitQueue // granted: waiters a NotifyOne released, not yet polled
}

// unlock releases the lock. After a queue repair it first passes on the NotifyOnes
// delivered to granted waiters it dropped (they were overwritten), and if the repair lost
// waiters it could not save, it panics once the lock is released. One check on the hot
// paths.
func (n *Notify) unlock(cs rt.CS) {
	if n.q.lost != 0 {
		n.unlockWakeSlow(cs, 0)
		return
	}
	n.mu.unlock(cs)
}

// unlockWake is unlock, then w.Wake() (before any panic, so that no wake is lost).
func (n *Notify) unlockWake(cs rt.CS, w Waker) {
	if n.q.lost != 0 {
		n.unlockWakeSlow(cs, w)
		return
	}
	n.mu.unlock(cs)
	w.Wake()
}

// unlockWakeSlow is unlockWake after a queue repair. Cold.
func (n *Notify) unlockWakeSlow(cs rt.CS, w Waker) { releaseWake(n, cs, w) }

// release delivers each lost NotifyOne again, one per lock hold and each wake after
// unlocking, and returns with the lock released and the message of a repair that lost
// waiters, if one did. Cold: only misuse gets here.
func (n *Notify) release(cs rt.CS) error {
	var err error
	for {
		if e := n.q.broken(); e != nil {
			err = e
		}
		if n.q.lost == 0 {
			n.mu.unlock(cs)
			return err
		}
		n.q.lost--
		var w Waker
		if g := n.q.grant(); g != nil {
			w = g.waker
		} else {
			n.permit = true
		}
		n.mu.unlock(cs)
		w.Wake()
		cs = n.mu.lock()
	}
}

// NotifyOne wakes the longest waiter, or stores a permit if nobody waits.
func (n *Notify) NotifyOne() {
	cs := n.mu.lock()
	var w Waker
	if g := n.q.grant(); g != nil {
		w = g.waker
	} else {
		n.permit = true
	}
	n.unlockWake(cs, w)
}

// NotifyAll wakes every task waiting when it is called (not those that start waiting while
// it runs) and stores no permit. It takes the lock once per waiter, so an interrupt handler
// is never delayed by more than one waiter's worth of work.
func (n *Notify) NotifyAll() {
	cs := n.mu.lock()
	n.epoch++
	epoch := n.epoch
	n.unlock(cs)
	for {
		cs := n.mu.lock()
		h := n.q.first()
		// The list is in queueing order, so epochs along it never decrease: stop at the
		// first waiter that queued after this call began.
		if h == nil || int32(h.tag-epoch) >= 0 {
			n.unlock(cs)
			return
		}
		n.q.grantAll()
		w := h.waker
		n.unlockWake(cs, w)
	}
}

// HasPermit reports whether a permit is stored (a snapshot, for tests and diagnostics).
func (n *Notify) HasPermit() bool {
	cs := n.mu.lock()
	p := n.permit
	n.unlock(cs)
	return p
}

// Notified returns a future that completes when the Notify is notified, or at once if a
// permit is stored (consuming it). Keep it at one address while it waits; see
// NotifiedFuture.
func (n *Notify) Notified() NotifiedFuture { return NotifiedFuture{n: n} }

// NotifiedFuture waits for a Notify; *NotifiedFuture is a Future[struct{}]. Make it with
// Notify.Notified, or Init one in place. Once it has completed, polling it again waits for
// the next notification, so a task can keep one in a field and poll it in a loop. Cancel
// stops waiting; a NotifyOne already delivered to it passes to the next waiter, or is stored
// as the permit.
//
// While it waits it is linked into the Notify's queue: do not copy it or assign over it
// (f = n.Notified()) before it has completed or been cancelled; Init cancels first. A
// future found copied or overwritten while waiting panics, and the queue is repaired (a
// NotifyOne delivered to it passes on). A straight-line task waits with AwaitNotified
// instead, which allocates nothing.
type NotifiedFuture struct {
	n  *Notify
	op waitOp
}

// Init makes f a future waiting on n, cancelling first what f was doing (no allocation):
// f.Init(n) in place of f = n.Notified().
func (f *NotifiedFuture) Init(n *Notify) {
	f.Cancel()
	f.n = n
}

// Poll completes once notified (or on a stored permit), otherwise waits.
func (f *NotifiedFuture) Poll(cx *Context) (struct{}, bool) {
	return struct{}{}, f.n.pollNotified(&f.op, cx, kindNotified)
}

// pollNotified is NotifiedFuture.Poll and AwaitNotified's poll: op waits for a
// notification; kind names it in misuse messages (kindNotified, or kindAwait for a T's op).
func (n *Notify) pollNotified(op *waitOp, cx *Context, kind uint8) bool {
	cs := n.mu.lock()
	if n.q.suspect(&op.w) {
		n.misuse(op, kind, cs)
	}
	switch op.w.state {
	case waitGranted:
		n.q.ungrant(&op.w)
		op.armed = false
		n.unlock(cs)
		return true
	case waitGrantedAll:
		op.w.self, op.w.state = nil, waitIdle
		op.armed = false
		n.unlock(cs)
		return true
	case waitQueued:
		op.w.waker = cx.Waker()
	default: // idle
		if n.permit {
			n.permit = false
			n.unlock(cs)
			return true
		}
		op.w.waker = cx.Waker()
		op.w.tag = n.epoch
		if !n.q.enqueue(&op.w, kindNotified) {
			n.misuse(op, kind, cs)
		}
		op.armed = true
	}
	n.unlock(cs)
	return false
}

// cancelWait undoes w's arming (the lock is held): it leaves the queue, or passes a
// NotifyOne delivered to it on to the next waiter (whose waker it returns) or to the permit.
func (n *Notify) cancelWait(w *waiter) Waker {
	switch w.state {
	case waitQueued:
		n.q.unqueue(w)
	case waitGranted:
		n.q.ungrant(w)
		if g := n.q.grant(); g != nil {
			return g.waker
		}
		n.permit = true
	case waitGrantedAll:
		w.self, w.state = nil, waitIdle
	}
	return 0
}

// misuse repairs what a copy or an overwrite of op (a waiter of the given kind) broke,
// releases the lock and panics.
func (n *Notify) misuse(op *waitOp, kind uint8, cs rt.CS) {
	undo, err := n.q.misuse(&op.w, kind)
	var orig, next Waker
	if undo != nil {
		if undo != &op.w {
			orig = undo.waker
		}
		next = n.cancelWait(undo)
	}
	op.armed = false
	n.release(cs)
	orig.Wake()
	next.Wake()
	panic(err)
}

// withdraw is the Cancel of op, an armed waiter of the given kind.
func (n *Notify) withdraw(op *waitOp, kind uint8) {
	cs := n.mu.lock()
	if n.q.suspect(&op.w) {
		n.misuse(op, kind, cs)
	}
	op.armed = false
	w := n.cancelWait(&op.w)
	n.unlockWake(cs, w)
}

// Cancel stops waiting. A NotifyOne delivered to this waiter but not yet seen by it goes to
// the next waiter, or becomes the stored permit; a NotifyAll needs no passing on.
func (f *NotifiedFuture) Cancel() {
	if f.op.armed { // else not waiting: nobody else refers to f
		f.n.withdraw(&f.op, kindNotified)
	}
}

// AwaitNotified waits for n from a straight-line task (async.Go): Notified and async.Await
// in one call, served in the same FIFO order as NotifiedFutures; a stored permit completes
// it at once, consuming it. It allocates nothing: the waiter it queues lives in t (a
// NotifiedFuture in the task function's own variable escapes to the heap, since the queue
// records its address, so "f := n.Notified(); async.Await(t, &f)" allocates once per
// await).
//
// Call it only from t's own function, with the t it received: elsewhere (another task, an
// interrupt handler, after the function returned) it panics before touching n or t. If the
// function ends while it waits (a panic it did not recover), the waiter leaves the queue as
// NotifiedFuture.Cancel would: a NotifyOne delivered to it passes to the next waiter or
// becomes the permit. A t copied or overwritten while it waits is detected as a misused
// NotifiedFuture is: the queue is repaired and the await panics.
func (n *Notify) AwaitNotified(t *T) {
	t.mustRun("Notify.AwaitNotified")
	op := t.beginOp(n)
	for !n.pollNotified(op, t.cx, kindAwait) {
		t.co.yield()
	}
}

func (n *Notify) cancelOp(op *waitOp) { n.withdraw(op, kindAwait) }
