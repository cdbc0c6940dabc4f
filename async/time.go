package async

import (
	"errors"
	"sync/atomic"
	"time"

	"github.com/gohal/gohal/rt"
)

// Instant is a point in time: microseconds since the time driver started (1 MHz ticks).
type Instant uint64

// Duration is a span of time in microseconds: the unit of the executor's clock and of every
// wait (timers, driver futures, gpio and timer methods). Driver Configs take time.Duration,
// as TinyGo's drivers do; DurationOf and Std convert between the two.
type Duration int64

// DurationOf converts d to a Duration, rounding up to a whole microsecond so that a timeout
// is never shorter than asked.
func DurationOf(d time.Duration) Duration {
	us := d / time.Microsecond
	if d%time.Microsecond > 0 {
		us++
	}
	return Duration(us)
}

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) * time.Microsecond }

// Units of Duration.
const (
	Microsecond Duration = 1
	Millisecond          = 1000 * Microsecond
	Second               = 1000 * Millisecond
)

// Add returns t+d.
func (t Instant) Add(d Duration) Instant { return Instant(int64(t) + int64(d)) }

// Sub returns t-u.
func (t Instant) Sub(u Instant) Duration { return Duration(int64(t) - int64(u)) }

// Before reports whether t is before u.
func (t Instant) Before(u Instant) bool { return t < u }

// Micros returns d in microseconds.
func (d Duration) Micros() int64 { return int64(d) }

// Millis returns d in whole milliseconds.
func (d Duration) Millis() int64 { return int64(d) / 1000 }

// TimeDriver is a chip's clock and alarm: hal wires the ESP32-C3's SYSTIMER. Now must be
// monotonic and callable from any context. SetAlarm asks for ExpireTimers to be called on
// core `core` once Now() >= at, replacing that core's previous alarm; it returns false
// (and sets nothing) when at has already passed.
type TimeDriver interface {
	Now() Instant
	SetAlarm(core int, at Instant) bool
}

// MaxCores is the number of cores the timer queues serve.
const MaxCores = 4

var (
	driver atomic.Pointer[driverBox]
	queues [MaxCores]timerQueue
)

type driverBox struct{ d TimeDriver }

// ErrNoTimeDriver is the panic value of a timer polled before SetTimeDriver.
var ErrNoTimeDriver = errors.New("async: no time driver: call hal.Init or async.SetTimeDriver first")

// SetTimeDriver installs the time driver; hal.Init does it. Call it once at start, before
// any timer is polled.
func SetTimeDriver(d TimeDriver) {
	if d == nil {
		driver.Store(nil)
		return
	}
	driver.Store(&driverBox{d})
}

func timeDriver() TimeDriver {
	b := driver.Load()
	if b == nil {
		panic(ErrNoTimeDriver)
	}
	return b.d
}

// Now returns the current time from the time driver.
func Now() Instant { return timeDriver().Now() }

// ExpireTimers wakes every timer of the current core's queue whose deadline has passed and
// sets the alarm for the next one. The time driver calls it from its alarm interrupt.
func ExpireTimers() { queueOf(rt.CoreID()).expire(timeDriver()) }

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
	home *timerQueue // the queue it uses, set on first use (its owner's core)
}

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

