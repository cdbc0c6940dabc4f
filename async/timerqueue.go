package async

import (
	"unsafe"

	"github.com/gohal/gohal/rt"
)

// MaxCores is the number of cores the timer queues serve.
const MaxCores = 4

var queues [MaxCores]timerQueue

// ResetTimersForTest empties every core's timer queue, forgetting the timers in it, so a
// test process can run several firmware images one after another. Firmware never calls it.
func ResetTimersForTest() {
	for i := range queues {
		q := &queues[i]
		cs := q.mu.lock()
		// Unlink every timer, so that one polled again (a global of the next image) arms
		// afresh.
		for n := q.first; n != nil && n.self == n; {
			next := n.lnext
			n.child, n.next, n.prev, n.lnext, n.lprev, n.self = nil, nil, nil, nil, nil, nil
			n = next
		}
		q.root, q.first, q.last, q.stale, q.n, q.broken = nil, nil, nil, nil, 0, false
		q.mu.unlock(cs)
	}
}

func queueOf(core int) *timerQueue {
	if core < 0 || core >= MaxCores {
		core = 0
	}
	return &queues[core]
}

// timerQueue is one core's timers, a pairing heap ordered by deadline: insert O(1),
// removal of the earliest or of any timer O(log n) amortised. The nodes live in the timers
// themselves, so arming a timer never allocates.
//
// The timers are also on a doubly linked list, in the order they were queued: a timer
// overwritten while queued (tm = async.After(d) over a queued tm) takes its heap links with
// it, and with them every timer below it in the heap, but the list can be relinked around it
// from its two ends. Every operation checks the nodes it touches (misuse.go); a failed check
// repairs the list and rebuilds the heap from it, so no other timer is lost.
type timerQueue struct {
	mu          spinlock
	root        *timerNode
	first, last *timerNode // the list of every queued timer
	n           int
	stale       *timerNode // found overwritten by a repair: its owner's next call panics
	broken      bool       // a repair lost timers: unlock panics once the lock is released
}

// unlock releases the lock, then panics if a repair lost timers it could not save (a panic
// with the lock held would leave it held).
func (q *timerQueue) unlock(cs rt.CS) {
	if q.broken {
		q.unlockLost(cs, 0)
		return
	}
	q.mu.unlock(cs)
}

// unlockLost releases the lock, wakes w and panics with the message of a repair that lost
// timers. Cold.
func (q *timerQueue) unlockLost(cs rt.CS, w Waker) {
	q.broken = false
	q.mu.unlock(cs)
	w.Wake()
	panic(misuseOf(kindTimer, howLost))
}

type timerNode struct {
	_     noCopy
	at    Instant
	waker Waker
	// child is the first child; next the next sibling; prev the previous sibling, or the
	// parent for a first child.
	child, next, prev *timerNode
	// lnext and lprev link the queue's list of every queued timer.
	lnext, lprev *timerNode
	// self is the node's own address while it is queued, nil otherwise: a node whose self
	// is not its address is a copy of a queued one; a node the queue links to whose self
	// is not its address was overwritten.
	self *timerNode
	// home is the queue it uses (a *timerQueue), set on first use (its owner's core). An
	// unsafe.Pointer: a Timer lives in tasks, which are held in interfaces, and TinyGo
	// emits type descriptors for every type reachable from a value in an interface;
	// through a *timerQueue that is the queue's and its lock's, about 170 bytes.
	home unsafe.Pointer
}

// queue returns the queue n uses (nil before its first use).
func (n *timerNode) queue() *timerQueue { return (*timerQueue)(n.home) }

// queued reports whether n is in its queue (the lock held).
func (n *timerNode) queued() bool { return n.self == n }

// meld makes the heap of greater root a child of the other and returns the new root, or
// false if the first child it links beside does not link back (a node was overwritten).
func meld(a, b *timerNode) (*timerNode, bool) {
	if a == nil {
		return b, true
	}
	if b == nil {
		return a, true
	}
	if b.at < a.at {
		a, b = b, a
	}
	// b becomes a's first child.
	c := a.child
	if c != nil {
		if c.prev != a {
			return nil, false
		}
		c.prev = b
	}
	b.prev = a
	b.next = c
	a.child = b
	a.next, a.prev = nil, nil
	return a, true
}

