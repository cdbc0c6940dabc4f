package async

import (
	"errors"
	"sync/atomic"

	"github.com/gohal/gohal/rt"
)

// Instant is a point in time: microseconds since the time driver started (1 MHz ticks).
type Instant uint64

// Duration is a span of time in microseconds.
type Duration int64

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
		q.root, q.n = nil, 0
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
type timerQueue struct {
	mu   spinlock
	root *timerNode
	n    int
}

type timerNode struct {
	at    Instant
	waker Waker
	// child is the first child; next the next sibling; prev the previous sibling, or the
	// parent for a first child. q is the queue the node is in (nil when not queued).
	child, next, prev *timerNode
	q, home           *timerQueue
}

func meld(a, b *timerNode) *timerNode {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if b.at < a.at {
		a, b = b, a
	}
	// b becomes a's first child.
	b.prev = a
	b.next = a.child
	if a.child != nil {
		a.child.prev = b
	}
	a.child = b
	a.next, a.prev = nil, nil
	return a
}

// mergePairs melds a list of siblings two at a time, then right to left, without recursion.
func mergePairs(first *timerNode) *timerNode {
	if first == nil {
		return nil
	}
	// Pass 1: meld pairs left to right, chaining the results through prev (reused).
	var tail *timerNode
	for first != nil {
		a := first
		b := a.next
		if b != nil {
			first = b.next
		} else {
			first = nil
		}
		a.next, a.prev = nil, nil
		if b != nil {
			b.next, b.prev = nil, nil
		}
		m := meld(a, b)
		m.prev = tail // temporary back link
		tail = m
	}
	// Pass 2: meld right to left.
	var root *timerNode
	for tail != nil {
		prev := tail.prev
		tail.prev = nil
		root = meld(tail, root)
		tail = prev
	}
	return root
}

// push inserts n (not queued).
func (q *timerQueue) push(n *timerNode) {
	n.child, n.next, n.prev = nil, nil, nil
	n.q = q
	q.root = meld(q.root, n)
	q.n++
}

// remove takes n (queued in q) out.
func (q *timerQueue) remove(n *timerNode) {
	if n == q.root {
		q.root = mergePairs(n.child)
	} else {
		// Unlink n from its parent or left sibling.
		if n.prev.child == n {
			n.prev.child = n.next
		} else {
			n.prev.next = n.next
		}
		if n.next != nil {
			n.next.prev = n.prev
		}
		q.root = meld(q.root, mergePairs(n.child))
	}
	n.child, n.next, n.prev, n.q = nil, nil, nil, nil
	q.n--
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
			n := q.root
			if n == nil || n.at > now {
				q.mu.unlock(cs)
				break
			}
			q.remove(n)
			w := n.waker // a copy: once unlocked, the node is its owner's again
			q.mu.unlock(cs)
			w.Wake()
		}
		cs := q.mu.lock()
		done := q.root == nil || d.SetAlarm(coreOf(q), q.root.at)
		q.mu.unlock(cs)
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

// poll is a timer's whole poll, under its queue's lock: complete (leaving the queue) once
// the deadline has passed, otherwise be queued with waker w, keeping the alarm on the
// earliest deadline. home is set by the timer's owner on first use and never changes, so
// expire (another context) and the owner agree on the lock without reading q unlocked.
func (n *timerNode) poll(d TimeDriver, w Waker) bool {
	if n.home == nil {
		n.home = queueOf(rt.CoreID())
	}
	q := n.home
	cs := q.mu.lock()
	done := n.pollLocked(q, d, w)
	q.mu.unlock(cs)
	return done
}

// pollLocked is poll's body, with q's lock held. (A function rather than a deferred unlock:
// a defer costs TinyGo a frame and its unwinding code in every caller.)
func (n *timerNode) pollLocked(q *timerQueue, d TimeDriver, w Waker) bool {
	if n.at <= d.Now() {
		if n.q != nil {
			q.remove(n)
		}
		return true
	}
	n.waker = w
	if n.q != nil {
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
func (n *timerNode) disarm() {
	q := n.home
	if q == nil {
		return
	}
	cs := q.mu.lock()
	if n.q != nil {
		q.remove(n)
	}
	q.mu.unlock(cs)
}

// Timer is a future that completes at a deadline. The zero Timer has deadline 0 and
// completes at once. Keep a Timer at one address while it is armed (a field of a task, a
// local of a straight-line task); Cancel it when its result is no longer wanted.
type Timer struct {
	node timerNode
}

// At returns a timer that completes at deadline.
func At(deadline Instant) Timer { return Timer{node: timerNode{at: deadline}} }

// After returns a timer that completes d from now.
func After(d Duration) Timer { return At(Now().Add(d)) }

// Reset disarms t and gives it a new deadline.
func (t *Timer) Reset(deadline Instant) {
	t.node.disarm()
	t.node.at = deadline
}

// Deadline returns the timer's deadline.
func (t *Timer) Deadline() Instant { return t.node.at }

// Poll completes once the deadline has passed, returning the deadline.
func (t *Timer) Poll(cx *Context) (Instant, bool) {
	if t.node.poll(timeDriver(), cx.Waker()) {
		return t.node.at, true
	}
	return 0, false
}

// Cancel disarms the timer.
func (t *Timer) Cancel() { t.node.disarm() }

// Ticker completes once per period, at start+period, start+2·period, ... measured from the
// previous deadline, not from when it was polled, so it never drifts. If the task falls
// behind, the missed ticks complete at once, one per poll.
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

// Poll completes at the next tick, returning its deadline, and moves on to the following one.
func (t *Ticker) Poll(cx *Context) (Instant, bool) {
	at, ok := t.timer.Poll(cx)
	if ok {
		t.timer.node.at = at.Add(t.period)
	}
	return at, ok
}

// Cancel disarms the ticker; polling it again re-arms it for its next deadline.
func (t *Ticker) Cancel() { t.timer.Cancel() }

// Period returns the ticker's period.
func (t *Ticker) Period() Duration { return t.period }

// ErrTimeout is the error of a WithTimeout or WithDeadline future whose time ran out.
var ErrTimeout = errors.New("async: timed out")

// Outcome is the result of a future that can fail: Value when Err is nil.
type Outcome[T any] struct {
	Value T
	Err   error
}

// Deadline races a future against a deadline (see WithTimeout).
type Deadline[T any] struct {
	f     Future[T]
	timer Timer
}

// WithDeadline returns a future that completes with f's value, or with ErrTimeout at
// deadline, cancelling f.
func WithDeadline[T any](f Future[T], deadline Instant) *Deadline[T] {
	return &Deadline[T]{f: f, timer: At(deadline)}
}

// WithTimeout returns a future that completes with f's value, or with ErrTimeout after d,
// cancelling f.
func WithTimeout[T any](f Future[T], d Duration) *Deadline[T] { return WithDeadline(f, Now().Add(d)) }

// Init sets up an embedded Deadline (no allocation): d.Init(f, deadline).
func (d *Deadline[T]) Init(f Future[T], deadline Instant) {
	d.f = f
	d.timer.Reset(deadline)
}

// Poll completes with f's value or ErrTimeout, whichever comes first.
func (d *Deadline[T]) Poll(cx *Context) (Outcome[T], bool) {
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
func (d *Deadline[T]) Cancel() {
	d.f.Cancel()
	d.timer.Cancel()
}
