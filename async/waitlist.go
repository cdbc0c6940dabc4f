package async

import "github.com/gohal/gohal/rt"

// Waiting on the sync primitives (Channel, Signal, Mutex, Notify).
//
// Every waiting future embeds a waiter node, so queueing a waiter never allocates: the node
// is linked into the primitive's FIFO wait queue while the future waits, and it is the
// future's own memory (which is why a waiting future must stay at one address, as an armed
// Timer must). The queue, the nodes' links and their states are guarded by the primitive's
// spinlock; the future reads its node only under that lock.
//
// A primitive never completes a waiter's operation behind its back. It grants: it reserves
// for the first waiter still waiting what that waiter waited for (an item in a Channel, a
// free slot, the Mutex, a Signal's value, a NotifyOne), marks it granted and wakes it; the
// waiter completes its operation when it is polled, leaving the queue. Granted waiters stay
// linked, ahead of a cursor to the first waiter still waiting, so the queue knows who holds
// each reservation. Nobody else can take what is reserved, so waiters are served in the
// order they queued (no barging by Try* callers or by newcomers), and a waiter cancelled
// after its grant passes the reservation on to the next waiter, or back to the primitive, so
// nothing is lost. Wakers are always called after the spinlock is released.
//
// The queue checks the nodes each operation touches and repairs itself around a node that
// was overwritten or copied while it was linked (misuse.go); because granted waiters stay
// linked, a repair also finds the reservation an overwritten granted waiter held, and the
// primitive passes it on.

// Waiter states.
const (
	waitIdle       uint8 = iota // not waiting: the next poll starts an operation
	waitQueued                  // in the queue, at or after the cursor
	waitGranted                 // in the queue, before the cursor, with a reservation to complete on its next poll
	waitGrantedAll              // Notify only: released by NotifyAll (out of the queue, nothing to pass on)
	waitDone                    // SendFuture only: the value was sent
)

// waiter is the node a waiting future embeds: 24 bytes on a 32-bit target.
type waiter struct {
	_          noCopy
	next, prev *waiter
	// self is the node's own address while it is linked (or released by NotifyAll), nil
	// while idle: a node whose self is not its address is a copy of one that was linked; a
	// node the queue links to whose self is not its address was overwritten.
	self  *waiter
	waker Waker
	tag   uint32 // Notify: the epoch the waiter queued in
	state uint8
	kind  uint8 // kindSend, ...: the future that embeds it, for messages
}

// waitOp is the owner's side of one wait on a primitive: the node it links into the queue
// and whether it is armed. Every waiting future embeds one, and so does a straight-line
// task's T, for the primitives' typed awaits (Channel.AwaitSend, ...): the primitives'
// poll, cancel and misuse paths work on a *waitOp, so a future's Poll and the matching
// await share one implementation.
type waitOp struct {
	w     waiter
	armed bool // owner-only: w is queued or granted (else only the owner touches w)
}

// opCanceller is the primitive a T's waitOp was last armed on, for cancelling it when the
// task's function ends (or starts another typed await) with the op still armed. A
// primitive with two queues (Channel) implements it through one defined type per queue.
type opCanceller interface {
	// cancelOp is the Cancel of a future whose op is op (armed), with the T's messages.
	cancelOp(op *waitOp)
}

// waitQueue is a primitive's waiters, doubly linked in the order they queued, so that a
// cancelled waiter leaves in O(1): first the granted ones (each holds a reservation: the
// Channel's reserved values or slots are its queues' granted counts), then, from cur on,
// those still waiting.
type waitQueue struct {
	head, tail *waiter
	cur        *waiter // the first waiter still waiting, nil if none
	n          int     // nodes linked: a repair knows how many links it could not recover
	granted    int     // of which granted
	stale      *waiter // found overwritten by a repair: its owner's next call panics
	// lost counts the granted waiters a repair dropped (reservations to pass on); lostBroken
	// is set in it, with the waiters' kind, when a repair lost waiters it could not save: the
	// primitive's unlock panics once the lock is released. Either way its unlock finds lost
	// non-zero, its one check on the hot paths.
	lost int
}

// The flags of waitQueue.lost above its count.
const (
	lostBroken    = 1 << 30
	lostKindShift = 24
	lostCount     = 1<<lostKindShift - 1
)

// broken returns the panic value of a repair of q that lost waiters, clearing the flag, or
// nil. Cold: the primitives' unlock looks only when q.lost is non-zero.
func (q *waitQueue) broken() error {
	if q.lost&lostBroken == 0 {
		return nil
	}
	kind := uint8(q.lost>>lostKindShift) & 0x3f
	q.lost &= lostCount
	return misuseOf(kind, howLost)
}

// linked reports whether w's neighbours (or q's ends) link back to it and it is at its own
// address: what every operation checks of the nodes it unlinks.
func (q *waitQueue) linked(w *waiter) bool {
	if w.self != w {
		return false
	}
	if p := w.prev; p == nil {
		if q.head != w {
			return false
		}
	} else if p.next != w {
		return false
	}
	if x := w.next; x != nil {
		return x.prev == w
	}
	return q.tail == w
}