// expire wakes the due timers and arms the driver for the earliest remaining one.
func (q *timerQueue) expire(d TimeDriver) {
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
		if s.self == s && s.home == q {
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
		n.home = queueOf(rt.CoreID())
	}
	q := n.home
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
	q := n.home
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

// Timer is a future that completes at a deadline. The zero Timer has deadline 0 and
// completes at once. Keep a Timer at one address while it is armed (a field of a task, a
// local of a straight-line task); Cancel it when its result is no longer wanted.
//
// An armed Timer is linked into its core's timer queue: do not copy it (go vet reports
// copies) and do not assign over it (tm = async.After(d)) while it is queued; use Reset or
// ResetAfter, which disarm it first. A Timer found copied or overwritten while queued panics,
// and the queue is repaired so that the other timers still fire.
type Timer struct {
	node timerNode
}

// At returns a timer that completes at deadline.
func At(deadline Instant) Timer { return Timer{node: timerNode{at: deadline}} }

// After returns a timer that completes d from now.
func After(d Duration) Timer { return At(Now().Add(d)) }

// Reset disarms t and gives it a new deadline: t.Reset(deadline) in place of
// t = async.At(deadline).
func (t *Timer) Reset(deadline Instant) {
	t.node.disarm(kindTimer)
	t.node.at = deadline
}

// ResetAfter disarms t and gives it the deadline d from now: t.ResetAfter(d) in place of
// t = async.After(d).
func (t *Timer) ResetAfter(d Duration) { t.Reset(Now().Add(d)) }

// Deadline returns the timer's deadline.
func (t *Timer) Deadline() Instant { return t.node.at }

// Poll completes once the deadline has passed, returning the deadline.
func (t *Timer) Poll(cx *Context) (Instant, bool) {
	if t.node.poll(timeDriver(), cx.Waker(), kindTimer) {
		return t.node.at, true
	}
	return 0, false
}

// Cancel disarms the timer.
func (t *Timer) Cancel() { t.node.disarm(kindTimer) }

// Ticker completes once per period, at start+period, start+2·period, ... measured from the
// previous deadline, not from when it was polled, so it never drifts. If the task falls
// behind, the missed ticks complete at once, one per poll.
//
// Like a Timer, an armed Ticker is linked into the timer queue: do not copy it or assign
// over it (tk = async.NewTicker(p)) while it is armed; Reset it instead.
type Ticker struct {
	period Duration
	timer  Timer
}

// NewTicker returns a ticker whose first tick is one period from now.
func NewTicker(period Duration) Ticker {
	if period <= 0 {
		period = 1
	}
	return Ticker{period: period, timer: After(period)}
}

// Reset disarms the ticker and starts it again with period, its first tick one period from
// now: t.Reset(period) in place of t = async.NewTicker(period), and the way to set up a
// zero Ticker in place.
func (t *Ticker) Reset(period Duration) {
	if period <= 0 {
		period = 1
	}
	t.timer.node.disarm(kindTicker)
	t.period = period
	t.timer.node.at = Now().Add(period)
}

// Poll completes at the next tick, returning its deadline, and moves on to the following one.
func (t *Ticker) Poll(cx *Context) (Instant, bool) {
	if t.timer.node.poll(timeDriver(), cx.Waker(), kindTicker) {
		at := t.timer.node.at
		t.timer.node.at = at.Add(t.period)
		return at, true
	}
	return 0, false
}

// Cancel disarms the ticker; polling it again re-arms it for its next deadline.
func (t *Ticker) Cancel() { t.timer.node.disarm(kindTicker) }

// Period returns the ticker's period.
func (t *Ticker) Period() Duration { return t.period }

// ErrTimeout is the error of a WithTimeout or WithDeadline future whose time ran out.
var ErrTimeout = errors.New("async: timed out")

// Outcome is the result of a future that can fail: Value when Err is nil.
type Outcome[T any] struct {
	Value T
	Err   error
}

// Timeout races a future against a deadline: it completes with the future's value, or with
// ErrTimeout when the deadline passes first (see WithTimeout, WithDeadline). (Named for what it
// is, a future with a timeout; its deadline is an Instant you give it.)
type Timeout[T any] struct {
	f     Future[T]
	timer Timer
}

// WithDeadline returns a future that completes with f's value, or with ErrTimeout at
// deadline, cancelling f.
func WithDeadline[T any](f Future[T], deadline Instant) *Timeout[T] {
	return &Timeout[T]{f: f, timer: At(deadline)}
}

// WithTimeout returns a future that completes with f's value, or with ErrTimeout after d,
// cancelling f.
func WithTimeout[T any](f Future[T], d Duration) *Timeout[T] { return WithDeadline(f, Now().Add(d)) }

// Init sets up an embedded Timeout (no allocation): d.Init(f, deadline).
func (d *Timeout[T]) Init(f Future[T], deadline Instant) {
	d.f = f
	d.timer.Reset(deadline)
}

// Poll completes with f's value or ErrTimeout, whichever comes first.
func (d *Timeout[T]) Poll(cx *Context) (Outcome[T], bool) {
	if v, ok := d.f.Poll(cx); ok {
		d.timer.Cancel()
		return Outcome[T]{Value: v}, true
	}
	if _, ok := d.timer.Poll(cx); ok {
		d.f.Cancel()
		return Outcome[T]{Err: ErrTimeout}, true
	}
	return Outcome[T]{}, false
}

// Cancel cancels both f and the timer.
func (d *Timeout[T]) Cancel() {
	d.f.Cancel()
	d.timer.Cancel()
}
