package async

import "github.com/gohal/gohal/rt"

// Mutex is a fair asynchronous mutual-exclusion lock: tasks wait for it with the Lock
// future instead of blocking their executor. It is handed over in FIFO order: Unlock gives
// the lock directly to the waiter that has waited longest (it stays locked in between), so
// neither TryLock nor a newly polled Lock can take it first. A waiter cancelled after it was
// handed the lock, before it was polled, passes the lock on as if it had unlocked it.
//
// Like sync.Mutex, a Mutex is not tied to a task: any context may Unlock it. TryLock and
// Unlock never block and may be called from interrupt handlers; on the host, goroutines
// block with LockBlocking.
//
// The zero Mutex is unlocked. It must not be copied after first use.
type Mutex struct {
	mu     spinlock
	locked bool
	q      waitQueue // granted: at most one waiter, handed the lock but not yet polled
}

// unlock releases the spinlock. After a queue repair it first passes on the lock if the
// repair dropped the waiter it had been handed to (it was overwritten), and if the repair
// lost waiters it could not save, it panics once the spinlock is released. One check on the
// hot paths.
func (m *Mutex) unlock(cs rt.CS) {
	if m.q.lost != 0 {
		m.unlockWakeSlow(cs, 0)
		return
	}
	m.mu.unlock(cs)
}

// unlockWake is unlock, then w.Wake() (before any panic, so that no wake is lost).
func (m *Mutex) unlockWake(cs rt.CS, w Waker) {
	if m.q.lost != 0 {
		m.unlockWakeSlow(cs, w)
		return
	}
	m.mu.unlock(cs)
	w.Wake()
}

// unlockWakeSlow is unlockWake after a queue repair. Cold.
func (m *Mutex) unlockWakeSlow(cs rt.CS, w Waker) { releaseWake(m, cs, w) }

// release hands the lock a dropped waiter held to the next one (or unlocks m), wakes it
// after unlocking, and returns the message of a repair that lost waiters, if one did. Cold:
// only misuse gets here.
func (m *Mutex) release(cs rt.CS) error {
	err := m.q.broken()
	lost := m.q.lost
	m.q.lost = 0
	var w Waker
	if lost > 0 {
		w = m.handOff()
	}
	if e := m.q.broken(); e != nil {
		err = e
	}
	m.q.lost = 0
	m.mu.unlock(cs)
	w.Wake()
	return err
}

// TryLock locks m if it is unlocked and reports whether it did.
func (m *Mutex) TryLock() bool {
	cs := m.mu.lock()
	ok := !m.locked
	m.locked = true
	m.unlock(cs)
	return ok
}

// Unlock unlocks m, handing it to the longest waiter if there is one. Unlocking an unlocked
// Mutex panics.
func (m *Mutex) Unlock() {
	cs := m.mu.lock()
	if !m.locked {
		m.unlock(cs)
		panic("async: Unlock of unlocked Mutex")
	}
	w := m.handOff()
	m.unlockWake(cs, w)
}

// handOff passes the lock (held) to the head waiter, or unlocks it if nobody waits, and
// returns the waker to call after unlocking the spinlock.
func (m *Mutex) handOff() Waker {
	g := m.q.grant()
	if g == nil {
		m.locked = false
		return 0
	}
	return g.waker
}

// Locked reports whether m is locked (a snapshot, for tests and diagnostics).
func (m *Mutex) Locked() bool {
	cs := m.mu.lock()
	l := m.locked
	m.unlock(cs)
	return l
}

// Lock returns a future that completes once the caller holds m. Keep it at one address while
// it waits; see LockFuture.
func (m *Mutex) Lock() LockFuture { return LockFuture{m: m} }

// LockFuture acquires a Mutex; *LockFuture is a Future[struct{}]. Make it with Mutex.Lock,
// or Init one in place. Once it has completed the caller holds the lock and must Unlock it;
// polling the future again then tries to lock the Mutex again (and waits for itself). Cancel
// before completion leaves the queue, or passes the lock on if it had already been handed
// over; Cancel after completion does nothing (the holder still has to Unlock).
//
// While it waits it is linked into the Mutex's queue: do not copy it or assign over it
// (f = m.Lock()) before it has completed or been cancelled; Init cancels first. A future
// found copied or overwritten while waiting panics, and the queue is repaired (a lock handed
// to it passes on). A straight-line task locks with AwaitLock instead, which allocates
// nothing.
type LockFuture struct {
	m  *Mutex
	op waitOp
}