// unlinkRaw takes w out of q; the caller checked it is linked.
func (q *waitQueue) unlinkRaw(w *waiter) {
	p, x := w.prev, w.next
	if p != nil {
		p.next = x
	} else {
		q.head = x
	}
	if x != nil {
		x.prev = p
	} else {
		q.tail = p
	}
	if q.cur == w {
		q.cur = x
	}
	w.next, w.prev = nil, nil
	q.n--
}

// empty reports whether nobody waits (granted waiters aside).
func (q *waitQueue) empty() bool { return q.cur == nil }

// enqueue links w (idle by its own fields) at the tail as a waiter of the given kind. It
// reports false, having repaired the queue, when w is in fact still linked: the queue's
// head, tail or cursor is w, so it was overwritten while armed (the caller's misuse path
// panics).
func (q *waitQueue) enqueue(w *waiter, kind uint8) bool {
	t := q.tail
	if w == q.head || w == t || w == q.cur || t != nil && (t.self != t || t.next != nil) {
		return q.enqueueSlow(w, kind)
	}
	w.next, w.prev, w.self, w.state, w.kind = nil, t, w, waitQueued, kind
	if t != nil {
		t.next = w
	} else {
		q.head = w
	}
	q.tail = w
	if q.cur == nil {
		q.cur = w
	}
	q.n++
	return true
}

// enqueueSlow is enqueue after a check failed. Cold.
func (q *waitQueue) enqueueSlow(w *waiter, kind uint8) bool {
	if w == q.head || w == q.tail || w == q.cur {
		q.repair()
		q.stale = w
		return false
	}
	q.repair() // the tail did not check out
	return q.enqueue(w, kind)
}

// first returns the first waiter still waiting, checked (after a repair if it did not check
// out), or nil.
func (q *waitQueue) first() *waiter {
	h := q.cur
	if h != nil && (h.state != waitQueued || !q.linked(h)) {
		q.repair()
		h = q.cur
	}
	return h
}

// links returns the two links that point at w if it is linked: its predecessor's next (or
// the head) and its successor's prev (or the tail). A check reads them, an unlink writes
// them.
func (q *waitQueue) links(w *waiter) (toW, fromBack **waiter) {
	toW, fromBack = &q.head, &q.tail
	if p := w.prev; p != nil {
		toW = &p.next
	}
	if x := w.next; x != nil {
		fromBack = &x.prev
	}
	return toW, fromBack
}

// grant marks the first waiter still waiting granted and returns it (the caller reserves
// what it waited for and wakes it after unlocking), or returns nil if nobody waits. The
// waiter stays linked, ahead of the cursor, until it completes or cancels.
func (q *waitQueue) grant() *waiter {
	h := q.cur
	if h == nil {
		return nil
	}
	if toH, fromBack := q.links(h); *toH != h || *fromBack != h || h.self != h || h.state != waitQueued {
		if h = q.first(); h == nil {
			return nil
		}
	}
	q.cur = h.next
	h.state = waitGranted
	q.granted++
	return h
}

// grantAll takes the first waiter still waiting out of the queue in state waitGrantedAll
// (it reserves nothing) and returns it, or nil if nobody waits.
func (q *waitQueue) grantAll() *waiter {
	h := q.first()
	if h == nil {
		return nil
	}
	q.unlinkRaw(h)
	h.state = waitGrantedAll
	return h
}

// regrant puts the granted waiter at the head back to waiting, first in line (Signal.Reset:
// the value it was granted is gone). Signal grants one waiter at a time, so the granted
// waiter, if any, is the head.
func (q *waitQueue) regrant() {
	h := q.head
	if q.granted == 0 || h == nil {
		return
	}
	if h.state != waitGranted || !q.linked(h) {
		q.repair()
		if h = q.head; q.granted == 0 || h == nil {
			return
		}
	}
	h.state = waitQueued
	q.cur = h
	q.granted--
}

// unlink takes w (linked, in the state the caller found) out of the queue, repairing it
// first if w's links do not check out, and makes w idle.
func (q *waitQueue) unlink(w *waiter) {
	toW, fromBack := q.links(w)
	if *toW != w || *fromBack != w || w.self != w {
		q.unlinkSlow(w)
		return
	}
	x := w.next
	*toW, *fromBack = x, w.prev
	if q.cur == w {
		q.cur = x
	}
	if w.state == waitGranted {
		q.granted--
	}
	q.n--
	w.next, w.prev, w.self, w.state = nil, nil, nil, waitIdle
}

// unlinkSlow is unlink after a check failed. Cold.
func (q *waitQueue) unlinkSlow(w *waiter) {
	q.repair()
	if !q.linked(w) {
		// Not linked after all: the repair lost it with others (it panics). Its
		// reservation, counted as lost, is the caller's to use or pass on after all.
		if w.state == waitGranted && q.lost&lostCount > 0 {
			q.lost--
		}
		w.next, w.prev, w.self, w.state = nil, nil, nil, waitIdle
		return
	}
	if w.state == waitGranted {
		q.granted--
	}
	q.unlinkRaw(w)
	w.self, w.state = nil, waitIdle
}