// mergePairs melds the sibling list first (the children of parent) two at a time, then
// right to left, without recursion. It checks every node it takes before touching it and
// returns false at the first that is not what its links say (the heap is then rebuilt).
func mergePairs(first, parent *timerNode) (*timerNode, bool) {
	if first == nil {
		return nil, true
	}
	// Pass 1: meld pairs left to right, chaining the results through prev (reused).
	var tail *timerNode
	expect := parent
	for first != nil {
		a := first
		if a.self != a || a.prev != expect {
			return nil, false
		}
		b := a.next
		if b != nil {
			if b.self != b || b.prev != a {
				return nil, false
			}
			first, expect = b.next, b
		} else {
			first = nil
		}
		a.next, a.prev = nil, nil
		if b != nil {
			b.next, b.prev = nil, nil
		}
		m, ok := meld(a, b)
		if !ok {
			return nil, false
		}
		m.prev = tail // temporary back link
		tail = m
	}
	// Pass 2: meld right to left.
	var root *timerNode
	for tail != nil {
		prev := tail.prev
		tail.prev = nil
		var ok bool
		if root, ok = meld(tail, root); !ok {
			return nil, false
		}
		tail = prev
	}
	return root, true
}

// rootOK reports whether q's root is what a root must be (or there is none).
func (q *timerQueue) rootOK() bool {
	r := q.root
	return r == nil || r.self == r && r.prev == nil
}

// push inserts n (not queued).
func (q *timerQueue) push(n *timerNode) {
	t := q.last
	if t == nil && q.first != nil || t != nil && (t.self != t || t.lnext != nil) {
		q.repair()
		t = q.last
	}
	n.lnext, n.lprev, n.self = nil, t, n
	if t != nil {
		t.lnext = n
	} else {
		q.first = n
	}
	q.last = n
	q.n++
	n.child, n.next, n.prev = nil, nil, nil
	if !q.rootOK() {
		q.repair() // rebuilds the heap, n included
		return
	}
	r, ok := meld(q.root, n)
	if !ok {
		q.repair()
		return
	}
	q.root = r
}

// remove takes n (queued in q) out, repairing q first if n's links do not check out.
func (q *timerQueue) remove(n *timerNode) {
	if !q.tryRemove(n) {
		q.repair()
		if !q.tryRemove(n) {
			// n is not in q after all (the repair lost it with others: it panics).
			n.child, n.next, n.prev, n.lnext, n.lprev, n.self = nil, nil, nil, nil, nil, nil
		}
	}
}

// tryRemove takes n out, or returns false, having changed nothing but heap links, when a
// node on its way does not check out.
func (q *timerQueue) tryRemove(n *timerNode) bool {
	if n.self != n {
		return false
	}
	if p := n.lprev; p == nil && q.first != n || p != nil && (p.lnext != n || p.self != p) {
		return false
	}
	if x := n.lnext; x == nil && q.last != n || x != nil && (x.lprev != n || x.self != x) {
		return false
	}
	if n == q.root {
		if n.prev != nil {
			return false
		}
		r, ok := mergePairs(n.child, n)
		if !ok {
			return false
		}
		q.root = r
	} else {
		// Unlink n from its parent or left sibling.
		p := n.prev
		if p == nil || p.self != p || !q.rootOK() {
			return false
		}
		x := n.next
		if x != nil && (x.prev != n || x.self != x) {
			return false
		}
		if p.child == n {
			p.child = x
		} else if p.next == n {
			p.next = x
		} else {
			return false
		}
		if x != nil {
			x.prev = p
		}
		sub, ok := mergePairs(n.child, n)
		if !ok {
			return false
		}
		if q.root, ok = meld(q.root, sub); !ok {
			return false
		}
	}
	// Off the list (its neighbours were checked above).
	if p := n.lprev; p != nil {
		p.lnext = n.lnext
	} else {
		q.first = n.lnext
	}
	if x := n.lnext; x != nil {
		x.lprev = n.lprev
	} else {
		q.last = n.lprev
	}
	n.child, n.next, n.prev, n.lnext, n.lprev, n.self = nil, nil, nil, nil, nil, nil
	q.n--
	return true
}