// Init makes f a future locking m, cancelling first what f was doing (no allocation):
// f.Init(m) in place of f = m.Lock().
func (f *LockFuture) Init(m *Mutex) {
	f.Cancel()
	f.m = m
}

// Poll completes once the lock is the caller's.
func (f *LockFuture) Poll(cx *Context) (struct{}, bool) {
	return struct{}{}, f.m.pollLock(&f.op, cx, kindLock)
}

// pollLock is LockFuture.Poll and AwaitLock's poll: op waits for the lock; kind names it in
// misuse messages (kindLock, or kindAwait for a T's op).
func (m *Mutex) pollLock(op *waitOp, cx *Context, kind uint8) bool {
	cs := m.mu.lock()
	if m.q.suspect(&op.w) {
		m.misuse(op, kind, cs)
	}
	switch op.w.state {
	case waitGranted:
		m.q.ungrant(&op.w)
		op.armed = false
		m.unlock(cs)
		return true
	case waitQueued:
		op.w.waker = cx.Waker()
	default: // idle
		if !m.locked {
			m.locked = true
			m.unlock(cs)
			return true
		}
		op.w.waker = cx.Waker()
		if !m.q.enqueue(&op.w, kindLock) {
			m.misuse(op, kind, cs)
		}
		op.armed = true
	}
	m.unlock(cs)
	return false
}

// cancelLock undoes w's arming (the lock is held): it leaves the queue, or passes the lock
// handed to it on, returning the next holder's waker.
func (m *Mutex) cancelLock(w *waiter) Waker {
	switch w.state {
	case waitQueued:
		m.q.unqueue(w)
	case waitGranted:
		m.q.ungrant(w)
		return m.handOff()
	}
	return 0
}

// misuse repairs what a copy or an overwrite of op (a waiter of the given kind) broke,
// releases the lock and panics.
func (m *Mutex) misuse(op *waitOp, kind uint8, cs rt.CS) {
	undo, err := m.q.misuse(&op.w, kind)
	var orig, next Waker
	if undo != nil {
		if undo != &op.w {
			orig = undo.waker
		}
		next = m.cancelLock(undo)
	}
	op.armed = false
	m.release(cs)
	orig.Wake()
	next.Wake()
	panic(err)
}

// withdraw is the Cancel of op, an armed waiter of the given kind.
func (m *Mutex) withdraw(op *waitOp, kind uint8) {
	cs := m.mu.lock()
	if m.q.suspect(&op.w) {
		m.misuse(op, kind, cs)
	}
	op.armed = false
	w := m.cancelLock(&op.w)
	m.unlockWake(cs, w)
}

// Cancel stops waiting for the lock; if it had already been handed to this waiter, it
// passes to the next one (or m is unlocked).
func (f *LockFuture) Cancel() {
	if f.op.armed { // else not waiting (or holding the lock): nobody else refers to f
		f.m.withdraw(&f.op, kindLock)
	}
}

// AwaitLock locks m from a straight-line task (async.Go), waiting while another holds it:
// Lock and async.Await in one call, served in the same FIFO order as LockFutures. When it
// returns the task holds m and must Unlock it; awaiting it again while holding it waits for
// ever, as a LockFuture would. It allocates nothing: the waiter it queues lives in t (a
// LockFuture in the task function's own variable escapes to the heap, since the queue
// records its address, so "f := m.Lock(); async.Await(t, &f)" allocates once per await).
//
// Call it only from t's own function, with the t it received: elsewhere (another task, an
// interrupt handler, after the function returned) it panics before touching m or t. If the
// function ends while it waits (a panic it did not recover), the waiter leaves the queue as
// LockFuture.Cancel would: a lock already handed to it passes to the next waiter, or m is
// unlocked. A t copied or overwritten while it waits is detected as a misused LockFuture
// is: the queue is repaired and the await panics.
func (m *Mutex) AwaitLock(t *T) {
	t.mustRun("Mutex.AwaitLock")
	op := t.beginOp(m)
	for !m.pollLock(op, t.cx, kindAwait) {
		t.co.yield()
	}
}

func (m *Mutex) cancelOp(op *waitOp) { m.withdraw(op, kindAwait) }
