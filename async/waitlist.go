package async

// Waiting on the sync primitives (Channel, Signal, Mutex, Notify).
//
// Every waiting future embeds a waiter node, so queueing a waiter never allocates: the node
// is linked into the primitive's FIFO wait list while the future waits, and it is the
// future's own memory (which is why a waiting future must stay at one address, as an armed
// Timer must). The list, the node's links and its state are guarded by the primitive's
// spinlock; the future reads its node only under that lock.
//
// A primitive never completes a waiter's operation behind its back. It grants: it takes the
// head waiter off the list, reserves for it what it waited for (an item in a Channel, a free
// slot, the Mutex, a Notify permit), and wakes it; the waiter completes its operation when it
// is polled. Nobody else can take what is reserved, so waiters are served in the order they
// queued (no barging by Try* callers or by newcomers), and a waiter cancelled after its grant
// passes the reservation on to the next waiter, or back to the primitive, so nothing is lost.
// Wakers are always called after the spinlock is released.

// Waiter states.
const (
	waitIdle       uint8 = iota // not waiting: the next poll starts an operation
	waitQueued                  // in a wait list
	waitGranted                 // off the list, with a reservation to complete on its next poll
	waitGrantedAll              // Notify only: released by NotifyAll (nothing to pass on)
	waitDone                    // SendFuture only: the value was sent
)

// waiter is the node a waiting future embeds: 20 bytes on a 32-bit target.
type waiter struct {
	next, prev *waiter
	waker      Waker
	tag        uint32 // Notify: the epoch the waiter queued in
	state      uint8
}

// waitList is a FIFO of waiters, doubly linked so a cancelled waiter leaves in O(1).
type waitList struct {
	head, tail *waiter
}

// empty reports whether nobody waits.
func (l *waitList) empty() bool { return l.head == nil }

// push queues w (not queued) at the tail.
func (l *waitList) push(w *waiter) {
	w.next = nil
	w.prev = l.tail
	if l.tail != nil {
		l.tail.next = w
	} else {
		l.head = w
	}
	l.tail = w
	w.state = waitQueued
}

// pushFront queues w (not queued) at the head.
func (l *waitList) pushFront(w *waiter) {
	w.prev = nil
	w.next = l.head
	if l.head != nil {
		l.head.prev = w
	} else {
		l.tail = w
	}
	l.head = w
	w.state = waitQueued
}

// remove unlinks w (queued in l) and makes it idle.
func (l *waitList) remove(w *waiter) {
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		l.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	} else {
		l.tail = w.prev
	}
	w.next, w.prev = nil, nil
	w.state = waitIdle
}

// grant takes the head waiter off the list in state st and returns it, or nil if the list is
// empty. The caller wakes its waker after releasing the lock.
func (l *waitList) grant(st uint8) *waiter {
	w := l.head
	if w == nil {
		return nil
	}
	l.remove(w)
	w.state = st
	return w
}

// wakerOf returns w's waker, or the zero Waker for nil: read it under the lock, wake after.
func wakerOf(w *waiter) Waker {
	if w == nil {
		return 0
	}
	return w.waker
}