// unqueue takes w (queued) out of the queue and makes it idle.
func (q *waitQueue) unqueue(w *waiter) { q.unlink(w) }

// ungrant takes w (granted) out of the queue and makes it idle: it completes, or passes its
// reservation on.
func (q *waitQueue) ungrant(w *waiter) { q.unlink(w) }

// suspect reports whether the owner of w must not go on with it: w is a copy of a node that
// was linked elsewhere, or a repair found it overwritten. One or two compares on the paths
// every poll takes.
func (q *waitQueue) suspect(w *waiter) bool {
	return w.self != w && w.self != nil || q.stale == w
}

// misuse is the start of a suspect owner's panic (suspect, or enqueue reported false), with
// the lock held. It makes w idle and returns the node whose arming the primitive must undo
// (the original of a copy, if it is still linked at its own address, whose owner the caller
// wakes; or w itself, if it was linked again after it was overwritten), or nil, and the
// value to panic with once the lock is released.
func (q *waitQueue) misuse(w *waiter, kind uint8) (undo *waiter, err error) {
	if s := w.self; s != nil && s != w {
		w.self, w.next, w.prev, w.state = nil, nil, nil, waitIdle
		if s.self == s && (s.state == waitQueued || s.state == waitGranted) {
			undo = s
		}
		return undo, misuseOf(kind, howCopied)
	}
	if q.stale == w {
		q.stale = nil
	}
	if w.self == w {
		if w.state == waitQueued || w.state == waitGranted {
			undo = w
		} else {
			w.self, w.state = nil, waitIdle
		}
	}
	return undo, misuseOf(kind, howOverwritten)
}

// member reports whether x can be a node of the queue by its own fields.
func member(x *waiter) bool {
	return x.self == x && (x.state == waitQueued || x.state == waitGranted)
}

// repair relinks q after a check failed: it keeps the consistent run of links from the head
// and the one from the tail, and joins them around the node(s) both stopped at, which were
// overwritten, copied or linked again since. The stopping node is recorded as stale, for its
// owner's next call to panic; the reservations of granted waiters dropped are counted in
// lost, for the primitive to pass them on; the cursor and the granted count are recomputed.
// If links were lost that the two runs cannot account for (several waiters overwritten
// apart between two operations), waiters are lost with them: lostBroken makes the
// primitive's unlock panic. O(n); it runs only after a failed check.
func (q *waitQueue) repair() {
	var f *waiter // last node of the run from the head
	nf := 0
	x := q.head // the node that run could not enter
	for x != nil && nf < q.n && member(x) && x.prev == f {
		f, x = x, x.next
		nf++
	}
	var b *waiter // last node of the run from the tail
	nb := 0
	y := q.tail
	for y != nil && y != f && nf+nb < q.n && member(y) && y.next == b {
		b, y = y, y.prev
		nb++
	}
	if f != nil {
		f.next = b
	} else {
		q.head = b
	}
	if b != nil {
		b.prev = f
	} else {
		q.tail = f
	}
	lost := q.n - nf - nb
	q.n = nf + nb
	targets := 0
	if x != nil {
		targets++
		q.stale = x
	}
	if y != nil && y != f && y != x {
		targets++
		if x == nil {
			q.stale = y
		}
	}
	// The cursor and the reservations, recounted.
	granted := 0
	q.cur = nil
	for w := q.head; w != nil; w = w.next {
		if w.state == waitGranted {
			granted++
		} else if q.cur == nil {
			q.cur = w
		}
	}
	if dropped := q.granted - granted; dropped > 0 {
		q.lost += dropped
	}
	q.granted = granted
	if lost != targets {
		// Waiters between the two stopping nodes are lost: the runs are joined and the
		// queue goes on with what it has; the primitive's unlock panics once the lock is
		// released (a panic here would leave it held).
		kind := kindNone
		if f != nil {
			kind = f.kind
		} else if b != nil {
			kind = b.kind
		}
		q.lost |= lostBroken | int(kind)<<lostKindShift
	}
}

// wakerOf returns w's waker, or the zero Waker for nil: read it under the lock, wake after.
func wakerOf(w *waiter) Waker {
	if w == nil {
		return 0
	}
	return w.waker
}

// releaser is a primitive whose queue a repair touched: release passes on what dropped
// waiters held, unlocks, and returns the error of a repair that lost waiters, if one did.
type releaser interface{ release(cs rt.CS) error }

// releaseWake is the primitives' shared cold path of unlockWake after a queue repair:
// release, wake w, then panic if the repair lost waiters (after the wake, so none is lost).
func releaseWake(p releaser, cs rt.CS, w Waker) {
	err := p.release(cs)
	w.Wake()
	if err != nil {
		panic(err)
	}
}