// repair relinks the list of queued timers after a check failed, keeping the consistent
// run of links from each end and joining them around the node both stopped at (overwritten,
// copied or queued again since), records that node as stale for its owner's next call to
// panic, and rebuilds the heap from the list. If the runs cannot account for every link
// (several timers overwritten at once) timers would be lost: it panics. O(n), after a failed
// check only.
func (q *timerQueue) repair() {
	var f *timerNode
	nf := 0
	x := q.first
	for x != nil && nf < q.n && x.self == x && x.lprev == f {
		f, x = x, x.lnext
		nf++
	}
	var b *timerNode
	nb := 0
	y := q.last
	for y != nil && y != f && nf+nb < q.n && y.self == y && y.lnext == b {
		b, y = y, y.lprev
		nb++
	}
	if f != nil {
		f.lnext = b
	} else {
		q.first = b
	}
	if b != nil {
		b.lprev = f
	} else {
		q.last = f
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
	if lost != targets {
		// Timers between the two stopping nodes are lost: go on with the rest, and panic
		// once the lock is released.
		q.broken = true
	}
	var root *timerNode
	for n := q.first; n != nil; n = n.lnext {
		n.child, n.next, n.prev = nil, nil, nil
		root, _ = meld(root, n) // fresh nodes: always consistent
	}
	q.root = root
}

// expire wakes the due timers and arms the driver for the earliest remaining one. It is
// generic in the driver so that a driver's own handler (ExpireTimersOf) calls its Now and
// SetAlarm directly, not through TimeDriver's interface thunks.
func expire[D TimeDriver](q *timerQueue, d D) {
	// Pop, unlock, wake: the lock (interrupts masked on this core) is held for one pop at a
	// time, never across a wake, so a higher-priority interrupt (an interrupt executor
	// pended by the first wake, say) waits for one O(log n) removal, not for every timer due
	// at this instant.
	for {
		now := d.Now()
		for {
			cs := q.mu.lock()
			if !q.rootOK() {
				q.repair()
			}
			n := q.root
			if n == nil || n.at > now {
				q.unlock(cs)
				break
			}
			q.remove(n)
			w := n.waker // a copy: once unlocked, the node is its owner's again
			if q.broken {
				q.unlockLost(cs, w)
			}
			q.mu.unlock(cs)
			w.Wake()
		}
		cs := q.mu.lock()
		done := q.root == nil || d.SetAlarm(coreOf(q), q.root.at)
		q.unlock(cs)
		if done {
			return
		}
	}
}

func coreOf(q *timerQueue) int {
	for i := range queues {
		if &queues[i] == q {
			return i
		}
	}
	return 0
}

// suspect reports whether n's owner must not go on with it: it is a copy of a queued timer,
// a repair found it overwritten, or it is not queued by its own fields yet the queue's list
// or heap ends in it (it was overwritten while queued).
func (q *timerQueue) suspect(n *timerNode) bool {
	if n.self == n {
		return q.stale == n
	}
	return n.self != nil || q.stale == n || n == q.root || n == q.first || n == q.last
}

// misuse repairs what a copy or an overwrite of n broke, releases the lock and panics with
// a message naming the future (kind: kindTimer or kindTicker) and its reuse method.
func (n *timerNode) misuse(q *timerQueue, cs rt.CS, kind uint8) {
	var orig Waker
	var err error
	if s := n.self; s != nil && s != n {
		// A copy: take the original out of the queue, and wake its owner, who polls it
		// again (and re-arms it, if it is still in use).
		n.self, n.child, n.next, n.prev, n.lnext, n.lprev = nil, nil, nil, nil, nil, nil
		if s.self == s && s.queue() == q {
			orig = s.waker
			q.remove(s)
		}
		err = misuseOf(kind, howCopied)
	} else {
		if n.self == nil && (n == q.root || n == q.first || n == q.last) {
			q.repair() // cuts n out
		}
		if q.stale == n {
			q.stale = nil
		}
		if n.self == n {
			q.remove(n) // queued again after it was overwritten
		}
		err = misuseOf(kind, howOverwritten)
	}
	q.mu.unlock(cs)
	orig.Wake()
	panic(err)
}

// poll is a timer's whole poll, under its queue's lock: complete (leaving the queue) once
// the deadline has passed, otherwise be queued with waker w, keeping the alarm on the
// earliest deadline. home is set by the timer's owner on first use and never changes, so
// expire (another context) and the owner agree on the lock without reading q unlocked.
func (n *timerNode) poll(d TimeDriver, w Waker, kind uint8) bool {
	if n.home == nil {
		n.home = unsafe.Pointer(queueOf(rt.CoreID()))
	}
	q := n.queue()
	cs := q.mu.lock()
	if q.suspect(n) {
		n.misuse(q, cs, kind)
	}
	done := n.pollLocked(q, d, w)
	q.unlock(cs)
	return done
}

// pollLocked is poll's body, with q's lock held. (A function rather than a deferred unlock:
// a defer costs TinyGo a frame and its unwinding code in every caller.)
func (n *timerNode) pollLocked(q *timerQueue, d TimeDriver, w Waker) bool {
	if n.at <= d.Now() {
		if n.queued() {
			q.remove(n)
		}
		return true
	}
	n.waker = w
	if n.queued() {
		return false
	}
	q.push(n)
	if q.root == n && !d.SetAlarm(coreOf(q), n.at) {
		// Passed while we were arming: complete now instead of waiting for an alarm.
		q.remove(n)
		return true
	}
	return false
}

// disarm takes n out of its queue, if queued.
func (n *timerNode) disarm(kind uint8) {
	q := n.queue()
	if q == nil {
		return
	}
	cs := q.mu.lock()
	if q.suspect(n) {
		n.misuse(q, cs, kind)
	}
	if n.queued() {
		q.remove(n)
	}
	q.unlock(cs)
}
