package async

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
	q      waitList
}

// TryLock locks m if it is unlocked and reports whether it did.
func (m *Mutex) TryLock() bool {
	cs := m.mu.lock()
	ok := !m.locked
	m.locked = true
	m.mu.unlock(cs)
	return ok
}

// Unlock unlocks m, handing it to the longest waiter if there is one. Unlocking an unlocked
// Mutex panics.
func (m *Mutex) Unlock() {
	cs := m.mu.lock()
	if !m.locked {
		m.mu.unlock(cs)
		panic("async: Unlock of unlocked Mutex")
	}
	w := m.handOff()
	m.mu.unlock(cs)
	w.Wake()
}

// handOff passes the lock (held) to the head waiter, or unlocks it if nobody waits, and
// returns the waker to call after unlocking the spinlock.
func (m *Mutex) handOff() Waker {
	if m.q.head == nil {
		m.locked = false
		return 0
	}
	return wakerOf(m.q.grant(waitGranted))
}

// Locked reports whether m is locked (a snapshot, for tests and diagnostics).
func (m *Mutex) Locked() bool {
	cs := m.mu.lock()
	l := m.locked
	m.mu.unlock(cs)
	return l
}

// Lock returns a future that completes once the caller holds m. Keep it at one address while
// it waits; see LockFuture.
func (m *Mutex) Lock() LockFuture { return LockFuture{m: m} }

// LockFuture acquires a Mutex; *LockFuture is a Future[struct{}]. Make it with Mutex.Lock.
// Once it has completed the caller holds the lock and must Unlock it; polling the future
// again then tries to lock the Mutex again (and waits for itself). Cancel before completion
// leaves the queue, or passes the lock on if it had already been handed over; Cancel after
// completion does nothing (the holder still has to Unlock).
type LockFuture struct {
	m     *Mutex
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// Poll completes once the lock is the caller's.
func (f *LockFuture) Poll(cx *Context) (struct{}, bool) {
	m := f.m
	cs := m.mu.lock()
	switch f.w.state {
	case waitGranted:
		f.w.state = waitIdle
		f.armed = false
		m.mu.unlock(cs)
		return struct{}{}, true
	case waitQueued:
		f.w.waker = cx.Waker()
	default: // idle
		if !m.locked {
			m.locked = true
			m.mu.unlock(cs)
			return struct{}{}, true
		}
		f.w.waker = cx.Waker()
		m.q.push(&f.w)
		f.armed = true
	}
	m.mu.unlock(cs)
	return struct{}{}, false
}

// Cancel stops waiting for the lock; if it had already been handed to this waiter, it
// passes to the next one (or m is unlocked).
func (f *LockFuture) Cancel() {
	if !f.armed {
		return // not waiting (or holding the lock): nobody else refers to f
	}
	m := f.m
	cs := m.mu.lock()
	f.armed = false
	var w Waker
	switch f.w.state {
	case waitQueued:
		m.q.remove(&f.w)
	case waitGranted:
		f.w.state = waitIdle
		w = m.handOff()
	}
	m.mu.unlock(cs)
	w.Wake()
}
